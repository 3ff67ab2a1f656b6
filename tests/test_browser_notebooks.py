"""Each scenario notebook in a real browser (Voilà): its panel renders, and moving a control
changes a chart through the kernel."""

from __future__ import annotations

import pytest
from browser_support import click_toggle, nudge_slider, wait_plot_change, wait_plot_data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_feature_toggle_error_rate_slider_changes_the_blast_radius_chart(voila, page) -> None:
    scope = ".tipsim-feature-toggle-panel"
    page.goto(voila("01_feature_toggles.ipynb"))
    before = wait_plot_data(page, index=2, scope=scope)  # blast radius, strategies side by side
    nudge_slider(page, "tipsim-ft-defect-error-rate", presses=10)
    assert wait_plot_change(page, before, index=2, scope=scope) != before


def test_canary_timeline_switches_strategy_when_a_button_is_clicked(voila, page) -> None:
    scope = ".tipsim-canary-panel"
    page.goto(voila("02_canary_blue_green.ipynb"))
    before = wait_plot_data(page, index=1, scope=scope)  # the rollout timeline
    click_toggle(page, "tipsim-canary-show", "big-bang")
    assert wait_plot_change(page, before, index=1, scope=scope) != before


def test_node_groups_strategy_button_changes_the_placement_chart(voila, page) -> None:
    scope = ".tipsim-node-groups"
    page.goto(voila("03_node_group_taints.ipynb"))
    before = wait_plot_data(page, index=0, scope=scope)  # pod placement per node over time
    current = page.locator(".tipsim-strategy button.mod-active").first.inner_text()
    click_toggle(page, "tipsim-strategy",
                 "node-by-node" if current.strip() == "all-at-once" else "all-at-once")
    assert wait_plot_change(page, before, index=0, scope=scope) != before


def test_data_lake_run_button_reruns_the_ab_test_at_a_new_load(voila, page) -> None:
    scope = ".tipsim-data-lake"
    page.goto(voila("04_ab_data_lake.ipynb"))
    before = wait_plot_data(page, index=2, scope=scope)  # cost per hour and per million
    nudge_slider(page, "tipsim-rate", presses=6)
    page.locator(".tipsim-run").first.click()
    assert wait_plot_change(page, before, index=2, scope=scope, timeout_ms=120_000) != before
