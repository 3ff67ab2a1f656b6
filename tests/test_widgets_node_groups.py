"""The node-groups panel: controls made from the scenario's fields, charts redrawn in place."""

from __future__ import annotations

import html

import ipywidgets as w

from tipsim.params import field_meta
from tipsim.scenarios.node_groups import Params
from tipsim.widgets.node_groups import NodeGroupsPanel


def test_node_groups_panel_updates_its_figures_in_place() -> None:
    """Changing a control re-runs the scenario and redraws the same charts."""
    panel = NodeGroupsPanel(Params(), replications=2)
    figs = (panel.placement_fig, panel.ready_fig, panel.tradeoff_fig)
    before = list(panel.ready_fig.data[0].y)
    panel.strategy.value = "node-by-node"
    assert (panel.placement_fig, panel.ready_fig, panel.tradeoff_fig) == figs
    assert panel.result.metrics["strategy"] == "node-by-node"
    assert list(panel.ready_fig.data[0].y) != before
    assert min(panel.ready_fig.data[0].y) == panel.result.metrics["min_ready_external"]
    assert "tipsim-strategy" in panel.strategy._dom_classes
    panel.tolerate.value = True
    assert panel.params().toleration_seconds == panel.toleration_seconds.value
    assert panel.message.value == ""


def test_every_slider_shows_the_range_its_field_declares() -> None:
    """No range is written in the panel: each slider's bounds are its field's slider range."""
    panel = NodeGroupsPanel(Params(), replications=1)
    sliders = {"insecure_nodes": panel.insecure_nodes, "spare_nodes": panel.spare_nodes,
               "external_replicas": panel.external_replicas, "startup_s": panel.startup_s,
               "node_pause_s": panel.node_pause_s, "toleration_seconds": panel.toleration_seconds}
    for name, slider in sliders.items():
        meta = field_meta(Params, name)
        assert meta.slider is not None
        assert (slider.min, slider.max) == meta.slider, name
    assert isinstance(panel.strategy, w.ToggleButtons)
    assert all("tipsim-control" in c._dom_classes for c in panel.controls)


def test_the_pause_slider_is_off_unless_the_strategy_goes_node_by_node() -> None:
    panel = NodeGroupsPanel(Params(), replications=1)
    assert panel.node_pause_s.disabled and panel.toleration_seconds.disabled
    panel.strategy.value = "node-by-node"
    assert not panel.node_pause_s.disabled


def test_a_bad_seed_greys_the_charts_until_a_good_value_reruns() -> None:
    """The seed box takes text: letters say why in the message line, the charts from the
    last good run are marked stale, and a good value reruns and makes them current."""
    from tipsim.widgets.common import STALE

    panel = NodeGroupsPanel(Params(), replications=2)
    panel.seed.value = "seven"
    assert "seed='seven' is not allowed: a whole number >= 0 and <= 1,000,000" in \
        html.unescape(panel.message.value)
    assert STALE in panel.placement_fig._dom_classes and STALE in panel.summary._dom_classes
    panel.seed.value = "7"
    assert panel.message.value == "" and not panel.message.stale
