"""What one change cost production: from a simulated run, and past its end by theory.

A run covers ``window_s`` after the change. A defect the rollout undid within it is
measured there. A defect still serving every user when the run ends (big-bang always;
blue-green, canary or toggle when they promoted it) goes on until a person rolls it back:

* its error ratio past the run is the one of the run's last ``TAIL_WINDOW_S``, counted
  only when it is above the healthy twin's ratio beyond chance (one-sided binomial test,
  ``p < TAIL_P``): a crashed green side that Route 53 has already failed away from
  (health-evaluated alias records) leaves only stale DNS clients behind, and that
  dwindling rest is not a defect that stays;
* someone is told by the first of the SRE workbook's burn-rate alerts to fire
  (:mod:`tipsim.analysis.burn_rate`): in the run, or, past its end, when the closed form
  says the alert's two windows cross their threshold at that error ratio;
* they roll back ``reaction_s`` after a page (the SRE book's 5-minute response for a
  user-facing service) or ``ticket_reaction_s`` after a ticket ("a few days");
* a defect no alert ever notices (its ratio is within the SLO) stays for the rest of the
  30-day SLO period: half of it on average, for changes spread over the month.

Past the run, the defect fails requests at that last ratio (minus the healthy baseline),
and each user not yet hit is hit with the chance that one of their requests in that time
is bad (a client-specific defect only within its share of users). The DNS tail of a
switch back and the time of a redeploy are left out (they would add to big-bang's and
blue-green's cost). All counts are *more than the same run without the defect* (same
requests: common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from tipsim.analysis.burn_rate import SLO_PERIOD_S, WORKBOOK_ALERTS, closed_form_fire_s, run_alerts
from tipsim.scenarios.staging_vs_production.runs import SimRun, rate_of

TAIL_WINDOW_S = 120.0
"""The stretch at the end of a run whose error ratio is carried past it."""
TAIL_P = 1e-3
"""Significance of the tail's excess over the healthy twin (one-sided binomial test)."""


@dataclass(frozen=True)
class Outcome:
    """What one change did beyond its healthy version (see module doc).

    ``failed`` and ``bad`` (failed or slower than the SLO's threshold) are requests;
    ``affected_users`` distinct users; ``lasted_s`` how long the defect was there from the
    change's start (run + past it); ``paged`` whether a page fired before the rollback.
    """

    failed: float
    bad: float
    affected_users: float
    paged: bool
    lasted_s: float
    past_run_s: float


def bad_mask(run: SimRun, latency_threshold_s: float) -> np.ndarray:
    """Requests the SLO counts as bad: failed, or slower than the threshold."""
    return ~run.ok | (run.latency_s > latency_threshold_s)


def paged_in(run: SimRun, slo: float, latency_threshold_s: float) -> bool:
    """Whether a burn-rate page fired during the run (on SLO-bad requests)."""
    alerts = run_alerts(run.time_s, ~bad_mask(run, latency_threshold_s), duration_s=run.end_s,
                        slo=slo, onset_s=run.onset_s)
    return alerts["first_page_s"] is not None


def _tail(run: SimRun) -> np.ndarray:
    """The run's last ``TAIL_WINDOW_S`` (from when the defect reached every user)."""
    start = run.full_live_s if run.full_live_s is not None else run.onset_s
    return run.time_s >= max(start, run.end_s - TAIL_WINDOW_S)


def excess_ratio(hits: np.ndarray, reference_ratio: float) -> float:
    """How far the share of ``hits`` lies above ``reference_ratio``; 0 unless the count is
    above it beyond chance (one-sided binomial test at ``TAIL_P``)."""
    n, k = int(hits.size), int(hits.sum())
    if n == 0 or k / n <= reference_ratio:
        return 0.0
    if reference_ratio > 0 and stats.binom.sf(k - 1, n, reference_ratio) >= TAIL_P:
        return 0.0
    return k / n - reference_ratio


def _noticed(run: SimRun, bad: np.ndarray, ratio: float, slo: float, reaction_s: float,
             ticket_reaction_s: float) -> tuple[float, bool]:
    """(rollback time, whether a page fired before it) for a defect live at the end whose
    SLO-bad ratio stays at ``ratio`` past the run."""
    alerts = run_alerts(run.time_s, ~bad, duration_s=run.end_s, slo=slo, onset_s=run.onset_s)
    baseline = float(alerts["burn_rate_baseline_error_ratio"])
    start = run.full_live_s if run.full_live_s is not None else run.onset_s
    fire: list[tuple[float, str]] = []
    for alert, entry in zip(WORKBOOK_ALERTS, alerts["burn_rate_alerts"], strict=True):
        if entry["fired_at_s"] is not None:
            fire.append((float(entry["fired_at_s"]), alert.severity))
            continue
        after = closed_form_fire_s(ratio, slo, alert, baseline_error_ratio=baseline)
        if after is not None:
            fire.append((max(start + after, run.end_s), alert.severity))
    if not fire:
        return run.onset_s + SLO_PERIOD_S / 2.0, False
    rollback = min(t + (reaction_s if sev == "page" else ticket_reaction_s) for t, sev in fire)
    return rollback, any(sev == "page" and t < rollback for t, sev in fire)


def measure(run: SimRun, healthy: SimRun, *, slo: float, latency_threshold_s: float,
            reaction_s: float, ticket_reaction_s: float, users: int,
            user_share: float = 1.0) -> Outcome:
    """What the defect in ``run`` did beyond ``healthy`` (the same change without it).

    ``user_share`` is the share of users the defect can reach at all (a client-specific
    defect), used only past the run's end.
    """
    bad = bad_mask(run, latency_threshold_s)
    ref_bad = bad_mask(healthy, latency_threshold_s)
    after = healthy.time_s >= healthy.onset_s
    tail = _tail(run)
    over_bad = excess_ratio(bad[tail], float(ref_bad[after].mean()) if after.any() else 0.0)
    over_failed = excess_ratio(~run.ok[tail],
                               float((~healthy.ok[after]).mean()) if after.any() else 0.0)
    if run.live_at_end and over_bad > 0:
        rollback_s, paged = _noticed(run, bad, float(bad[tail].mean()), slo, reaction_s,
                                     ticket_reaction_s)
    else:  # undone in the run, or no longer showing at its end
        rollback_s, paged = run.end_s, paged_in(run, slo, latency_threshold_s)
    until = min(rollback_s, run.end_s)

    def counted(r: SimRun, mask: np.ndarray) -> tuple[int, int, set[int]]:
        sel = (r.time_s >= r.onset_s) & (r.time_s < until)
        hit = sel & mask
        return int((sel & ~r.ok).sum()), int(hit.sum()), set(np.unique(r.user[hit]).tolist())

    failed, n_bad, hit_users = counted(run, bad)
    ref_failed, ref_n_bad, ref_users = counted(healthy, ref_bad)
    hit = len(hit_users - ref_users)  # users the defect reached (beyond the healthy run)
    past = max(0.0, rollback_s - run.end_s)
    extra_failed = extra_bad = extra_users = 0.0
    if past > 0:
        rate = rate_of(run)
        extra_bad, extra_failed = over_bad * rate * past, over_failed * rate * past
        share = max(min(user_share, 1.0), 1e-9)
        per_user = rate / max(users, 1) * past  # each user's requests past the run
        # the users the defect can reach and has not yet, each hit with the chance that
        # one of their requests past the run is bad
        not_yet = max(0.0, share * users - hit)
        extra_users = not_yet * (1.0 - (1.0 - min(over_bad / share, 1.0)) ** per_user)
    return Outcome(failed=failed - ref_failed + extra_failed,
                   bad=n_bad - ref_n_bad + extra_bad,
                   affected_users=hit + extra_users,
                   paged=paged, lasted_s=rollback_s - run.onset_s, past_run_s=past)
