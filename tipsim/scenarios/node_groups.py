"""Scenario 3 (talk, slide 12): move external workloads off an insecure node group with a
NoExecute taint, and weigh exposure against disruption.

A control plane with two node groups: ``insecure`` (old OS image, Ubuntu 16.04 xenial) and
``secure`` (patched image, Ubuntu 18.04 bionic). INTERNAL workloads tolerate
``external=true:NoExecute`` and stay; EXTERNAL ones do not (or only for
``toleration_seconds``) and move. ``spare_nodes`` extra secure nodes stand ready; the
autoscaler may add ``autoscale_max_nodes`` more after ``provision_delay_s``.

Example
-------
>>> r = run_cli(Params(), seed=1)
>>> r["evictions"] >= Params().external_replicas // 2
True
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from tipsim.analysis.blast_radius import blast_radius
from tipsim.analysis.slo import SLO
from tipsim.errors import ParameterError
from tipsim.params import Params as BaseParams
from tipsim.sim.k8s.migration import MigrationPlan, MigrationResult, TrafficSpec, run_migration
from tipsim.sim.k8s.spec import (
    EXTERNAL_TAINT,
    ClusterSpec,
    DaemonSetSpec,
    NodeGroupSpec,
    Toleration,
    WorkloadSpec,
)

INSECURE_GROUP = "insecure"
SECURE_GROUP = "secure"
INSECURE_IMAGE = "ubuntu-xenial-16.04"
SECURE_IMAGE = "ubuntu-bionic-18.04"


class Params(BaseParams):
    """Parameters of the node-group migration (``tipsim run node-groups --list-params``)."""

    strategy: Literal["all-at-once", "node-by-node"] = Field(
        "all-at-once", description="taint the whole insecure group at once, or node by node")
    spare_nodes: int = Field(2, ge=0, le=10, description="empty secure nodes added just before the move")
    toleration_seconds: float | None = Field(
        None, ge=0, le=3600,
        description="how long external pods tolerate the taint (empty: not at all)")
    node_pause_s: float = Field(60.0, ge=0, le=3600, description="pause between nodes (node-by-node)")
    cordon: Literal["none", "tainted", "group"] = Field(
        "tainted", description="cordon no node, each node as it is tainted, or the whole group first")
    insecure_nodes: int = Field(3, ge=1, le=20, description="nodes in the insecure group")
    secure_nodes: int = Field(2, ge=0, le=20, description="nodes in the secure group")
    node_cpu_m: int = Field(2000, ge=500, le=64000, description="allocatable CPU per node (millicores)")
    node_memory_mb: int = Field(4096, ge=512, le=262144, description="allocatable memory per node (MiB)")
    external_replicas: int = Field(8, ge=1, le=60, description="replicas of the external workload")
    external_cpu_m: int = Field(500, ge=10, le=16000, description="CPU request per external pod (m)")
    external_memory_mb: int = Field(512, ge=16, le=65536, description="memory request per external pod")
    internal_replicas: int = Field(8, ge=0, le=60, description="replicas of the internal workload")
    internal_cpu_m: int = Field(250, ge=10, le=16000, description="CPU request per internal pod (m)")
    internal_memory_mb: int = Field(256, ge=16, le=65536, description="memory request per internal pod")
    daemonset_cpu_m: int = Field(100, ge=0, le=4000, description="CPU of the DaemonSet pod on each node")
    startup_s: float = Field(30.0, ge=0, le=900, description="mean pod start-up (image pull + readiness)")
    startup_cv: float = Field(0.25, ge=0, le=2, description="spread of start-up times (coefficient of variation)")
    autoscale_max_nodes: int = Field(2, ge=0, le=20, description="secure nodes the autoscaler may add")
    provision_delay_s: float = Field(120.0, ge=0, le=3600, description="time for a new node to be ready")
    rate_per_s: float = Field(60.0, gt=0, le=10000, description="external requests per second")
    pod_capacity_rps: float = Field(15.0, gt=0, le=10000, description="requests per second one pod serves")
    users: int = Field(2000, ge=1, le=1_000_000, description="distinct users sending requests")
    decision_s: float = Field(60.0, ge=0, le=3600, description="when the taint decision is made")
    horizon_s: float = Field(900.0, ge=60, le=14400, description="simulated time")

    @model_validator(mode="after")
    def _decision_before_horizon(self) -> Params:
        if self.decision_s >= self.horizon_s:
            raise ValueError(f"decision_s: less than horizon_s ({self.horizon_s:g} s)")
        return self


def cluster_spec(p: Params) -> ClusterSpec:
    """The cluster the parameters describe, as plain data (see :mod:`tipsim.sim.k8s.spec`)."""
    external_tol: tuple[Toleration, ...] = ()
    if p.toleration_seconds is not None:
        external_tol = (Toleration(EXTERNAL_TAINT.key, "Equal", EXTERNAL_TAINT.value,
                                   "NoExecute", p.toleration_seconds),)
    internal_tol = (Toleration(EXTERNAL_TAINT.key, "Equal", EXTERNAL_TAINT.value, "NoExecute"),)
    groups = (
        NodeGroupSpec(INSECURE_GROUP, p.insecure_nodes, p.node_cpu_m, p.node_memory_mb,
                      INSECURE_IMAGE, secure=False),
        NodeGroupSpec(SECURE_GROUP, p.secure_nodes, p.node_cpu_m, p.node_memory_mb,
                      SECURE_IMAGE, secure=True, autoscale_max_extra=p.autoscale_max_nodes,
                      spare=p.spare_nodes),
    )
    workloads = (
        WorkloadSpec("web", "external", p.external_replicas, p.external_cpu_m, p.external_memory_mb,
                     external_tol, p.startup_s),
        WorkloadSpec("billing", "internal", p.internal_replicas, p.internal_cpu_m,
                     p.internal_memory_mb, internal_tol, p.startup_s),
    )
    daemonsets = (DaemonSetSpec("node-agent", p.daemonset_cpu_m, 128),) if p.daemonset_cpu_m else ()
    return ClusterSpec(groups, workloads, daemonsets)



def params_from_readback(readback: dict[str, Any], base: Params | None = None) -> Params:
    """Size the simulated cluster from the EKS node groups read back from the emulator.

    ``readback`` is :func:`tipsim.infra.stacks.node_group_specs` output. The group whose
    ``os-image`` label says insecure gives ``insecure_nodes``, the other ``secure_nodes``;
    node CPU and memory come from the instance type. Other parameters stay as in ``base``.
    """
    from tipsim.sim.k8s.spec import node_group_from_dict

    groups = [node_group_from_dict(g) for g in readback["node_groups"]]
    insecure = [g for g in groups if not g.secure]
    secure = [g for g in groups if g.secure]
    if len(insecure) != 1 or len(secure) != 1:
        raise ParameterError("node_groups", [g.name for g in groups],
                             "one insecure-OS and one secure-OS node group")
    base = base or Params()
    return base.replace(insecure_nodes=insecure[0].size, secure_nodes=secure[0].size,
                        node_cpu_m=insecure[0].cpu_m, node_memory_mb=insecure[0].memory_mb)


def run(p: Params, *, seed: int = 1, replication: int = 0) -> MigrationResult:
    """One run of the scenario.

    ``metrics`` gains the shared blast-radius figures (:mod:`tipsim.analysis.blast_radius`,
    default :class:`~tipsim.analysis.slo.SLO`: 99% of requests per 60 s window):
    ``slo_breach_minutes`` and ``error_budget_used``. The traffic model has no latency, so
    every served request counts as fast.
    """
    plan = MigrationPlan(p.strategy, p.decision_s, p.node_pause_s, p.cordon)
    traffic = TrafficSpec(p.rate_per_s, p.pod_capacity_rps, p.users)
    result = run_migration(cluster_spec(p), plan, insecure_group=INSECURE_GROUP,
                           horizon_s=p.horizon_s, traffic=traffic, seed=seed,
                           replication=replication, startup_cv=p.startup_cv,
                           provision_delay_s=p.provision_delay_s)
    served = result.traffic
    radius = blast_radius(served.time_s, served.user, served.ok, np.zeros(len(served.ok)), SLO(),
                          onset_s=p.decision_s, end_s=p.horizon_s)
    result.metrics["slo_breach_minutes"] = radius.slo_breach_minutes
    result.metrics["error_budget_used"] = radius.error_budget_used
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
