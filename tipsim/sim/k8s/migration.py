"""Moving external workloads off a node group with a NoExecute taint: strategies and one run.

Two ways to put up the sign (talk, slide 12, ``kubectl taint nodes external=true:NoExecute``):

* ``all-at-once``: every node of the insecure group is tainted at the decision time.
  Every external pod there is evicted together (or after its ``tolerationSeconds``), so
  exposure ends soonest and the dip in ready replicas is deepest.
* ``node-by-node``: one node at a time, ``node_pause_s`` apart, like a drain. Only a few
  replicas are down at once, but external pods stay on the nodes not yet tainted, and a
  replacement may land on one of them and be evicted again later.

``cordon`` says which nodes are also cordoned (``kubectl cordon``): ``"none"`` (the talk's
bare ``kubectl taint``), ``"tainted"`` (each node as it is tainted, as ``kubectl drain``
does) or ``"group"`` (the whole insecure group at the decision, so no replacement lands
on a node that is about to be tainted). Cordoning matters for pods that may still be
scheduled onto the group: those not yet tainted, and those that tolerate the taint for
``tolerationSeconds``.

:func:`run_migration` builds a :class:`~tipsim.sim.k8s.cluster.Cluster`, applies the
strategy, serves traffic from the ready external pods and returns records and metrics.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import simpy

from tipsim.params import Params, param
from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.metrics import (
    StepCount,
    exposure_end_s,
    exposure_pod_seconds,
    pending_pods,
    ready_external,
)
from tipsim.sim.k8s.spec import EXTERNAL_TAINT, ClusterSpec, Taint
from tipsim.sim.k8s.state import KIND_CODES
from tipsim.sim.k8s.traffic import TrafficResult, TrafficSpec, serve
from tipsim.sim.rng import streams

Strategy = Literal["all-at-once", "node-by-node"]
Cordon = Literal["none", "tainted", "group"]
STRATEGIES: tuple[str, ...] = ("all-at-once", "node-by-node")
CORDON_MODES: tuple[str, ...] = ("none", "tainted", "group")
STREAMS: tuple[str, ...] = ("arrivals", "users", "startup", "scheduler")


class MigrationPlan(Params):
    """Which nodes get which taint, when, and how."""

    strategy: Strategy = param("all-at-once",
                               description="taint the whole insecure group at once, or node by node")
    decision_s: float = param(60.0, ge=0, le=3600, unit="s",
                              description="when the taint decision is made")
    node_pause_s: float = param(60.0, ge=0, le=3600, unit="s", slider=(0, 300), step=10,
                                description="pause between nodes (node-by-node)")
    cordon: Cordon = param("tainted", description="cordon no node, each node as it is "
                                                  "tainted, or the whole group first")
    taint: Taint = EXTERNAL_TAINT


@dataclass
class MigrationResult:
    """Records and metrics of one run (``metrics`` is JSON-ready)."""

    pods: dict[str, np.ndarray]
    nodes: dict[str, Any]
    ready: StepCount
    pending: StepCount
    traffic: TrafficResult
    desired_external: int
    insecure_nodes: np.ndarray
    plan: MigrationPlan
    horizon_s: float
    metrics: dict[str, Any]


def apply_strategy(cluster: Cluster, nodes: list[int], plan: MigrationPlan) -> simpy.Process:
    """Start the process that taints ``nodes`` according to ``plan``."""
    env = cluster.env

    def run() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(plan.decision_s)
        if plan.cordon == "group" or (plan.cordon == "tainted" and plan.strategy == "all-at-once"):
            for i in nodes:
                cluster.cordon(i)
        if plan.strategy == "all-at-once":
            # kubectl taints the nodes one after another within milliseconds, before any
            # replacement is scheduled: every node gets its taint, then evictions run.
            for i in nodes:
                cluster.taint(i, plan.taint)
            return
        for k, i in enumerate(nodes):
            if k:
                yield env.timeout(plan.node_pause_s)
            if plan.cordon == "tainted":
                cluster.cordon(i)
            cluster.taint(i, plan.taint)

    return env.process(run())


def run_migration(spec: ClusterSpec, plan: MigrationPlan, *, insecure_group: str,
                  horizon_s: float = 900.0, traffic: TrafficSpec | None = None, seed: int = 1,
                  replication: int = 0, startup_cv: float = 0.25,
                  provision_delay_s: float = 120.0) -> MigrationResult:
    """Run one migration and measure exposure and disruption.

    Parameters
    ----------
    spec
        The cluster (the insecure node group is named by ``insecure_group``).
    plan
        Strategy and timing.
    horizon_s
        Simulated time; metrics cover [``plan.decision_s``, ``horizon_s``].
    traffic
        External demand; default :class:`TrafficSpec`.
    seed, replication
        Random streams ``arrivals``, ``users``, ``startup``, ``scheduler`` (tie-breaks
        between equally good nodes); common random numbers across strategies.
    startup_cv
        Spread of pod start-up times.
    provision_delay_s
        Autoscaler's time to a ready node.
    """
    traffic = traffic or TrafficSpec()
    rng = streams(seed, STREAMS, replication)
    env = simpy.Environment()
    cluster = Cluster(env, spec, startup_rng=rng["startup"], startup_cv=startup_cv,
                      provision_delay_s=provision_delay_s, scheduler_rng=rng["scheduler"])
    targets = cluster.nodes_in_group(insecure_group)
    apply_strategy(cluster, targets, plan)
    env.run(until=horizon_s)

    pods = cluster.pod_table()
    nodes = cluster.node_table()
    insecure = np.nonzero(~nodes["secure"])[0]
    desired = sum(w.replicas for w in spec.workloads if w.kind == "external")
    ready = ready_external(pods)
    pending = pending_pods(pods)
    served = serve(ready, rate_per_s=traffic.rate_per_s, pod_capacity_rps=traffic.pod_capacity_rps,
                   users=traffic.users, start_s=plan.decision_s, end_s=horizon_s,
                   arrivals_rng=rng["arrivals"], users_rng=rng["users"])
    t0 = plan.decision_s
    exposure_done = exposure_end_s(pods, insecure, t0, horizon_s)
    recovered = ready.last_recovery_s(desired, t0, horizon_s) if desired else t0
    done = None if exposure_done is None or recovered is None else max(exposure_done, recovered)
    ext = pods["kind"] == KIND_CODES["external"]
    evicted = pods["end_reason"] > 0
    metrics: dict[str, Any] = {
        "strategy": plan.strategy,
        "exposure_pod_seconds": exposure_pod_seconds(pods, insecure, t0, horizon_s),
        "exposure_end_s": None if exposure_done is None else exposure_done - t0,
        "unavailable_seconds": ready.time_below(desired, t0, horizon_s) if desired else 0.0,
        "min_ready_external": ready.minimum(t0, horizon_s),
        "desired_external": desired,
        "failed_requests": served.failed,
        "requests": len(served.ok),
        "failed_fraction": served.failed / max(1, len(served.ok)),
        "affected_users": served.affected_users,
        "migration_time_s": None if done is None else done - t0,
        "migration_complete": done is not None,
        "evictions": int(np.count_nonzero(evicted)),
        "external_evictions": int(np.count_nonzero(evicted & ext)),
        "max_pending_pods": pending.maximum(t0, horizon_s),
        "nodes_added": int(np.count_nonzero(nodes["added_s"] > 0)),
    }
    return MigrationResult(pods, nodes, ready, pending, served, desired, insecure, plan,
                           horizon_s, metrics)
