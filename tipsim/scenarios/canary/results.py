"""What one canary-scenario run produced, and its JSON-ready summary (``tipsim run canary``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tipsim.analysis.blast_radius import blast_radius
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
        }


def _step_dict(step: rollout.Step) -> dict[str, Any]:
    d = step.as_dict()
    for k in ("end", "score"):
        if isinstance(d[k], float) and math.isnan(d[k]):
            d[k] = None
    if isinstance(step.details, JudgeResult):
        d["metrics"] = {m.name: m.classification for m in step.details.metrics}
    return d
