"""Each scenario notebook in a real browser (Voila): its panel renders, and moving a control
changes a chart through the kernel."""

from __future__ import annotations

import pytest
from browser_support import click_toggle, nudge_slider, open_and_change

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_feature_toggle_strategy_buttons_change_the_success_rate_chart(voila, page) -> None:
    before, after = open_and_change(  # the notebook starts on "toggle"
        page, voila("01_feature_toggles.ipynb"),
        lambda: click_toggle(page, "tipsim-ft-strategy", "in-place"),
        index=0, scope=".tipsim-feature-toggle-panel")  # success rate per image over time
    assert after != before


def test_canary_timeline_switches_strategy_when_a_button_is_clicked(voila, page) -> None:
    before, after = open_and_change(  # the panel starts on "canary"
        page, voila("02_canary_blue_green.ipynb"),
        lambda: click_toggle(page, "tipsim-canary-show", "big-bang"),
        index=1, scope=".tipsim-canary-panel")  # the rollout timeline
    assert after != before


def test_node_groups_strategy_button_changes_the_placement_chart(voila, page) -> None:
    before, after = open_and_change(  # the panel starts on "all-at-once"
        page, voila("03_node_group_taints.ipynb"),
        lambda: click_toggle(page, "tipsim-strategy", "node-by-node"),
        index=0, scope=".tipsim-node-groups")  # pod placement per node over time
    assert after != before


def test_data_lake_run_button_reruns_the_ab_test_at_a_new_load(voila, page) -> None:
    def new_load_and_run() -> None:
        nudge_slider(page, "tipsim-rate", presses=6)
        page.locator(".tipsim-run").first.click()

    before, after = open_and_change(
        page, voila("04_ab_data_lake.ipynb"), new_load_and_run,
        index=2, scope=".tipsim-data-lake")  # cost per hour and per million
    assert after != before
