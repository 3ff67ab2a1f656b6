"""Burn-rate alerts follow the SRE workbook ("Alerting on SLOs", multiwindow, multi-burn-rate)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tipsim.analysis.burn_rate import (
    SLO_PERIOD_S,
    WORKBOOK_ALERTS,
    budget_exhausted_s,
    closed_form_fire_s,
    evaluate,
    first_page_s,
    per_minute,
)
from tipsim.cli import main
from tipsim.errors import ParameterError


def test_workbook_table_spends_2_5_and_10_percent_of_a_30_day_budget() -> None:
    """The workbook derives 14.4 / 6 / 1 from 2 % in 1 h, 5 % in 6 h and 10 % in 3 days."""
    shares = [a.budget_share(SLO_PERIOD_S) for a in WORKBOOK_ALERTS]
    assert shares == pytest.approx([0.02, 0.05, 0.10])
    assert [a.severity for a in WORKBOOK_ALERTS] == ["page", "page", "ticket"]
    assert [(a.long_window_s, a.short_window_s) for a in WORKBOOK_ALERTS] == [
        (3600, 300), (21600, 1800), (259200, 21600)]


def test_workbook_example_burn_14_4_spends_the_budget_in_about_2_days() -> None:
    """Workbook: at SLO 99.9 %, a 1.44 % error ratio is burn 14.4 and takes ~2.08 days."""
    assert budget_exhausted_s(0.0144, 0.999) / 86_400 == pytest.approx(2.0833, abs=1e-3)


@pytest.mark.parametrize("error_ratio", [0.02, 0.05, 0.2, 0.5, 1.0])
@pytest.mark.parametrize("baseline", [0.0, 0.0005])
def test_step_change_fires_within_one_evaluation_of_the_closed_form(error_ratio, baseline) -> None:
    """A step from the baseline to ``error_ratio`` fires each alert at the first
    one-minute evaluation after both windows cross: t = W (T - b) / (e - b)."""
    minutes = 5 * 24 * 60
    good = np.full(minutes, 600.0 * (1 - error_ratio))
    bad = np.full(minutes, 600.0 * error_ratio)
    for outcome in evaluate(good, bad, 0.999, baseline_error_ratio=baseline):
        expected = closed_form_fire_s(error_ratio, 0.999, outcome.alert,
                                      baseline_error_ratio=baseline)
        if expected is None:
            assert outcome.fired_at_s is None
        else:
            assert expected <= outcome.fired_at_s <= expected + 60.0


def test_half_the_requests_failing_pages_in_about_104_s() -> None:
    out = json.loads(_run_json(["--set", "error_ratio=0.5", "--set", "slo=0.999",
                                "--set", "duration_s=7200"]))
    fast = out["burn_rate_alerts"][0]
    assert fast["burn_rate"] == 14.4 and 60 <= fast["fired_at_s"] <= 180
    assert fast["closed_form_s"] == pytest.approx(3600 * 0.0144 / 0.5)


def test_an_error_ratio_inside_the_budget_pages_nobody() -> None:
    out = json.loads(_run_json(["--set", "error_ratio=0.0005"]))
    assert [a["fired_at_s"] for a in out["burn_rate_alerts"]] == [None, None, None]
    assert out["first_page_s"] is None


def test_a_short_incident_rolled_back_in_minutes_may_page_nobody() -> None:
    """Ten minutes at 10 % errors at SLO 99 %: burn 10 < 14.4, and too short for the
    6 h window to reach 6 (10 min x 10 / 360 min = 0.28)."""
    minutes = 180
    good, bad = np.full(minutes, 600.0), np.zeros(minutes)
    bad[30:40], good[30:40] = 60.0, 540.0
    assert first_page_s([o.as_dict() for o in evaluate(good, bad, 0.99)]) is None


def test_history_counts_as_healthy_at_the_baseline() -> None:
    """A baseline already above the threshold makes the long window fire at once."""
    good, bad = np.full(10, 90.0), np.full(10, 10.0)
    fast = evaluate(good, bad, 0.999, baseline_error_ratio=0.1)[0]
    assert fast.fired_at_s == 60.0


def test_per_minute_counts_good_and_bad_events() -> None:
    good, bad = per_minute(np.array([0.0, 59.9, 60.0, 179.0]),
                           np.array([True, False, False, True]), 180.0)
    assert good.tolist() == [1.0, 0.0, 1.0] and bad.tolist() == [1.0, 1.0, 0.0]


def test_bad_slo_is_refused_with_its_range() -> None:
    with pytest.raises(ParameterError, match="slo"):
        evaluate(np.ones(3), np.ones(3), 1.0)


def _run_json(sets: list[str]) -> str:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["run", "burn-rate", "--json", *sets]) == 0
    return buf.getvalue()
