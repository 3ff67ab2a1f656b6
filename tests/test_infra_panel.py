"""The infra graph figure, the plan table and the widget panel (no browser)."""

from __future__ import annotations

import html

import networkx as nx
import pytest

from tipsim.infra.engine import Stack
from tipsim.viz.infra_graph import infra_graph_figure, plan_table

pytestmark = pytest.mark.infra


def test_figure_colours_direct_and_downstream_nodes():
    g = nx.DiGraph([("vpc", "subnet"), ("subnet", "instance"), ("instance", "elb"),
                    ("elb", "record"), ("vpc", "sg")])
    fig = infra_graph_figure(g, {"direct": ["instance"], "downstream": ["elb", "record"]})
    names = {t.name: list(t.text) for t in fig.data[1:]}
    assert sorted(names["changed directly"]) == ["instance"]
    assert sorted(names["downstream (blast radius)"]) == ["elb", "record"]
    assert sorted(names["not touched"]) == ["sg", "subnet", "vpc"]
    xs = dict(zip(fig.data[1].text, fig.data[1].x, strict=True))
    assert xs["vpc"] < xs["subnet"]  # dependencies drawn left of dependents
    fig = infra_graph_figure(g, None)  # no plan: nothing highlighted
    assert len(fig.data[2].x) == 0 and len(fig.data[1].x) == 6


def test_panel_plans_applies_and_destroys_with_errors_as_one_line(emulator):
    from tipsim.widgets.infra_panel import InfraPanel

    stack = Stack("talk", emulator.session)
    panel = InfraPanel(stack=stack)
    elb = stack.capabilities.has("elb")
    try:
        assert ("moto" if emulator.kind == "embedded" else "LocalStack") in \
            panel.emulator_line.value
        assert elb or "simulated only: elb" in panel.emulator_line.value
        assert panel.plan.summary()["create"] == (11 if elb else 10)
        assert panel.plan.summary()["skip"] == (0 if elb else 1)
        assert "aws_vpc.app_vpc[0]" in panel.table.value
        panel.apply()
        assert not panel.plan.has_changes
        if elb:
            assert "No changes" in panel.table.value
        else:  # the one row left says what is simulated only, and why
            assert list(plan_table(panel.plan).address) == ["aws_elb.blue"]
            assert html.escape(stack.capabilities.why_not("elb")) in panel.table.value
        panel.checkboxes["enable_new_ami"].value = True  # observed: re-plans
        table = plan_table(panel.plan)
        assert dict(zip(table.address, table.action, strict=True)) == {
            "aws_instance.example": "replace", "aws_instance.example_bionic[0]": "create",
            **({} if elb else {"aws_elb.blue": "skip"})}
        red = [t for t in panel.figure.data if t.name == "changed directly"][0]
        assert sorted(t.replace("<br>", ".") for t in red.text) == [
            "instance.example", "instance.example_bionic[0]"]  # type over name
        # an emulator error shows as one line in the panel, not a traceback
        stack.ctx.client("ec2").meta.events.register(
            "before-call.ec2.RunInstances",
            lambda **kw: (_ for _ in ()).throw(RuntimeError("injected")))
        assert panel.apply() is None
        assert "tipsim-error" in panel.message.value and "injected" in panel.message.value
        assert "Traceback" not in panel.message.value
    finally:
        stack.ctx._clients.clear()
        panel.destroy()
    assert stack.owned() == {}
