"""Running the kit's own scenarios for one change: production's four approaches and staging.

Nothing here is a constant: what a change does to users comes from simulating it.

* ``big-bang``, ``blue-green`` and ``canary`` are the ``canary`` scenario's strategies
  (:mod:`tipsim.scenarios.canary`): a green side beside blue behind weighted DNS, moved
  all at once, all at once with a person watching an SLO alert, or in judged steps;
* ``feature-toggle`` is the ``feature-toggle`` scenario's toggle
  (:mod:`tipsim.scenarios.feature_toggle`): one new instance takes ``toggle_share`` of the
  traffic, a monitor turns it off, or it rolls forward after ``toggle_bake_s``;
* staging is the ``feature-toggle`` scenario's ``in-place`` change on a copy with
  ``staging_size_share`` of the instances and ``staging_load_share`` of the load, its
  monitor (errors, slow requests, failing health checks; Flagger-style checks) deciding
  when the defect shows.

Both scenarios get production's load, fleet, SLO and the defect's severity from one
:class:`~tipsim.scenarios.staging_vs_production.params.Params`. Every run of a strategy
on a replication sees the same requests whatever the defect (common random numbers), so
a defective run minus the healthy run is what the defect did.

Runs are cached in-process by their scenario parameters, seed and replication: changing
the month (change rate, defect rate and mix, fidelity, soak) reruns no simulation.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from tipsim.scenarios import canary, feature_toggle
from tipsim.scenarios.staging_vs_production.params import Params

LEAD_IN_S = 120.0
"""Simulated time before each change: the healthy history (burn-rate baseline, DNS caches)."""
STAGING_HORIZON_S = 1800.0
"""Longest staging soak simulated: the copy is in a steady state by then (every trigger of
the model has fired), so a defect its monitor has not caught is not caught by a longer soak
either (a crash after ``crash_after_s`` extends the horizon to cover it)."""
PRODUCTION_SIMS = ("big-bang", "blue-green", "canary", "feature-toggle")


@dataclass(frozen=True)
class SimRun:
    """One simulated change in production: its requests and what the rollout did.

    ``live_at_end``: the change still serves every user when the run ends (promoted, rolled
    forward, or big-bang); ``full_live_s``: when it began serving every user;
    ``escaped``: it reached every user at some point; ``caught``: the rollout undid it
    before that; ``extra_instance_s`` / ``extra_elb_s``: machine and load-balancer time
    the rollout added beside production's own; ``done_s``: when the rollout finished.
    """

    time_s: np.ndarray
    ok: np.ndarray
    latency_s: np.ndarray
    user: np.ndarray
    onset_s: float
    end_s: float
    live_at_end: bool
    full_live_s: float | None
    escaped: bool
    caught: bool
    extra_instance_s: float
    extra_elb_s: float
    done_s: float | None


@dataclass(frozen=True)
class StagingRun:
    """One change soaked in staging: when (after the change started) its monitor caught it."""

    detected_after_s: float | None
    simulated_s: float


_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_SIZE = 512


def _cached(key: tuple[Any, ...], make: Any) -> Any:
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = make()
    _CACHE[key] = value
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def cache_size() -> int:
    """How many simulated runs are held (for the notebook's "nothing was rerun")."""
    return len(_CACHE)


def _severity(p: Params, kind: str) -> dict[str, Any]:
    """The feature-toggle scenario's defect fields for ``kind`` at ``p``'s severity."""
    return {"defect": "none" if kind == "none" else kind, "defect_error_rate": p.error_rate,
            "defect_latency_factor": p.latency_factor, "defect_crash_after_s": p.crash_after_s,
            "defect_overload_workers": p.overload_workers,
            "defect_user_share": p.failing_user_share}


def toggle_params(p: Params, kind: str, **change: Any) -> feature_toggle.Params:
    """The feature-toggle scenario at production's load and fleet with defect ``kind``."""
    values = {
        **_severity(p, kind), "strategy": "toggle", "instances": p.instances,
        "workers_per_instance": p.workers_per_instance, "arrival_rate_per_s": p.rate_per_s,
        "mean_service_s": p.mean_service_s, "users": p.users,
        "background_error_prob": p.background_error_prob,
        "duration_s": LEAD_IN_S + p.window_s, "change_at_s": LEAD_IN_S,
        "toggle_share": p.toggle_share, "toggle_bake_s": p.toggle_bake_s,
        "latency_threshold_s": p.latency_threshold_s,
        "availability_target": p.availability_target, **change}
    return feature_toggle.Params.create(values)


def canary_params(p: Params, strategy: str, kind: str) -> canary.Params:
    """The canary scenario at production's load and fleet with defect ``kind``."""
    return canary.Params.create(
        strategy=strategy, defect=kind, rate_per_s=p.rate_per_s,
        users=p.users, duration_s=LEAD_IN_S + p.window_s, switch_at_s=LEAD_IN_S,
        mean_service_s=p.mean_service_s, instances_per_side=p.instances,
        workers_per_instance=p.workers_per_instance,
        background_error_prob=p.background_error_prob, latency_factor=p.latency_factor,
        overload_workers=p.overload_workers, green_error_rate=p.error_rate,
        # green serves from t = 0 in the canary scenario: crash that long into the change
        green_crash_after_s=LEAD_IN_S + p.crash_after_s,
        old_client_share=p.failing_user_share, step_weight_pct=p.step_weight_pct,
        max_weight_pct=p.max_weight_pct, window_s=p.canary_window_s,
        metric_interval_s=min(10.0, p.canary_window_s), reaction_s=p.reaction_s,
        bake_s=p.bake_s, availability_target=p.availability_target,
        latency_threshold_s=p.latency_threshold_s)


def production(p: Params, approach: str, kind: str, *, seed: int, replication: int) -> SimRun:
    """Simulate one change shipped by ``approach`` (cached)."""
    if approach == "feature-toggle":
        tp = toggle_params(p, kind)
        return _cached(("toggle", tp, seed, replication),
                       lambda: _from_toggle(tp, seed, replication))
    cp = canary_params(p, approach, kind)
    return _cached(("canary", cp, seed, replication),
                   lambda: _from_canary(cp, seed, replication))


def _from_canary(cp: canary.Params, seed: int, replication: int) -> SimRun:
    run = canary.simulate(cp, seed=seed, replication=replication)
    r, rec = run.requests, run.record
    end, onset = cp.duration_s, cp.switch_at_s
    decided = rec.decision_time_s
    promoted = rec.decision == "promote"
    if cp.strategy == "big-bang":
        full_live: float | None = onset
        extra_s = 0.0  # the new version replaces the old in place: nothing runs beside it
    else:
        full_live = onset if cp.strategy == "blue-green" else (decided if promoted else None)
        # both sides run from the switch until the decision retires one of them
        extra_s = ((decided if decided is not None else end) - onset)
    escaped = cp.strategy != "canary" or promoted
    return SimRun(time_s=r["time_s"], ok=r["ok"], latency_s=r["latency_s"], user=r["user"],
                  onset_s=onset, end_s=end, live_at_end=promoted or decided is None,
                  full_live_s=full_live, escaped=escaped and cp.defect != "none",
                  caught=rec.decision == "rollback" and not escaped,
                  extra_instance_s=extra_s * cp.instances_per_side, extra_elb_s=extra_s,
                  done_s=decided)


def _from_toggle(tp: feature_toggle.Params, seed: int, replication: int) -> SimRun:
    run = feature_toggle.run(tp, seed=seed, replication=replication)
    a = run.arrays
    forward = [t for t, e in run.events if e.startswith("toggle clean")]
    finished = [t for t, e in run.events if e.startswith("rolled forward")]
    rolled_back = run.detected_s is not None
    full_live = finished[0] if finished else (forward[0] if forward else None)
    return SimRun(time_s=a["time_s"], ok=a["ok"], latency_s=a["latency_s"], user=a["user"],
                  onset_s=tp.change_at_s, end_s=tp.duration_s,
                  live_at_end=not rolled_back and bool(forward), full_live_s=full_live,
                  escaped=bool(forward) and tp.defect != "none",
                  caught=rolled_back and not forward,
                  extra_instance_s=max(0.0, run.instance_seconds
                                       - tp.instances * tp.duration_s),
                  extra_elb_s=0.0, done_s=finished[0] if finished else None)


def staging_instances(p: Params) -> int:
    """Instances of the staging copy (at least one)."""
    return max(1, round(p.instances * p.staging_size_share))


def staging_per_instance_load(p: Params) -> float:
    """Staging's everyday load per instance, as a share of production's per instance."""
    return p.staging_load_share * p.instances / staging_instances(p)


def staging(p: Params, kind: str, *, seed: int, replication: int,
            load_test: bool = False) -> StagingRun:
    """Soak one change with defect ``kind`` in staging (cached).

    The copy runs ``staging_instances(p)`` instances at ``staging_load_share`` of
    production's load; ``load_test`` puts production's per-instance load on it instead
    (what reproducing an overload takes). Detection is the monitor's, counted from the
    start of the change (boot included).
    """
    n = staging_instances(p)
    rate = p.rate_per_s * (n / p.instances if load_test else p.staging_load_share)
    horizon = STAGING_HORIZON_S
    if kind == "crash":
        horizon = max(horizon, p.crash_after_s + 900.0)
    simulated = min(p.staging_soak_s, horizon)
    tp = toggle_params(p, kind, strategy="in-place", instances=n,
                       arrival_rate_per_s=max(rate, 0.01),
                       duration_s=LEAD_IN_S + max(simulated, 120.0))

    def make() -> StagingRun:
        run = feature_toggle.run(tp, seed=seed, replication=replication)
        after = None if run.detected_s is None else run.detected_s - tp.change_at_s
        return StagingRun(detected_after_s=after, simulated_s=simulated)

    return _cached(("staging", tp, simulated, seed, replication), make)


def caught_in_staging(run: StagingRun, soak_s: float) -> bool:
    """Whether the monitor caught the defect before the soak ended."""
    return run.detected_after_s is not None and run.detected_after_s <= soak_s


def rate_of(run: SimRun) -> float:
    """Requests per second the run actually saw (production's load)."""
    return float(run.time_s.size / run.end_s) if run.end_s > 0 else math.nan
