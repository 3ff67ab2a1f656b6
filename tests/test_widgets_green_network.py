"""The green-network panel: weights set in the emulator are read back, the smoke test is shown,
and the DNS timeline follows the TTL."""

from __future__ import annotations

import pytest

from tipsim.scenarios.canary import CANARY_TOGGLES, open_stack
from tipsim.widgets.green_network import GreenNetworkPanel


@pytest.mark.infra
def test_panel_sets_weights_in_the_emulator_and_refuses_both_zero(emulator) -> None:
    stack = open_stack("talk", emulator.session)
    try:
        stack.apply(CANARY_TOGGLES)
        panel = GreenNetworkPanel(stack, ttl_s=60.0)
        report = panel.run_smoke()
        if emulator.kind == "embedded":
            assert report.passed, report.failed()
        assert "Smoke test" in panel.smoke_out.value
        panel.blue.value, panel.green.value = 3, 7
        assert panel.apply_weights() == {"blue": 3, "green": 7}
        assert "green <b>7</b>" in panel.weights_line.value
        assert panel.figure.data[1].y[-1] > 0.5  # most clients on green once caches expired
        panel.blue.value, panel.green.value = 0, 0
        assert panel.apply_weights() is None  # refused, shown as one line
        assert "cannot both be 0" in panel.message.value
        assert "Traceback" not in panel.message.value
    finally:
        stack.destroy()


def test_green_side_is_told_apart_by_address() -> None:
    from tipsim.viz.infra_graph import is_green

    assert is_green("aws_vpc.app_vpc[1]") and is_green("aws_instance.canary[0]")
    assert is_green("aws_elb.green[0]") and is_green("aws_route53_record.green[0]")
    assert not is_green("aws_vpc.app_vpc[0]") and not is_green("aws_instance.blue")


@pytest.mark.infra
def test_network_graph_highlights_every_green_resource(emulator) -> None:
    stack = open_stack("talk", emulator.session)
    try:
        stack.apply(CANARY_TOGGLES)
        panel = GreenNetworkPanel(stack)
        blue_nodes = {t.replace("<br>", ".") for t in panel.network_fig.data[1].text}
        green_nodes = {t.replace("<br>", ".") for t in panel.network_fig.data[2].text}
        assert {"vpc.app_vpc[1]", "subnet.public[1]", "instance.canary[0]"} <= green_nodes
        assert {"vpc.app_vpc[0]", "instance.blue"} <= blue_nodes
        assert not blue_nodes & green_nodes
    finally:
        stack.destroy()


def test_weight_and_ttl_controls_come_from_the_fields() -> None:
    """The weight sliders span Route 53's 0-255 and the TTL slider the DNS field's shown
    range: no range is written in the panel."""
    from tipsim.params import field_meta
    from tipsim.scenarios.canary import Params, Weights
    from tipsim.widgets.controls import control

    blue = control(Weights, "blue")
    assert (blue.min, blue.max) == (0, 255)
    ttl = control(Params, "dns_ttl_s")
    assert (ttl.min, ttl.max) == field_meta(Params, "dns_ttl_s").slider
