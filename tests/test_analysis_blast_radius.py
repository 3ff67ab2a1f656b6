"""Blast radius over request arrays: each figure checked on a hand-built incident."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.analysis.blast_radius import blast_radius
from tipsim.analysis.slo import SLO


def _incident(fail_from: float, fail_to: float, duration: float = 600.0):
    t = np.arange(0.0, duration, 0.25)  # 4 req/s
    user = (np.arange(t.size) % 40).astype(np.int32)
    ok = ~((t >= fail_from) & (t < fail_to))
    return t, user, ok, np.full(t.size, 0.1)


def test_outage_of_ninety_seconds() -> None:
    """Failures from 130 s to 220 s after an onset at 100 s: 360 requests fail, all 40
    users are hit, windows [120,180) and [180,240) breach (2 minutes), the SLO alert fires
    at the end of the first breached window (80 s after onset) and recovery is at 240 s."""
    t, user, ok, lat = _incident(130.0, 220.0)
    br = blast_radius(t, user, ok, lat, SLO(), onset_s=120.0, end_s=600.0)
    assert br.failed_requests == 360
    assert br.requests == (600 - 120) * 4
    assert br.affected_users == 40
    assert br.slo_breach_minutes == pytest.approx(2.0)
    assert br.time_to_detect_s == pytest.approx(60.0)
    assert br.time_to_recover_s == pytest.approx(120.0)
    assert br.error_budget_used == pytest.approx(
        360 / (0.01 * (1920 / 480.0) * 30 * 86_400))


def test_monitor_detection_time_wins_over_the_slo_alert() -> None:
    t, user, ok, lat = _incident(130.0, 220.0)
    br = blast_radius(t, user, ok, lat, SLO(), onset_s=120.0, end_s=600.0, detected_s=150.0)
    assert br.time_to_detect_s == pytest.approx(30.0)


def test_still_in_breach_at_the_end_means_not_recovered() -> None:
    t, user, ok, lat = _incident(500.0, 600.0)
    br = blast_radius(t, user, ok, lat, SLO(), onset_s=0.0, end_s=600.0)
    assert br.time_to_recover_s is None


def test_a_clean_change_has_no_blast_radius() -> None:
    t, user, ok, lat = _incident(0.0, 0.0)
    br = blast_radius(t, user, ok, lat, SLO(), onset_s=0.0, end_s=600.0)
    assert (br.failed_requests, br.affected_users, br.slo_breach_minutes) == (0, 0, 0.0)
    assert br.time_to_detect_s is None and br.time_to_recover_s == 0.0


def test_slow_requests_count_as_bad_users() -> None:
    """Only users who got a slow (over threshold) or failed request are affected."""
    t, user, ok, lat = _incident(0.0, 0.0)
    lat[user == 3] = 2.0
    br = blast_radius(t, user, ok, lat, SLO(), onset_s=0.0, end_s=600.0)
    assert br.affected_users == 1 and br.failed_requests == 0 and br.slow_requests == 60
