"""The canary panel: the strategy buttons redraw that strategy's charts; bad input is one line."""

from __future__ import annotations

import html

import pytest

from tipsim.scenarios.canary import Params
from tipsim.widgets.canary import CanaryPanel


@pytest.fixture(scope="module")
def panel() -> CanaryPanel:
    return CanaryPanel(Params(defect="blocked-port"), seed=1)


def test_a_strategy_button_redraws_that_strategys_timeline_and_dns_charts(panel) -> None:
    judge_before, blast_before = panel.judge_fig.outputs, panel.blast_fig.outputs
    dns_before = panel.dns_fig.outputs
    panel.show.value = "big-bang"
    assert panel.rollout_fig.figure.layout.title.text.startswith("big-bang: ")
    assert panel.dns_fig.outputs != dns_before  # big-bang moves all clients at once
    # The judge and blast-radius charts compare all strategies; a button changes neither.
    assert (panel.judge_fig.outputs, panel.blast_fig.outputs) == (judge_before, blast_before)
    panel.show.value = "canary"
    assert panel.rollout_fig.figure.layout.title.text == "canary: rollback"
    assert panel.dns_fig.outputs == dns_before


def test_an_inconsistent_step_plan_shows_one_line_naming_the_field_and_changes_nothing(
        panel) -> None:
    runs_before = panel.runs
    title_before = panel.rollout_fig.figure.layout.title.text
    controls_before = panel.step.value, panel.max_weight.value
    panel.step.value, panel.max_weight.value = 50.0, 20.0
    try:
        panel.run_button.click()
        line = html.unescape(panel.message.value)
        assert "max_weight_pct=20.0 is not allowed: a number >= step_weight_pct" in line
        assert "Traceback" not in line
        assert panel.runs is runs_before
        assert panel.rollout_fig.figure.layout.title.text == title_before
    finally:
        panel.step.value, panel.max_weight.value = controls_before
