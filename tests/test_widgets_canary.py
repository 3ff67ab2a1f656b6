"""The canary panel: a control runs the three strategies again at once (no Run button); the
strategy buttons redraw that strategy's charts; bad input is one line."""

from __future__ import annotations

import html

import pytest

from tipsim.scenarios.canary import Params
from tipsim.widgets.canary import CanaryPanel


@pytest.fixture(scope="module")
def panel() -> CanaryPanel:
    return CanaryPanel(Params(defect="blocked-port"), seed=1)


def test_a_strategy_button_redraws_that_strategys_timeline_and_dns_charts(panel) -> None:
    judge_before, blast_before = panel.figures["judge"].outputs, panel.figures["blast"].outputs
    dns_before = panel.figures["dns"].outputs
    panel.show.value = "big-bang"
    assert panel.figures["rollout"].figure.layout.title.text.startswith("big-bang: ")
    assert panel.figures["dns"].outputs != dns_before  # big-bang moves all clients at once
    # The judge and blast-radius charts compare all strategies; a button changes neither.
    assert (panel.figures["judge"].outputs, panel.figures["blast"].outputs) == (judge_before, blast_before)
    panel.show.value = "canary"
    assert panel.figures["rollout"].figure.layout.title.text == "canary: rollback"
    assert panel.figures["dns"].outputs == dns_before


def test_moving_a_control_runs_the_three_strategies_again_and_redraws(panel) -> None:
    """A bigger step (10 % -> 20 %) is live: the blocked-port canary now rolls back from
    the 20 % step, with more failed requests, without pressing anything."""
    before = panel.runs["canary"].summary()
    blast_before = panel.figures["blast"].outputs
    try:
        panel.step.value = 20.0
        after = panel.runs["canary"].summary()
        assert {s["weight"] for s in after["steps"]} == {20.0}
        assert after["failed_requests"] > before["failed_requests"]
        assert panel.figures["blast"].outputs != blast_before
        assert panel.message.value == ""
    finally:
        panel.step.value = 10.0
    assert panel.runs["canary"].summary() == before


def test_an_inconsistent_step_plan_shows_one_line_naming_the_field_and_changes_nothing(
        panel) -> None:
    title_before = panel.figures["rollout"].figure.layout.title.text
    controls_before = panel.step.value, panel.max_weight.value
    panel.step.value = 50.0  # valid with max 50: runs
    runs_before = panel.runs
    try:
        panel.max_weight.value = 20.0  # max below the step: refused
        line = html.unescape(panel.message.value)
        assert "max_weight_pct=20.0 is not allowed: a number >= step_weight_pct" in line
        assert "Traceback" not in line
        assert panel.runs is runs_before
    finally:
        panel.step.value, panel.max_weight.value = controls_before
    assert panel.message.value == ""
    assert panel.figures["rollout"].figure.layout.title.text == title_before


def test_the_summary_says_how_long_and_on_which_seed_its_runs_were(panel) -> None:
    """The notebook's replications run 900 s and the panel 1,800 s: the panel's numbers say
    their own setup next to them, so the two tables are not compared as if alike."""
    assert "one run per strategy: 1,800 s of traffic, seed 1" in panel.summary.value


def test_the_timeline_marks_the_first_page_of_a_big_bang_onto_a_blocked_port(panel) -> None:
    """Big-bang onto a blocked port pages the on-call engineer (burn-rate alert); the
    timeline shows when, as a labelled line through its rows. The canary rolls back
    within minutes and pages nobody: no marker."""
    try:
        panel.show.value = "big-bang"
        page = panel.runs["big-bang"].summary()["first_page_s"]
        marks = [a.x for a in panel.figures["rollout"].figure.layout.annotations
                 if a.text == "first page"]
        assert page is not None and marks == [page]
        panel.show.value = "canary"
        assert panel.runs["canary"].summary()["first_page_s"] is None
        assert not [a for a in panel.figures["rollout"].figure.layout.annotations
                    if a.text == "first page"]
    finally:
        panel.show.value = "canary"
