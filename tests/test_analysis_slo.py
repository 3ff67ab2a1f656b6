"""SLO windows, burn rate and error budget, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.analysis.slo import SLO, error_budget_used, good_mask, window_compliance
from tipsim.errors import ParameterError


def test_window_breaches_on_availability_and_on_latency() -> None:
    """Window 0 is clean, window 1 fails 1 of 50 (98 % < 99 %), window 2 has 2 of 50
    successes slower than 0.5 s (96 % fast < 99 %), window 3 is empty."""
    t = np.concatenate([np.linspace(0, 59, 50), np.linspace(60, 119, 50),
                        np.linspace(120, 179, 50)])
    ok = np.ones(150, bool)
    ok[60] = False
    lat = np.full(150, 0.1)
    lat[[110, 111]] = 0.9
    w = window_compliance(t, ok, lat, SLO(), start_s=0.0, end_s=240.0)
    assert w["requests"].tolist() == [50, 50, 50, 0]
    assert w["breached"].tolist() == [False, True, True, False]
    assert w["success_rate"][1] == pytest.approx(0.98)
    assert w["fast_share"][2] == pytest.approx(0.96)
    # burn rate: bad share / allowed share = (1/50) / 0.01
    assert w["burn_rate"][1] == pytest.approx(2.0)


def test_error_budget_of_a_full_outage_minute() -> None:
    """All 600 requests of a minute at 10 req/s fail; the 99 % budget over 30 days at
    10 req/s is 0.01 * 10 * 2,592,000 = 259,200 requests: 600 of them is 0.23 %."""
    assert error_budget_used(600, 600, 60.0, SLO()) == pytest.approx(600 / 259_200)
    assert error_budget_used(0, 0, 60.0, SLO()) == 0.0


def test_good_requests_succeed_within_the_threshold() -> None:
    ok = np.array([True, True, False])
    lat = np.array([0.1, 0.6, 0.1])
    assert good_mask(ok, lat, SLO(latency_threshold_s=0.5)).tolist() == [True, False, False]


def test_bad_objective_names_the_field() -> None:
    with pytest.raises(ParameterError, match="availability_target"):
        SLO.create(availability_target=1.0)
