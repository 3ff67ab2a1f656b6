"""What a defect still serving everyone at the end of its simulated run costs: it lasts until
the SRE workbook's first alert (closed form past the run) plus a person's reaction, and fails
requests at its last error ratio meanwhile."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.analysis.burn_rate import SLO_PERIOD_S
from tipsim.scenarios.staging_vs_production.outcome import measure
from tipsim.scenarios.staging_vs_production.runs import SimRun

RATE, ONSET, END, USERS = 10.0, 120.0, 840.0, 500


def _run(every: int, *, healthy: bool = False, failing_users: float = 0.0) -> SimRun:
    """10 req/s; after ONSET every ``every``-th request fails (or the users in a share)."""
    t = np.arange(0.0, END, 1.0 / RATE)
    user = np.arange(t.size) % USERS
    bad = np.zeros(t.size, dtype=bool)
    if not healthy:
        after = t >= ONSET
        if failing_users:
            # every k-th user: any stretch of the run has the same share of them
            bad = after & (user % round(1 / failing_users) == 0)
        else:
            bad = after & (np.arange(t.size) % every == 0)
    return SimRun(time_s=t, ok=~bad, latency_s=np.full(t.size, 0.1), user=user,
                  onset_s=ONSET, end_s=END, live_at_end=not healthy, full_live_s=ONSET,
                  escaped=not healthy, caught=False, extra_instance_s=0.0, extra_elb_s=0.0,
                  done_s=ONSET)


def _measure(run: SimRun, **kw: float):
    return measure(run, _run(1, healthy=True), slo=0.99, latency_threshold_s=1.0,
                   reaction_s=300.0, ticket_reaction_s=172_800.0, users=USERS, **kw)


def test_a_5_percent_error_ratio_is_found_by_the_ticket_and_fixed_days_later() -> None:
    """5 % errors at SLO 99 % is burn rate 5: below both pages (14.4 and 6); the ticket's
    3-day window crosses burn rate 1 after 3 d x 0.01 / 0.05 = 14.4 h, then 2 days pass."""
    o = _measure(_run(20))
    ticket = 3 * 86_400.0 * 0.01 / 0.05
    assert not o.paged
    assert o.lasted_s == pytest.approx(ticket + 172_800.0, abs=60.0)
    assert o.failed == pytest.approx(0.05 * RATE * o.lasted_s, rel=0.01)
    assert o.affected_users == pytest.approx(USERS, abs=1)


def test_half_the_requests_failing_pages_after_the_closed_form_and_is_fixed_5_minutes_later(
        ) -> None:
    """50 % errors at SLO 99 %: the 1 h window crosses 14.4x after 3600 x 0.144 / 0.5 =
    1037 s, past the 12-minute run, so the closed form says when; the rollback comes 300 s
    later, and requests fail at half the rate until then."""
    o = _measure(_run(2))
    assert o.paged and o.past_run_s > 0
    assert o.lasted_s == pytest.approx(3600 * 0.144 / 0.5 + 300.0, abs=1.0)
    assert o.failed == pytest.approx(0.5 * RATE * o.lasted_s, rel=0.01)


def test_an_error_ratio_within_the_slo_is_never_noticed_and_lasts_half_the_period() -> None:
    o = _measure(_run(200))  # 0.5 % < 1 % allowed
    assert not o.paged and o.lasted_s == pytest.approx(SLO_PERIOD_S / 2)


def test_a_client_specific_defect_never_reaches_more_than_its_share_of_users() -> None:
    """10 % of the users fail every request (10 % errors, burn rate 10: the 6x page after
    6 h x 0.06 / 0.1 = 3.6 h): past the run only that share of users can be hit."""
    o = _measure(_run(1, failing_users=0.1), user_share=0.1)
    assert o.paged
    assert o.lasted_s == pytest.approx(6 * 3600.0 * 0.06 / 0.1 + 300.0, abs=60.0)
    assert o.affected_users == pytest.approx(0.1 * USERS, abs=1)


def test_a_defect_that_stops_showing_before_the_run_ends_is_not_carried_past_it() -> None:
    """A crashed side that DNS has failed away from leaves no errors in the run's last
    minutes: nothing is extrapolated (the tail is no worse than the healthy twin), so the
    defect's cost is what the run saw."""
    run = _run(2)
    stopped = run.time_s >= END - 200.0
    run = SimRun(**{**run.__dict__, "ok": run.ok | stopped})
    o = _measure(run)
    assert o.past_run_s == 0.0 and o.lasted_s == pytest.approx(END - ONSET)
    assert o.failed == pytest.approx(0.5 * RATE * (END - 200.0 - ONSET), rel=0.01)
