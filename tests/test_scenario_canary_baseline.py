"""The judge's baseline: production (blue) or a fresh baseline deployed beside the canary,
as Spinnaker's canary best practices recommend (Spinnaker docs, "Best practices for
configuring canary", spinnaker.io/guides/user/canary/best-practices: "Compare canary
against baseline, not against production": same time of deployment, same size, same type
and amount of traffic, which controls "factors that could affect the analysis, like the
cache warmup time")."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.errors import ParameterError
from tipsim.scenarios.canary import GREEN, Params, simulate
from tipsim.scenarios.canary.defects import BASELINE

SEEDS = range(1, 9)
COLD = {"cold_start_factor": 1.5, "warmup_requests": 1000.0}
"""New instances start cold: a cache miss costs 1.5x the work, a working set of 1000 keys."""


def _rollbacks(p: Params) -> int:
    return sum(simulate(p, seed=s).record.decision == "rollback" for s in SEEDS)


def test_with_cold_starts_production_comparison_rolls_back_healthy_greens_a_fresh_one_not():
    """Green is new, so its cache starts cold; blue has run for long. Against blue the
    judge sees green's cold-start latency as a regression and rolls back a healthy green
    (at least 6 of 8 seeds); against a fresh baseline, equally new and given the same
    traffic, both warm alike and the healthy green is promoted (at most 2 of 8)."""
    healthy = Params(defect="none", **COLD)
    assert _rollbacks(healthy) >= 6
    assert _rollbacks(healthy.replace(judge_baseline="fresh")) <= 2


def test_without_cold_starts_the_fresh_baseline_changes_no_healthy_decision() -> None:
    """Without a warm-up effect (the default), a healthy green is promoted either way."""
    for baseline in ("production", "fresh"):
        assert _rollbacks(Params(defect="none", judge_baseline=baseline)) <= 1


def test_a_fresh_baseline_still_catches_a_blocked_port() -> None:
    """Comparing with a fresh baseline does not blind the judge to a real defect."""
    assert _rollbacks(Params(defect="blocked-port", judge_baseline="fresh", **COLD)) >= 7


def test_the_fresh_baseline_gets_the_canarys_traffic_and_costs_instance_hours() -> None:
    """Same amount of traffic: during the canary the baseline gets about as many requests as
    green (client-level DNS split: within 25 %); it is a second deployment of
    ``instances_per_side`` instances, from green's launch (0) to the decision."""
    p = Params(defect="none", judge_baseline="fresh")
    run = simulate(p, seed=2)
    s = run.summary()
    r = run.requests
    during = (r["time_s"] >= p.switch_at_s) & (r["time_s"] < s["decision_time_s"])
    green, base = (int((during & (r["image"] == c)).sum()) for c in (GREEN, BASELINE))
    assert base == pytest.approx(green, rel=0.25) and base > 1000
    assert s["baseline_instance_hours"] == pytest.approx(
        p.instances_per_side * s["decision_time_s"] / 3600.0)
    assert not np.any(r["image"][r["time_s"] > s["decision_time_s"] + 700.0] == BASELINE)
    production = simulate(p.replace(judge_baseline="production"), seed=2).summary()
    assert production["baseline_instance_hours"] == 0.0
    assert production["baseline_requests"] == 0


def test_a_fresh_baseline_needs_room_beside_the_canary() -> None:
    """The baseline takes as much traffic as the canary, so the canary's last step can be
    at most 50 %: a bigger one is refused naming the field."""
    with pytest.raises(ParameterError, match="max_weight_pct"):
        Params.create(judge_baseline="fresh", max_weight_pct=60.0)
    Params.create(judge_baseline="production", max_weight_pct=60.0)
