"""Run the node-group migration: one run, the CLI's answer, and the comparison of variants.

A control plane with two node groups: ``insecure`` (old OS image, Ubuntu 16.04 xenial) and
``secure`` (patched image, Ubuntu 18.04 bionic). INTERNAL workloads tolerate
``external=true:NoExecute`` and stay; EXTERNAL ones do not (or only for
``toleration_seconds``) and move. ``spare_nodes`` extra secure nodes stand ready; the
autoscaler may add ``autoscale_max_nodes`` more after ``provision_delay_s``. An example
run is in the package's docstring (:mod:`tipsim.scenarios.node_groups`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tipsim.analysis.blast_radius import blast_radius
from tipsim.analysis.burn_rate import run_alerts
from tipsim.analysis.slo import SLO
from tipsim.scenarios.node_groups.params import Params
from tipsim.sim.k8s.migration import MigrationPlan, MigrationResult, run_migration
from tipsim.sim.k8s.spec import (
    EXTERNAL_TAINT,
    ClusterSpec,
    DaemonSetSpec,
    NodeGroupSpec,
    Toleration,
    WorkloadSpec,
)
from tipsim.sim.k8s.traffic import TrafficSpec

INSECURE_GROUP = "insecure"
SECURE_GROUP = "secure"
INSECURE_IMAGE = "ubuntu-xenial-16.04"
SECURE_IMAGE = "ubuntu-bionic-18.04"


def cluster_spec(p: Params) -> ClusterSpec:
    """The cluster the parameters describe, as plain data (see :mod:`tipsim.sim.k8s.spec`)."""
    external_tol: tuple[Toleration, ...] = ()
    if p.toleration_seconds is not None:
        external_tol = (Toleration.for_taint(EXTERNAL_TAINT, p.toleration_seconds),)
    internal_tol = (Toleration.for_taint(EXTERNAL_TAINT),)
    groups = (
        NodeGroupSpec(name=INSECURE_GROUP, size=p.insecure_nodes, cpu_m=p.node_cpu_m,
                      memory_mb=p.node_memory_mb, os_image=INSECURE_IMAGE, secure=False),
        NodeGroupSpec(name=SECURE_GROUP, size=p.secure_nodes, cpu_m=p.node_cpu_m,
                      memory_mb=p.node_memory_mb, os_image=SECURE_IMAGE, secure=True,
                      autoscale_max_extra=p.autoscale_max_nodes, spare=p.spare_nodes),
    )
    workloads = (
        WorkloadSpec(name="web", kind="external", replicas=p.external_replicas,
                     cpu_m=p.external_cpu_m, memory_mb=p.external_memory_mb,
                     tolerations=external_tol, startup_s=p.startup_s),
        WorkloadSpec(name="billing", kind="internal", replicas=p.internal_replicas,
                     cpu_m=p.internal_cpu_m, memory_mb=p.internal_memory_mb,
                     tolerations=internal_tol, startup_s=p.startup_s),
    )
    daemonsets = ((DaemonSetSpec(name="node-agent", cpu_m=p.daemonset_cpu_m, memory_mb=128),)
                  if p.daemonset_cpu_m else ())
    return ClusterSpec(node_groups=groups, workloads=workloads, daemonsets=daemonsets)


def run(p: Params, *, seed: int = 1, replication: int = 0) -> MigrationResult:
    """One run of the scenario.

    ``metrics`` gains the shared blast-radius figures (:mod:`tipsim.analysis.blast_radius`,
    default :class:`~tipsim.analysis.slo.SLO`: 99% of requests per 60 s window):
    ``slo_breach_minutes`` and ``error_budget_used``. The traffic model has no latency, so
    every served request counts as fast.
    """
    plan = MigrationPlan(strategy=p.strategy, decision_s=p.decision_s,
                         node_pause_s=p.node_pause_s, cordon=p.cordon)
    traffic = TrafficSpec(rate_per_s=p.rate_per_s, pod_capacity_rps=p.pod_capacity_rps,
                          users=p.users)
    result = run_migration(cluster_spec(p), plan, insecure_group=INSECURE_GROUP,
                           horizon_s=p.horizon_s, traffic=traffic, seed=seed,
                           replication=replication, startup_cv=p.startup_cv,
                           provision_delay_s=p.provision_delay_s)
    served = result.traffic
    radius = blast_radius(served.time_s, served.user, served.ok, np.zeros(len(served.ok)), SLO(),
                          onset_s=p.decision_s, end_s=p.horizon_s)
    result.metrics["slo_breach_minutes"] = radius.slo_breach_minutes
    result.metrics["error_budget_used"] = radius.error_budget_used
    result.metrics.update(run_alerts(served.time_s, served.ok, duration_s=p.horizon_s,
                                     slo=SLO().availability_target, onset_s=p.decision_s))
    return result


def run_cli(params: Params, *, seed: int, replications: int | None = None) -> dict[str, Any]:
    """``tipsim run node-groups``: metrics of one run, or means over replications."""
    n = replications or 1
    runs = [run(params, seed=seed, replication=r).metrics for r in range(n)]
    if n == 1:
        return {**runs[0], "seed": seed}
    return summarise(runs) | {"seed": seed, "replications": n}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and standard error of each numeric metric over replications."""
    out: dict[str, Any] = {"strategy": runs[0]["strategy"]}
    for key, value in runs[0].items():
        if isinstance(value, bool) or not isinstance(value, int | float | None):
            continue
        vals = np.array([r[key] for r in runs if r[key] is not None], dtype=float)
        if len(vals) == 0:
            out[key] = None
            continue
        out[key] = float(vals.mean())
        out[f"{key}_se"] = float(vals.std(ddof=1) / np.sqrt(len(vals))) if len(vals) > 1 else 0.0
    out["migration_complete_fraction"] = float(np.mean([r["migration_complete"] for r in runs]))
    out["paged_fraction"] = float(np.mean([r["first_page_s"] is not None for r in runs]))
    return out


def variants(p: Params) -> list[Params]:
    """The strategies to compare on one chart: both strategies, with the chosen spare
    nodes and with none, with the chosen ``toleration_seconds`` and without."""
    out: list[Params] = []
    for strategy in ("all-at-once", "node-by-node"):
        for spare in dict.fromkeys((p.spare_nodes, 0)):
            for tol in dict.fromkeys((p.toleration_seconds, None)):
                out.append(p.replace(strategy=strategy, spare_nodes=spare, toleration_seconds=tol))
    return out


def label(p: Params) -> str:
    """Short name of a variant, e.g. ``node-by-node, 2 spare, tol 60 s``."""
    tol = "no toleration" if p.toleration_seconds is None else f"tol {p.toleration_seconds:g} s"
    return f"{p.strategy}, {p.spare_nodes} spare, {tol}"


def compare(p: Params, *, seed: int = 1, replications: int = 5) -> list[dict[str, Any]]:
    """Exposure and disruption of each variant: means and standard errors over
    ``replications`` (common random numbers: replication r uses the same streams in
    every variant)."""
    rows = []
    for v in variants(p):
        runs = [run(v, seed=seed, replication=r).metrics for r in range(replications)]
        rows.append({"label": label(v), "strategy": v.strategy, "spare_nodes": v.spare_nodes,
                     "toleration_seconds": v.toleration_seconds, **summarise(runs)})
    return rows
