"""Each scenario notebook in a real browser (Voila): its panel renders, and moving a control
changes a chart through the kernel."""

from __future__ import annotations

import re

import pytest
from browser_support import (
    click_toggle,
    nudge_slider,
    open_and_change,
    wait_notebook_done,
    wait_plot_change,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_feature_toggle_strategy_buttons_change_the_success_rate_chart(voila, page) -> None:
    before, after = open_and_change(  # the notebook starts on "toggle"
        page, voila("01_feature_toggles.ipynb"),
        lambda: click_toggle(page, "tipsim-ft-strategy", "in-place"),
        index=0, scope=".tipsim-feature-toggle-panel")  # success rate per image over time
    assert after != before


def test_canary_panel_reruns_live_when_the_step_moves_and_a_button_switches_strategy(
        voila, page) -> None:
    scope = ".tipsim-canary-panel"
    before, after = open_and_change(  # no Run button: moving the step slider reruns
        page, voila("02_canary_blue_green.ipynb"),
        lambda: nudge_slider(page, "tipsim-canary-step", presses=1),
        index=1, scope=scope)  # the rollout timeline, on "canary"
    assert after != before
    click_toggle(page, "tipsim-canary-show", "big-bang")
    assert wait_plot_change(page, after, index=1, scope=scope) != after


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


def test_data_lake_sweep_loads_runs_on_a_dask_cluster_started_by_the_voila_kernel(
        voila, page) -> None:
    """"Sweep loads" starts the panel's local Dask cluster inside the Voila kernel (worker
    processes spawn from it; the sweep cache is a fresh folder, so every run is computed)
    and the message says how many runs were computed."""
    scope = ".tipsim-data-lake"
    page.goto(voila("04_ab_data_lake.ipynb"), wait_until="commit")
    wait_notebook_done(page)
    page.locator(scope).first.scroll_into_view_if_needed()
    page.locator(".tipsim-sweep").first.click()
    note = page.locator(f"{scope} .tipsim-note", has_text="computed").first
    note.wait_for(timeout=240_000)
    assert re.search(r"(\d+) runs, \1 computed, 0 from the cache", note.inner_text())


def test_staging_defect_rate_slider_redraws_the_cost_against_budget_chart(voila, page) -> None:
    """Notebook 05: a month-level control (the defect rate) reuses the cached simulations and
    moves every approach's point on the cost / error-budget chart."""
    before, after = open_and_change(
        page, voila("05_staging_vs_production.ipynb"),
        lambda: nudge_slider(page, "tipsim-svp-defect-rate", presses=10),
        index=0, scope=".tipsim-staging-panel")  # cost per month against error budget
    assert after != before


def test_canary_size_window_buttons_redraw_the_power_curves(voila, page) -> None:
    before, after = open_and_change(  # the sweep runs in the kernel on a local Dask cluster
        page, voila("06_canary_size.ipynb"),
        lambda: click_toggle(page, "tipsim-power-window", "120 s"),
        index=1, scope=".tipsim-canary-power")  # detection probability against step weight
    assert after != before
