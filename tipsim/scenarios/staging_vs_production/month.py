"""A month of changes, drawn many times (Monte Carlo), costed for each of six approaches.

Each simulated month draws how many of its ``changes_per_month`` changes are defective
(binomial, ``defect_rate``), each defect's kind (``defect_mix``), which simulated run of
that kind it behaves like (one of ``replications``), and whether staging reproduces it
(``staging_fidelity``). Every approach sees the same draws (common random numbers), so
their differences come from the approach, not from luck. Per month and approach:

* every change ships to production once healthy (a defective one after its fix): the
  rollout's own cost (boot gaps, machine time) from the healthy simulation;
* each defect that reaches production adds its :class:`~.outcome.Outcome` (failed and bad
  requests, users, a page) and its rollout's machine time; one staging caught adds nothing
  in production;
* the month's other requests fail at the baseline ratio (the healthy runs' own, before the
  change): the same for every approach, named apart in the output;
* ``staging``: the copy's monthly cost, and a big-bang release of what it missed;
  ``staging+canary``: the same copy, and a canary for what it missed.

Results are means over the months with 95 % Student-t intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tipsim.analysis.burn_rate import SLO_PERIOD_S
from tipsim.analysis.cost import HOURS_PER_MONTH, PriceTable, load_prices
from tipsim.scenarios.staging_vs_production.params import APPROACHES, KINDS, Params

METRICS = ("infra_cost_usd_per_month", "failed_requests_per_month", "affected_users_per_month",
           "error_budget_used_per_month", "pages_per_month", "defects_caught_before_users",
           "defects_escaped", "defects_caught_in_rollout")


@dataclass
class Table:
    """Per production approach, per replication: the healthy change and each defect kind.

    Arrays are indexed ``[replication]`` (healthy) or ``[kind index, replication]``.
    """

    rollout_failed: np.ndarray
    rollout_bad: np.ndarray
    rollout_paged: np.ndarray
    rollout_instance_s: np.ndarray
    rollout_elb_h: np.ndarray
    lead_time_s: np.ndarray
    failed: np.ndarray
    bad: np.ndarray
    users: np.ndarray
    paged: np.ndarray
    escaped: np.ndarray
    caught: np.ndarray
    instance_s: np.ndarray
    elb_h: np.ndarray


@dataclass
class Inputs:
    """Everything the months are drawn from (made by :mod:`.simulate` from simulations)."""

    tables: dict[str, Table]
    staging_caught: np.ndarray  # [kind, replication]: reproduced, caught within the soak
    staging_caught_unreproduced: np.ndarray  # [kind, replication]: caught anyway (load)
    baseline_failed_ratio: float
    baseline_bad_ratio: float
    extra: dict[str, Any] = field(default_factory=dict)


def staging_cost_usd_per_month(p: Params, prices: PriceTable | None = None
                               ) -> dict[str, float]:
    """The copy: production's instances x ``staging_size_share`` for a whole month, and its
    load balancer if the price table has one (``prices``: the dated table by default)."""
    prices = prices if prices is not None else load_prices()
    instances = p.instances * p.staging_size_share * HOURS_PER_MONTH
    ec2 = instances * prices.usd(f"ec2_{p.instance_type}")
    elb = HOURS_PER_MONTH * prices.usd("elb_classic_hour") if "elb_classic_hour" in prices else 0.0
    return {"instance_hours": instances, "ec2_usd": ec2, "elb_usd": elb, "total_usd": ec2 + elb}


def _ci(values: np.ndarray) -> tuple[float, list[float] | None]:
    from tipsim.analysis.metrics import mean_ci

    mean, half = mean_ci(values)
    return mean, ([mean - half, mean + half] if math.isfinite(half) else None)


def simulate_months(p: Params, inputs: Inputs, prices: PriceTable, *,
                    rng: np.random.Generator) -> dict[str, dict[str, Any]]:
    """Draw ``p.months`` months and return per approach every metric's mean and interval."""
    months, n_changes, reps = p.months, p.changes_per_month, p.replications
    shares = p.defect_mix.shares()
    n_def = rng.binomial(n_changes, p.defect_rate, size=months)
    month_of = np.repeat(np.arange(months), n_def)
    kind = rng.choice(len(KINDS), size=month_of.size, p=[shares[k] for k in KINDS])
    rep = rng.integers(0, reps, size=month_of.size)
    reproduced = rng.random(month_of.size) < np.array(
        [p.staging_fidelity.of(k) for k in KINDS])[kind]
    healthy_rep = rng.integers(0, reps, size=(months, n_changes))
    in_staging = np.where(reproduced, inputs.staging_caught[kind, rep],
                          inputs.staging_caught_unreproduced[kind, rep])
    requests = p.rate_per_s * SLO_PERIOD_S
    budget = requests * (1.0 - p.availability_target)
    ec2 = prices.usd(f"ec2_{p.instance_type}")
    elb = prices.usd("elb_classic_hour") if "elb_classic_hour" in prices else 0.0
    staging_usd = staging_cost_usd_per_month(p, prices)["total_usd"]

    def per_month(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(month_of[mask], weights=values[mask], minlength=months)

    out: dict[str, dict[str, Any]] = {}
    for approach in APPROACHES:
        base = {"staging": "big-bang", "staging+canary": "canary"}.get(approach, approach)
        t = inputs.tables[base]
        staged = approach.startswith("staging")
        reach = ~in_staging if staged else np.ones(month_of.size, dtype=bool)
        healthy = {name: getattr(t, name)[healthy_rep].sum(axis=1) for name in
                   ("rollout_failed", "rollout_bad", "rollout_paged", "rollout_instance_s",
                    "rollout_elb_h")}
        failed = (inputs.baseline_failed_ratio * requests + healthy["rollout_failed"]
                  + per_month(t.failed[kind, rep], reach))
        bad = (inputs.baseline_bad_ratio * requests + healthy["rollout_bad"]
               + per_month(t.bad[kind, rep], reach))
        untouched = per_month(np.log1p(-np.clip(t.users[kind, rep] / p.users, 0.0, 1.0 - 1e-12)),
                              reach)
        instance_h = (healthy["rollout_instance_s"] + per_month(t.instance_s[kind, rep], reach)
                      ) / 3600.0
        elb_h = healthy["rollout_elb_h"] + per_month(t.elb_h[kind, rep], reach)
        cost = instance_h * ec2 + elb_h * elb + (staging_usd if staged else 0.0)
        values = {
            "infra_cost_usd_per_month": cost,
            "failed_requests_per_month": failed,
            "affected_users_per_month": p.users * (1.0 - np.exp(untouched)),
            "error_budget_used_per_month": bad / budget,
            "pages_per_month": healthy["rollout_paged"]
            + per_month(t.paged[kind, rep].astype(float), reach),
            "defects_caught_before_users": per_month(np.ones(month_of.size),
                                                     in_staging & staged),
            "defects_escaped": per_month(t.escaped[kind, rep].astype(float), reach),
            "defects_caught_in_rollout": per_month(t.caught[kind, rep].astype(float), reach),
        }
        row: dict[str, Any] = {"approach": approach}
        for name in METRICS:
            row[name], row[f"{name}_ci"] = _ci(values[name])
        lead = t.lead_time_s + (p.staging_soak_s if staged else 0.0)
        row["lead_time_s_per_change"], row["lead_time_s_per_change_ci"] = _ci(lead)
        out[approach] = row
    return out
