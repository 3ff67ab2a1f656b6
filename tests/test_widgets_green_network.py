"""The green-network panel: weights set in the emulator are read back, the smoke test is shown,
and the DNS timeline follows the TTL."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.infra.engine import Stack
from tipsim.sim.web.dns import weight_change_timeline
from tipsim.widgets.green_network import CANARY_TOGGLES, GreenNetworkPanel


def test_full_switch_reaches_every_client_exactly_one_ttl_after_the_change() -> None:
    """10/0 -> 0/10 at 300 s, TTL 300 s: nobody on green before, everybody from 600 s on."""
    grid, share = weight_change_timeline([10, 0], [0, 10], n_clients=400, ttl_s=300.0,
                                         rate_per_client_per_s=0.05, change_at_s=300.0,
                                         duration_s=900.0, seed=3)
    assert np.all(share[grid < 300.0] == 0.0)
    assert 0.0 < share[grid == 450.0][0] < 1.0
    assert np.all(share[grid >= 600.0] == 1.0)


def test_half_split_settles_near_one_half_within_binomial_noise() -> None:
    """5/5: each client's cached answer is green with probability 1/2 (sd 0.5/sqrt(n))."""
    n = 1000
    grid, share = weight_change_timeline([10, 0], [5, 5], n_clients=n, ttl_s=60.0,
                                         rate_per_client_per_s=0.05, change_at_s=100.0,
                                         duration_s=600.0, seed=5)
    settled = share[grid >= 300.0]
    assert np.all(np.abs(settled - 0.5) < 4 * 0.5 / np.sqrt(n))


@pytest.mark.infra
def test_panel_sets_weights_in_the_emulator_and_refuses_both_zero(emulator) -> None:
    stack = Stack("talk", emulator.session)
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
    assert not is_green("aws_vpc.app_vpc[0]") and not is_green("aws_instance.blue[0]")


@pytest.mark.infra
def test_network_graph_highlights_every_green_resource(emulator) -> None:
    stack = Stack("talk", emulator.session)
    try:
        stack.apply(CANARY_TOGGLES)
        panel = GreenNetworkPanel(stack)
        blue_nodes = set(panel.network_fig.data[1].text)
        green_nodes = set(panel.network_fig.data[2].text)
        assert {"vpc.app_vpc[1]", "subnet.public[1]", "instance.canary[0]"} <= green_nodes
        assert {"vpc.app_vpc[0]", "instance.blue[0]"} <= blue_nodes
        assert not blue_nodes & green_nodes
    finally:
        stack.destroy()
