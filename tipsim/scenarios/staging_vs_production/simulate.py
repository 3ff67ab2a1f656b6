"""``tipsim run staging-vs-production``: simulate the changes, draw the months, report.

:func:`run` simulates (or takes from the cache) every run the month needs: per production
approach and replication one healthy change and one change per defect kind in the mix,
and per kind the staging soak; it measures each against its healthy twin
(:func:`~.outcome.measure`) and draws ``months`` months (:mod:`.month`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tipsim.analysis.cost import load_prices
from tipsim.scenarios.staging_vs_production import runs
from tipsim.scenarios.staging_vs_production.month import (
    Inputs,
    Table,
    simulate_months,
    staging_cost_usd_per_month,
)
from tipsim.scenarios.staging_vs_production.outcome import bad_mask, measure, paged_in
from tipsim.scenarios.staging_vs_production.params import APPROACHES, KINDS, Params
from tipsim.sim.rng import stream


@dataclass
class Result:
    """Per approach its month's figures, and what the month was made of."""

    params: Params
    approaches: dict[str, dict[str, Any]]
    inputs: Inputs

    def frame(self) -> Any:
        """One row per approach (pandas DataFrame, in :data:`APPROACHES` order)."""
        import pandas as pd

        return pd.DataFrame([self.approaches[a] for a in APPROACHES])

    def per_kind(self) -> Any:
        """One row per defect kind in the mix: what one such defect costs each production
        approach (mean over the simulated replications), and the chance staging catches it.

        Columns: ``kind``, ``approach``, ``failed_requests``, ``bad_requests``,
        ``affected_users``, ``paged_share``, ``escaped_share``, ``staging_catch_chance``.
        """
        import pandas as pd

        p, inputs = self.params, self.inputs
        rows = []
        for kind in _active(p):
            k = KINDS.index(kind)
            f = p.staging_fidelity.of(kind)
            catch = (f * inputs.staging_caught[k].mean()
                     + (1 - f) * inputs.staging_caught_unreproduced[k].mean())
            for approach, t in inputs.tables.items():
                rows.append({"kind": kind, "approach": approach,
                             "failed_requests": float(t.failed[k].mean()),
                             "bad_requests": float(t.bad[k].mean()),
                             "affected_users": float(t.users[k].mean()),
                             "paged_share": float(t.paged[k].mean()),
                             "escaped_share": float(t.escaped[k].mean()),
                             "staging_catch_chance": float(catch)})
        return pd.DataFrame(rows)


def _active(p: Params) -> list[str]:
    weights = p.defect_mix.shares()
    return [k for k in KINDS if weights[k] > 0 and p.defect_rate > 0]


def _baseline(p: Params, seed: int) -> tuple[float, float]:
    """Failed and SLO-bad shares of requests, pooled over every healthy production run
    (the service's own error ratio, defects aside; what a healthy rollout adds is counted
    again per change, and is about nothing here: the runs show the same failures with and
    without the change, common random numbers)."""
    n = failed = bad = 0.0
    for approach in runs.PRODUCTION_SIMS:
        for r in range(p.replications):
            healthy = runs.production(p, approach, "none", seed=seed, replication=r)
            n += float(healthy.time_s.size)
            failed += float((~healthy.ok).sum())
            bad += float(bad_mask(healthy, p.latency_threshold_s).sum())
    return (failed / n, bad / n) if n else (0.0, 0.0)


def _table(p: Params, approach: str, active: list[str], seed: int,
           baseline: tuple[float, float]) -> Table:
    reps = p.replications
    shape = (len(KINDS), reps)
    t = Table(rollout_failed=np.zeros(reps), rollout_bad=np.zeros(reps),
              rollout_paged=np.zeros(reps), rollout_instance_s=np.zeros(reps),
              rollout_elb_h=np.zeros(reps), lead_time_s=np.zeros(reps),
              failed=np.zeros(shape), bad=np.zeros(shape), users=np.zeros(shape),
              paged=np.zeros(shape, dtype=bool), escaped=np.zeros(shape, dtype=bool),
              caught=np.zeros(shape, dtype=bool), instance_s=np.zeros(shape),
              elb_h=np.zeros(shape))
    b_failed, b_bad = baseline
    for r in range(reps):
        healthy = runs.production(p, approach, "none", seed=seed, replication=r)
        win = healthy.time_s >= healthy.onset_s
        n = float(win.sum())
        # what the healthy rollout fails beyond the baseline (boot gaps, killed requests)
        t.rollout_failed[r] = float((~healthy.ok[win]).sum()) - b_failed * n
        t.rollout_bad[r] = float(bad_mask(healthy, p.latency_threshold_s)[win].sum()) - b_bad * n
        t.rollout_paged[r] = float(paged_in(healthy, p.availability_target,
                                            p.latency_threshold_s))
        t.rollout_instance_s[r] = healthy.extra_instance_s
        t.rollout_elb_h[r] = math.ceil(healthy.extra_elb_s / 3600.0)  # partial hours billed
        t.lead_time_s[r] = ((healthy.done_s if healthy.done_s is not None else healthy.end_s)
                            - healthy.onset_s)
        for kind in active:
            k = KINDS.index(kind)
            run = runs.production(p, approach, kind, seed=seed, replication=r)
            o = measure(run, healthy, slo=p.availability_target,
                        latency_threshold_s=p.latency_threshold_s, reaction_s=p.reaction_s,
                        ticket_reaction_s=p.ticket_reaction_s, users=p.users,
                        user_share=p.failing_user_share if kind == "production-clients"
                        else 1.0)
            t.failed[k, r], t.bad[k, r], t.users[k, r] = o.failed, o.bad, o.affected_users
            t.paged[k, r], t.escaped[k, r], t.caught[k, r] = o.paged, run.escaped, run.caught
            t.instance_s[k, r] = run.extra_instance_s
            t.elb_h[k, r] = math.ceil(run.extra_elb_s / 3600.0)
    return t


def build_inputs(p: Params, *, seed: int) -> Inputs:
    """Run (or reuse) every simulation the month needs and tabulate their outcomes."""
    active = _active(p)
    baseline = _baseline(p, seed)
    tables = {approach: _table(p, approach, active, seed, baseline)
              for approach in runs.PRODUCTION_SIMS}
    caught = np.zeros((len(KINDS), p.replications), dtype=bool)
    unreproduced = np.zeros_like(caught)
    for kind in active:
        k = KINDS.index(kind)
        for r in range(p.replications):
            soak = runs.staging(p, kind, seed=seed, replication=r,
                                load_test=kind == "overload")
            caught[k, r] = runs.caught_in_staging(soak, p.staging_soak_s)
            if kind == "overload" and runs.staging_per_instance_load(p) >= 1.0:
                # staging's own traffic loads each instance as production does: the
                # overload shows without a load test
                everyday = runs.staging(p, kind, seed=seed, replication=r)
                unreproduced[k, r] = runs.caught_in_staging(everyday, p.staging_soak_s)
    return Inputs(tables=tables, staging_caught=caught,
                  staging_caught_unreproduced=unreproduced,
                  baseline_failed_ratio=baseline[0], baseline_bad_ratio=baseline[1])


def run(params: Params, *, seed: int = 1) -> Result:
    """Simulate the changes and draw the months."""
    prices = load_prices()
    inputs = build_inputs(params, seed=seed)
    approaches = simulate_months(params, inputs, prices, rng=stream(seed, "months"))
    return Result(params=params, approaches=approaches, inputs=inputs)


def _without_defects(result: Result) -> dict[str, Any]:
    """What every approach still fails with no defect: the baseline and the rollouts."""
    p, inputs = result.params, result.inputs
    requests = p.rate_per_s * 30 * 86_400.0
    out: dict[str, Any] = {
        "baseline_error_ratio": inputs.baseline_failed_ratio,
        "baseline_failed_requests_per_month": inputs.baseline_failed_ratio * requests,
        "baseline_error_budget_used_per_month":
            inputs.baseline_bad_ratio / (1.0 - p.availability_target),
        "note": "failed at the healthy error ratio (background errors and slow requests) "
                "by every approach alike; rollout_failed_requests_per_month adds what the "
                "healthy rollouts themselves fail (boot gaps, drained connections), an "
                "estimate against that ratio: near 0 (or below, by chance) when a healthy "
                "rollout fails no more than the service does anyway",
        "rollout_failed_requests_per_month": {},
    }
    for approach in APPROACHES:
        base = {"staging": "big-bang", "staging+canary": "canary"}.get(approach, approach)
        t = inputs.tables[base]
        out["rollout_failed_requests_per_month"][approach] = float(
            p.changes_per_month * t.rollout_failed.mean())
    return out


def run_cli(params: Params, *, seed: int, replications: int | None = None) -> dict[str, Any]:
    """``tipsim run staging-vs-production``: per approach (``approaches``, keyed by name,
    in :data:`APPROACHES` order) the month's figures, with ``<metric>_ci`` intervals.

    ``--replications N`` overrides ``replications`` (simulations per kind and approach).
    """
    if replications is not None and replications > 0:
        params = params.replace(replications=replications)
    result = run(params, seed=seed)
    prices = load_prices()
    return {
        "approaches": {a: result.approaches[a] for a in APPROACHES},
        "without_defects": _without_defects(result),
        "staging_cost": staging_cost_usd_per_month(params, prices),
        "months": params.months,
        "replications": params.replications,
        "seed": seed,
        "prices_unconfirmed": [i for i in prices.unconfirmed()
                               if i in (f"ec2_{params.instance_type}", "elb_classic_hour")],
        "not_priced": "network (data transfer, ELB per-GB): the simulation has no request sizes",
    }
