"""The staging comparison's charts: one point per approach with its interval as whiskers, and
a table people read (units in the headers, thousands separators, percentages, intervals)."""

from __future__ import annotations

import pytest

from tipsim.viz.staging import cost_vs_budget_figure, month_table, pages_and_lead_time_figure
from tipsim.viz.tables import headers_ok

ROWS = [
    {"approach": "staging", "infra_cost_usd_per_month": 26.72,
     "infra_cost_usd_per_month_ci": [26.72, 26.72], "error_budget_used_per_month": 0.5,
     "error_budget_used_per_month_ci": [0.4, 0.6], "failed_requests_per_month": 39309.8,
     "affected_users_per_month": 294.1, "pages_per_month": 1.16,
     "pages_per_month_ci": [1.0, 1.3], "defects_caught_before_users": 0.98,
     "defects_escaped": 1.665, "defects_caught_in_rollout": 0.0,
     "lead_time_s_per_change": 3600.0, "lead_time_s_per_change_ci": None},
    {"approach": "canary", "infra_cost_usd_per_month": 0.61,
     "infra_cost_usd_per_month_ci": [0.6, 0.62], "error_budget_used_per_month": 0.268,
     "error_budget_used_per_month_ci": [0.26, 0.276], "failed_requests_per_month": 36588.3,
     "affected_users_per_month": 120.0, "pages_per_month": 0.955,
     "pages_per_month_ci": [0.85, 1.05], "defects_caught_before_users": 0.0,
     "defects_escaped": 0.955, "defects_caught_in_rollout": 1.69,
     "lead_time_s_per_change": 300.0, "lead_time_s_per_change_ci": [300.0, 300.0]},
]


def test_each_approach_is_a_point_with_its_interval_in_percent_of_the_budget() -> None:
    fig = cost_vs_budget_figure(ROWS)
    staging = fig.data[0]
    assert staging.name == "staging" and staging.x == (26.72,) and staging.y == (50.0,)
    assert staging.error_y.array[0] == 10.0 and staging.error_y.arrayminus[0] == 10.0
    assert [t.name for t in fig.data] == ["staging", "canary"]


def test_lead_time_is_shown_in_minutes_and_a_missing_interval_has_no_whisker() -> None:
    fig = pages_and_lead_time_figure(ROWS)
    lead = fig.data[1]
    assert list(lead.y) == [60.0, 5.0]
    assert list(lead.error_y.array) == [0.0, 0.0]


def test_the_table_reads_as_money_counts_percent_and_intervals() -> None:
    """Each mean with its 95 % interval in brackets; no interval (or a single value) shows
    the mean alone; headers carry units, never internal names."""
    table = month_table(ROWS)
    assert headers_ok(table)
    assert table.headers[1] == "infrastructure (USD per month)"
    staging, canary = table.rows
    assert staging[0] == "staging" and staging[1] == "26.7"
    assert canary[1] == "0.61 (0.6 to 0.62)"
    assert staging[2] == "39,309.8" and staging[4] == "50% (40% to 60%)"
    assert staging[9] == "3,600" and canary[9] == "300"


def test_a_baseline_line_marks_what_a_month_without_defects_burns() -> None:
    fig = cost_vs_budget_figure(ROWS, baseline_budget=0.145)
    assert [s.y0 for s in fig.layout.shapes] == [pytest.approx(14.5)]
    assert len(fig.data) == 2
