"""Scenario ``feature-toggle``: ship a new machine image three ways (slides 7-8).

The talk's example toggles a new Ubuntu image (``enable_new_ami``): the old instance
stays and a second one with the new image (``example_bionic``) is added beside it. Here
a service of ``instances`` machines on the old image gets the new one, which may carry a
defect (:data:`~tipsim.scenarios.feature_toggle.params.DEFECTS`: errors, a latency
regression, a crash, a closed port, less capacity, or failures only some production
clients trigger), in place, rolling, or behind a toggle
(:mod:`tipsim.sim.web.rollouts.feature_toggle` has the strategies, the monitor and the
response). The load balancer's health check (every 30 s, unhealthy after 2: the talk's
ELB) removes crashed instances.

Results: the :mod:`blast radius <tipsim.analysis.blast_radius>` from the change to the
end of the run, detection time, machine hours, and per-window success rate and latency
per image. :func:`compare_strategies` runs all three on one seed (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tipsim.analysis.blast_radius import BlastRadius, blast_radius
from tipsim.analysis.burn_rate import run_alerts
from tipsim.analysis.metrics import mean_ci, windowed
from tipsim.errors import ParameterError
from tipsim.scenarios.feature_toggle.params import Params
from tipsim.sim.web.rollouts.feature_toggle import NEW, OLD, STRATEGIES, Deployment
from tipsim.sim.web.service import UNROUTED, Service

IMAGE_NAMES = {OLD: "old image (xenial)", NEW: "new image (bionic)", UNROUTED: "no instance"}
# EC2 t2.micro, Linux, on-demand, US East (N. Virginia): Amazon EC2 On-Demand Pricing page
T2_MICRO_USD_PER_HOUR = 0.0116


@dataclass
class Run:
    """One run: the request arrays, what happened when, and the blast radius."""

    params: Params
    seed: int
    arrays: dict[str, np.ndarray]
    blast: BlastRadius
    onset_s: float | None
    detected_s: float | None
    instance_seconds: float
    events: list[tuple[float, str]] = field(default_factory=list)

    def alerts(self) -> dict[str, Any]:
        """The SRE workbook's burn-rate alerts on failed requests against the
        availability target (``burn_rate_alerts``, ``first_page_s``); the history before
        the run counts as healthy at the error ratio before the change."""
        p = self.params
        return run_alerts(self.arrays["time_s"], self.arrays["ok"], duration_s=p.duration_s,
                          slo=p.availability_target, onset_s=p.change_at_s)

    def summary(self) -> dict[str, Any]:
        """JSON-ready result (the ``tipsim run feature-toggle --json`` fields)."""
        return {
            "strategy": self.params.strategy,
            "defect": self.params.defect,
            **self.blast.as_dict(),
            "detected_at_s": self.detected_s,
            "new_image_serving_at_s": self.onset_s,
            "instance_hours": self.instance_seconds / 3600.0,
            "instance_cost_usd": self.instance_seconds / 3600.0 * T2_MICRO_USD_PER_HOUR,
            **self.alerts(),
            "events": [{"time_s": t, "event": e} for t, e in self.events],
        }


def run(params: Params, *, seed: int = 1, replication: int = 0) -> Run:
    """Simulate one strategy on one seed."""
    if params.change_at_s >= params.duration_s:
        raise ParameterError("change_at_s", params.change_at_s,
                             f"a number < duration_s = {params.duration_s:g}")
    workload = params.traffic().workload(seed, replication=replication)
    svc = Service(workload, policy=params.policy, workers_per_instance=params.workers_per_instance,
                  slow_threshold_s=params.latency_threshold_s,
                  idle_timeout_s=params.idle_timeout_s)
    svc.lb.set_weights({"old": 1.0})
    old, new = params.images()
    deploy = Deployment(params.plan(), svc, old, new)
    deploy.start()
    if params.health_check:
        svc.start_health_check(interval_s=30.0, unhealthy_threshold=2)
    log = svc.run()
    arrays = log.arrays()
    blast = blast_radius(arrays["time_s"], arrays["user"], arrays["ok"], arrays["latency_s"],
                         params.slo(), onset_s=params.change_at_s, end_s=params.duration_s,
                         detected_s=deploy.detected_s)
    if deploy.onset_s is not None and deploy.detected_s is not None:
        # measured from when the new image first took traffic, not from the change start
        blast = BlastRadius(**{**blast.as_dict(),
                               "time_to_detect_s": deploy.detected_s - deploy.onset_s})
    return Run(params=params, seed=seed, arrays=arrays, blast=blast, onset_s=deploy.onset_s,
               detected_s=deploy.detected_s,
               instance_seconds=svc.instance_seconds(params.duration_s), events=deploy.events)


def timeline(result: Run, window_s: float = 30.0) -> Any:
    """Success rate and latency per time window per image, as a tidy DataFrame.

    Columns: ``window_start_s``, ``image`` (code), ``image_name``, ``requests``,
    ``failed``, ``success_rate``, ``p50_latency_s``, ``p95_latency_s``.
    """
    import pandas as pd

    a = result.arrays
    cols = windowed(a["time_s"], a["ok"], a["latency_s"], window_s=window_s, start_s=0.0,
                    end_s=result.params.duration_s, group=a["image"], q=95.0)
    frame = pd.DataFrame(cols).rename(columns={"group": "image", "pq_latency_s": "p95_latency_s"})
    frame["image_name"] = frame["image"].map(IMAGE_NAMES)
    return frame


def compare_strategies(params: Params, *, seed: int = 1,
                       strategies: tuple[str, ...] = STRATEGIES) -> Any:
    """Run every strategy on the same seed (same requests) and return a tidy DataFrame of
    their blast radius, one row per strategy."""
    import pandas as pd

    rows = []
    for name in strategies:
        r = run(params.replace(strategy=name), seed=seed)
        summary = r.summary()
        summary.pop("events")
        rows.append(summary)
    return pd.DataFrame(rows)


def run_cli(params: Params, *, seed: int, replications: int | None = None) -> dict[str, Any]:
    """``tipsim run feature-toggle``: one run, or the mean over ``replications`` with
    95 % intervals (``<name>_ci``) and each replication's figures."""
    if replications is None or replications <= 1:
        return run(params, seed=seed).summary()
    runs = [run(params, seed=seed, replication=r).summary() for r in range(replications)]
    out: dict[str, Any] = {"strategy": params.strategy, "defect": params.defect,
                           "replications": replications}
    for key in ("requests", "failed_requests", "slow_requests", "affected_users",
                "slo_breach_minutes", "error_budget_used", "time_to_detect_s",
                "time_to_recover_s", "instance_hours"):
        values = [r[key] for r in runs if r[key] is not None]
        if values:
            mean, half = mean_ci(values)
            out[key] = mean
            out[f"{key}_ci"] = [mean - half, mean + half] if math.isfinite(half) else None
        else:
            out[key] = None
        out[f"{key}_missing"] = len(runs) - len(values)
    out["paged_fraction"] = float(np.mean([r["first_page_s"] is not None for r in runs]))
    for r in runs:
        r.pop("events")
    out["per_replication"] = runs
    return out
