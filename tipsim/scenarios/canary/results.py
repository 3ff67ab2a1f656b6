"""What one canary-scenario run produced, and its JSON-ready summary (``tipsim run canary``).

The summary's power outputs (flat scalars, so a sweep can average them over replications
into a detection probability, a mean time to detect, a false-rollback rate):

* ``rolled_back``: the decision was ``"rollback"`` (the canary judge failed it, or the
  blue/green operator switched back); a smoke-test block is not a rollback (green never
  served);
* ``time_to_detect_s``: from the first request sent to green (the first canary traffic)
  to the rollback decision; ``None`` when not rolled back (from green's first weight
  change when no request reached green before the decision);
* ``requests_exposed`` / ``users_exposed``: requests sent to green, and distinct users who
  sent them, before the rollback decision (or over the whole run when not rolled back),
  whether green answered or not (a blocked port's timeouts count); requests that clients
  holding green's DNS answer still send after a rollback are in ``green_requests`` only;
* ``false_rollback``: rolled back although green had no defect (``defect="none"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tipsim.analysis.blast_radius import blast_radius
from tipsim.analysis.burn_rate import run_alerts
from tipsim.analysis.canary_judge import JudgeResult
from tipsim.scenarios.canary.defects import BASELINE, GREEN
from tipsim.scenarios.canary.params import Params
from tipsim.sim.web.health import HealthLog
from tipsim.sim.web.rollouts import canary as rollout


@dataclass
class CanaryRun:
    """Everything one run produced: per-request arrays, rollout record, health and DNS."""

    params: Params
    seed: int
    requests: dict[str, np.ndarray]
    record: rollout.RolloutRecord
    health: dict[str, HealthLog]
    dns_grid_s: np.ndarray
    dns_green_share: np.ndarray
    fresh_green_share: np.ndarray

    def side(self, code: int) -> dict[str, np.ndarray]:
        """Requests that went to one side (blue 0, green 1, a fresh baseline 2)."""
        sel = self.requests["image"] == code
        return {k: v[sel] for k, v in self.requests.items()}

    @property
    def fresh_baseline(self) -> bool:
        """Whether a fresh baseline ran beside the canary (``judge_baseline="fresh"``)."""
        return self.params.strategy == "canary" and self.params.judge_baseline == "fresh"

    def baseline_instance_hours(self) -> float:
        """What the fresh baseline adds: its instances, launched with green at 0 and
        destroyed when the canary is decided (the end of the run if never)."""
        if not self.fresh_baseline:
            return 0.0
        until_s = self.record.decision_time_s
        until_s = self.params.duration_s if until_s is None else until_s
        return self.params.instances_per_side * until_s / 3600.0

    def exposure(self) -> dict[str, Any]:
        """The power outputs (module doc): rollback, time to detect, what green served."""
        r = self.record
        decision_s = r.decision_time_s if r.decision == "rollback" else None
        green = self.requests["image"] == GREEN
        if decision_s is not None:
            green &= self.requests["time_s"] < decision_s
        times = self.requests["time_s"][green]
        detect_s = None
        if decision_s is not None:
            if times.size:
                first_s = float(times.min())
            else:  # nothing reached green: count from its first weight change
                first_s = next(t for t, w in zip(r.weight_time_s, r.weight_pct, strict=True)
                               if w > 0.0)
            detect_s = float(decision_s) - first_s
        return {"rolled_back": decision_s is not None, "time_to_detect_s": detect_s,
                "requests_exposed": int(times.size),
                "users_exposed": int(np.unique(self.requests["user"][green]).size),
                "false_rollback": decision_s is not None and self.params.defect == "none"}

    def judged_steps(self) -> list[tuple[rollout.Step, JudgeResult]]:
        """Steps with a judge result (canary only)."""
        return [(s, s.details) for s in self.record.steps if isinstance(s.details, JudgeResult)]

    def summary(self) -> dict[str, Any]:
        """The JSON-ready result (``tipsim run canary --json``)."""
        p = self.params
        r = self.requests
        br = blast_radius(r["time_s"], r["user"], r["ok"], r["latency_s"], p.slo(),
                          onset_s=p.switch_at_s, end_s=p.duration_s)
        green = r["image"] == GREEN
        return {
            "strategy": p.strategy,
            "defect": p.defect,
            "dns_ttl_s": p.dns_ttl_s,
            "judge_baseline": p.judge_baseline,
            "seed": self.seed,
            "decision": self.record.decision,
            "decision_time_s": self.record.decision_time_s,
            **self.exposure(),
            "requests": int(r["ok"].size),
            "green_requests": int(green.sum()),
            "baseline_requests": int((r["image"] == BASELINE).sum()),
            "baseline_instance_hours": self.baseline_instance_hours(),
            "failed_requests": br.failed_requests,
            "affected_users": br.affected_users,
            "error_budget_used": br.error_budget_used,
            "slo_breach_minutes": br.slo_breach_minutes,
            "steps": [_step_dict(s) for s in self.record.steps],
            "health_changes": {k: len(v.time_s) for k, v in self.health.items()},
            **self.alerts(),
        }

    def alerts(self) -> dict[str, Any]:
        """The SRE workbook's burn-rate alerts on failed requests (every side) against the
        availability target (``burn_rate_alerts``, ``first_page_s``); the history before
        the run counts as healthy at the error ratio before the switch."""
        p = self.params
        return run_alerts(self.requests["time_s"], self.requests["ok"],
                          duration_s=p.duration_s, slo=p.availability_target,
                          onset_s=p.switch_at_s)


def _step_dict(step: rollout.Step) -> dict[str, Any]:
    d = step.as_dict()
    for k in ("end", "score"):
        if isinstance(d[k], float) and math.isnan(d[k]):
            d[k] = None
    if isinstance(step.details, JudgeResult):
        d["metrics"] = {m.name: m.classification for m in step.details.metrics}
    return d
