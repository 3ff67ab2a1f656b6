"""A running Kubernetes cluster in simpy: nodes, pods, the scheduler loop, the ReplicaSet
controller, the taint eviction controller and a cluster-autoscaler.

Picture a hotel where rooms are nodes and guests are pods: the front desk (scheduler)
gives each arriving guest the emptiest room that accepts them; when a guest is asked to
leave (evicted), the booking office (ReplicaSet controller) books a replacement at once,
and the replacement needs time to unpack (``startup_s``, image pull and readiness) before
they are any use. When no room fits, guests wait in the lobby (Pending) and the builder
(autoscaler) may add rooms after a delay.

The model is driven by actions at ``env.now`` (:meth:`Cluster.taint`, :meth:`Cluster.untaint`,
:meth:`Cluster.cordon`, :meth:`Cluster.drain`); every pod's life is recorded and
:meth:`Cluster.pod_table` returns it as numpy arrays.

Simplifications (said, not hidden): a deleted pod frees its node's resources at once
(no termination grace period); a replacement pod can be bound ``scheduling_delay_s`` after
it is created (ReplicaSet controller plus scheduler latency; it also keeps a pod that is
evicted the moment it binds from looping in zero simulated time); pods
that start after ``t = 0`` take a start-up time drawn from a gamma distribution with mean
``WorkloadSpec.startup_s`` and coefficient of variation ``startup_cv``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from tipsim.errors import ParameterError
from tipsim.sim.k8s.eviction import ScheduledEviction, decide
from tipsim.sim.k8s.scheduler import NodeState, feasible, pick_node, taints_tolerated
from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec, Taint, Toleration

KIND_CODES: dict[str, int] = {"internal": 0, "external": 1, "daemon": 2}
"""Small integer codes of pod kinds in :meth:`Cluster.pod_table`."""
END_CODES: dict[str, int] = {"": 0, "taint": 1, "drain": 2}
"""Why a pod ended: still running (0), taint eviction (1), Eviction API drain (2)."""


@dataclass
class PodState:
    """One pod's life: created, bound to a node, ready, ended."""

    id: int
    workload: str
    kind: str
    cpu_m: int
    memory_mb: int
    tolerations: tuple[Toleration, ...]
    startup_s: float
    created_s: float
    node: int = -1
    bound_s: float = math.nan
    ready_s: float = math.nan
    ended_s: float = math.nan
    end_reason: str = ""
    scheduled: ScheduledEviction | None = None
    warm: bool = False  # already running at t = 0: ready as soon as bound
    schedulable_s: float = 0.0  # the scheduler may bind it from then on

    @property
    def alive(self) -> bool:
        return math.isnan(self.ended_s)

    @property
    def pending(self) -> bool:
        return self.alive and self.node < 0


@dataclass
class NodeRecord:
    """A node's history: when it joined, when it was tainted and cordoned."""

    state: NodeState
    os_image: str
    added_s: float
    taint_events: list[tuple[float, str, bool]] = field(default_factory=list)  # (t, taint, added)
    cordoned_s: float = math.nan


class Cluster:
    """The cluster at run time.

    Parameters
    ----------
    env
        The simpy environment (its clock is the cluster's).
    spec
        Node groups, workloads and DaemonSets.
    startup_rng
        Stream for start-up times; ``None`` makes every start-up take exactly its mean.
    startup_cv
        Coefficient of variation of start-up times (0 = fixed).
    provision_delay_s
        Time from the autoscaler's decision until a new node is ready.
    autoscale_interval_s
        How often the autoscaler looks for unschedulable pods (cluster-autoscaler's
        ``--scan-interval`` defaults to 10 s).
    scheduling_delay_s
        Time from a replacement pod's creation until the scheduler can bind it (> 0).
    """

    def __init__(self, env: simpy.Environment, spec: ClusterSpec, *,
                 startup_rng: np.random.Generator | None = None, startup_cv: float = 0.0,
                 provision_delay_s: float = 120.0, autoscale_interval_s: float = 10.0,
                 scheduling_delay_s: float = 1.0) -> None:
        if not scheduling_delay_s > 0:
            raise ParameterError("scheduling_delay_s", scheduling_delay_s, "a number > 0")
        self.env = env
        self.spec = spec
        self.startup_rng = startup_rng
        self.startup_cv = float(startup_cv)
        self.provision_delay_s = float(provision_delay_s)
        self.autoscale_interval_s = float(autoscale_interval_s)
        self.scheduling_delay_s = float(scheduling_delay_s)
        self.nodes: list[NodeRecord] = []
        self.pods: list[PodState] = []
        self._extra_added: dict[str, int] = {g.name: 0 for g in spec.node_groups}
        self._in_flight: dict[str, int] = {g.name: 0 for g in spec.node_groups}
        self.on_change: list[Callable[[], None]] = []
        for group in spec.node_groups:
            for _ in range(group.size):
                self._add_node(group)
        # Deployments start spread out and ready (a cluster that has been running a while):
        # replicas are created interleaved so the initial spread mixes the workloads.
        for i in range(max((w.replicas for w in spec.workloads), default=0)):
            for w in spec.workloads:
                if i < w.replicas:
                    self._create_pod(w.name, w.kind, w.cpu_m, w.memory_mb, w.tolerations,
                                     w.startup_s, warm=True)
        self._schedule_pending()
        for pod in self.pods:
            pod.warm = False  # a pod that found no node at t = 0 starts up like any other
        for group in spec.node_groups:
            for _ in range(group.spare):
                self._add_node(group)
        if any(g.autoscale_max_extra > 0 for g in spec.node_groups):
            env.process(self._autoscaler())

    # ------------------------------------------------------------------ nodes
    def _add_node(self, group: NodeGroupSpec) -> NodeRecord:
        index = len(self.nodes)
        state = NodeState(index=index, name=f"{group.name}-{index}", group=group.name,
                          cpu_m=group.cpu_m, memory_mb=group.memory_mb, secure=group.secure,
                          taints=list(group.taints))
        record = NodeRecord(state, group.os_image, float(self.env.now))
        self.nodes.append(record)
        for ds in self.spec.daemonsets:
            if taints_tolerated(state.taints, ds.tolerations) and state.fits(ds.cpu_m, ds.memory_mb):
                pod = self._create_pod(ds.name, "daemon", ds.cpu_m, ds.memory_mb,
                                       ds.tolerations, 0.0, warm=True)
                self._bind(pod, state, warm=True)
        return record

    def node_names(self) -> list[str]:
        return [n.state.name for n in self.nodes]

    def nodes_in_group(self, group: str) -> list[int]:
        """Indices of the nodes of one node group."""
        return [n.state.index for n in self.nodes if n.state.group == group]

    # ------------------------------------------------------------------ pods
    def _create_pod(self, workload: str, kind: str, cpu_m: int, memory_mb: int,
                    tolerations: tuple[Toleration, ...], startup_s: float, *,
                    warm: bool = False) -> PodState:
        pod = PodState(len(self.pods), workload, kind, cpu_m, memory_mb, tuple(tolerations),
                       startup_s, float(self.env.now), warm=warm,
                       schedulable_s=float(self.env.now))
        self.pods.append(pod)
        return pod

    def _startup_draw_s(self, mean_s: float) -> float:
        if self.startup_rng is None or self.startup_cv <= 0 or mean_s <= 0:
            return float(mean_s)
        shape = 1.0 / self.startup_cv**2
        return float(self.startup_rng.gamma(shape, mean_s / shape))

    def _bind(self, pod: PodState, node: NodeState, *, warm: bool = False) -> None:
        now = float(self.env.now)
        pod.node = node.index
        pod.bound_s = now
        node.used_cpu_m += pod.cpu_m
        node.used_memory_mb += pod.memory_mb
        if warm:
            pod.ready_s = now
        else:
            self.env.process(self._start(pod, self._startup_draw_s(pod.startup_s)))
        # The taint eviction controller sees every pod bound to a tainted node.
        self._process_pod(pod)

    def _start(self, pod: PodState, delay_s: float) -> Iterator[simpy.Event]:
        yield self.env.timeout(delay_s)
        if pod.alive:
            pod.ready_s = float(self.env.now)
            self._changed()

    def _schedule_pending(self) -> None:
        states = [n.state for n in self.nodes]
        now = float(self.env.now)
        for pod in self.pods:
            if pod.pending and pod.schedulable_s <= now:
                node = pick_node(states, pod.cpu_m, pod.memory_mb, pod.tolerations)
                if node is not None:
                    self._bind(pod, node, warm=pod.warm)
        self._changed()

    def delete_pod(self, pod: PodState, reason: str) -> None:
        """Delete a pod now; a Deployment's ReplicaSet creates its replacement at once."""
        if not pod.alive:
            return
        pod.ended_s = float(self.env.now)
        pod.end_reason = reason
        pod.scheduled = None
        if pod.node >= 0:
            node = self.nodes[pod.node].state
            node.used_cpu_m -= pod.cpu_m
            node.used_memory_mb -= pod.memory_mb
        if pod.kind != "daemon":
            new = self._create_pod(pod.workload, pod.kind, pod.cpu_m, pod.memory_mb,
                                   pod.tolerations, pod.startup_s)
            new.schedulable_s = new.created_s + self.scheduling_delay_s
            self.env.process(self._schedule_at(new.schedulable_s))
        self._schedule_pending()

    def _schedule_at(self, t_s: float) -> Iterator[simpy.Event]:
        yield self.env.timeout(t_s - float(self.env.now))
        self._schedule_pending()

    def pods_on(self, node_index: int) -> list[PodState]:
        return [p for p in self.pods if p.alive and p.node == node_index]

    # ------------------------------------------------------------------ taints
    def taint(self, node_index: int, taint: Taint) -> None:
        """``kubectl taint nodes NODE key=value:effect``."""
        record = self.nodes[node_index]
        if taint in record.state.taints:
            return
        record.state.taints.append(taint)
        record.taint_events.append((float(self.env.now), taint.as_text(), True))
        self._process_node(node_index)

    def untaint(self, node_index: int, taint: Taint) -> None:
        """``kubectl taint nodes NODE key=value:effect-``."""
        record = self.nodes[node_index]
        if taint not in record.state.taints:
            return
        record.state.taints.remove(taint)
        record.taint_events.append((float(self.env.now), taint.as_text(), False))
        self._process_node(node_index)
        self._schedule_pending()

    def cordon(self, node_index: int) -> None:
        """``kubectl cordon NODE``: no new pods; running pods stay."""
        record = self.nodes[node_index]
        if not record.state.unschedulable:
            record.state.unschedulable = True
            record.cordoned_s = float(self.env.now)

    def _process_node(self, node_index: int) -> None:
        for pod in self.pods_on(node_index):
            self._process_pod(pod)

    def _process_pod(self, pod: PodState) -> None:
        if not pod.alive or pod.node < 0:
            return
        now = float(self.env.now)
        decision = decide(pod.scheduled, self.nodes[pod.node].state.taints, pod.tolerations, now)
        if decision.action == "evict_now":
            self.delete_pod(pod, "taint")
        elif decision.action == "cancel":
            pod.scheduled = None
        elif decision.action == "schedule":
            scheduled = ScheduledEviction(decision.created_s, decision.trigger_s)
            pod.scheduled = scheduled
            self.env.process(self._eviction_timer(pod, scheduled))

    def _eviction_timer(self, pod: PodState, scheduled: ScheduledEviction
                        ) -> Iterator[simpy.Event]:
        yield self.env.timeout(max(0.0, scheduled.trigger_s - float(self.env.now)))
        if pod.alive and pod.scheduled is scheduled:  # not cancelled or replaced meanwhile
            self.delete_pod(pod, "taint")

    # ------------------------------------------------------------------ drain (Eviction API)
    def eviction_allowed(self, pod: PodState) -> bool:
        """The Eviction API's PodDisruptionBudget check: ready pods of the workload after
        this eviction must stay >= ``min_available``."""
        spec = next((w for w in self.spec.workloads if w.name == pod.workload), None)
        if spec is None or spec.min_available <= 0:
            return True
        ready = sum(1 for p in self.pods if p.alive and p.workload == pod.workload
                    and not math.isnan(p.ready_s))
        pod_ready = not math.isnan(pod.ready_s)
        return ready - (1 if pod_ready else 0) >= spec.min_available

    def drain(self, node_index: int, retry_s: float = 5.0) -> simpy.Process:
        """``kubectl drain``: cordon, then evict every non-DaemonSet pod through the Eviction
        API (honouring PodDisruptionBudgets), retrying refused ones every ``retry_s``."""
        self.cordon(node_index)

        def run() -> Iterator[simpy.Event]:
            while True:
                left = [p for p in self.pods_on(node_index) if p.kind != "daemon"]
                if not left:
                    return
                for pod in left:
                    if self.eviction_allowed(pod):
                        self.delete_pod(pod, "drain")
                yield self.env.timeout(retry_s)

        return self.env.process(run())

    # ------------------------------------------------------------------ autoscaler
    def _nodes_needed(self, group: NodeGroupSpec, pending: list[PodState]) -> int:
        """First-fit of the pending pods that a fresh node of ``group`` would take."""
        ds_cpu = sum(d.cpu_m for d in self.spec.daemonsets if taints_tolerated(group.taints, d.tolerations))
        ds_mem = sum(d.memory_mb for d in self.spec.daemonsets if taints_tolerated(group.taints, d.tolerations))
        bins: list[NodeState] = []
        for pod in sorted(pending, key=lambda p: -p.cpu_m):
            template = NodeState(-1, "template", group.name, group.cpu_m, group.memory_mb,
                                 group.secure, list(group.taints), used_cpu_m=ds_cpu,
                                 used_memory_mb=ds_mem)
            if not feasible(template, pod.cpu_m, pod.memory_mb, pod.tolerations):
                continue
            target = next((b for b in bins if b.fits(pod.cpu_m, pod.memory_mb)), None)
            if target is None:
                target = template
                bins.append(target)
            target.used_cpu_m += pod.cpu_m
            target.used_memory_mb += pod.memory_mb
        return len(bins)

    def _autoscaler(self) -> Iterator[simpy.Event]:
        while True:
            yield self.env.timeout(self.autoscale_interval_s)
            # Only pods the scheduler has tried and failed to place (PodScheduled=False).
            now = float(self.env.now)
            pending = [p for p in self.pods if p.pending and p.schedulable_s < now]
            if not pending:
                continue
            for group in self.spec.node_groups:
                room = group.autoscale_max_extra - self._extra_added[group.name]
                need = self._nodes_needed(group, pending) - self._in_flight[group.name]
                count = min(room, need)
                if count > 0:
                    self._extra_added[group.name] += count
                    self._in_flight[group.name] += count
                    self.env.process(self._provision(group, count))
                    break  # one expander choice per scan

    def _provision(self, group: NodeGroupSpec, count: int) -> Iterator[simpy.Event]:
        yield self.env.timeout(self.provision_delay_s)
        for _ in range(count):
            self._add_node(group)
        self._in_flight[group.name] -= count
        self._schedule_pending()

    # ------------------------------------------------------------------ records
    def _changed(self) -> None:
        for fn in self.on_change:
            fn()

    def pod_table(self) -> dict[str, np.ndarray]:
        """One row per pod that ever existed (columns are numpy arrays).

        ``node`` is -1 for a pod never bound; times are NaN for what did not happen.
        """
        n = len(self.pods)
        table: dict[str, np.ndarray] = {
            "pod": np.arange(n, dtype=np.int32),
            "kind": np.array([KIND_CODES[p.kind] for p in self.pods], dtype=np.int8),
            "node": np.array([p.node for p in self.pods], dtype=np.int32),
            "created_s": np.array([p.created_s for p in self.pods], dtype=np.float64),
            "schedulable_s": np.array([p.schedulable_s for p in self.pods], dtype=np.float64),
            "bound_s": np.array([p.bound_s for p in self.pods], dtype=np.float64),
            "ready_s": np.array([p.ready_s for p in self.pods], dtype=np.float64),
            "ended_s": np.array([p.ended_s for p in self.pods], dtype=np.float64),
            "end_reason": np.array([END_CODES[p.end_reason] for p in self.pods], dtype=np.int8),
        }
        table["workload"] = np.array([p.workload for p in self.pods], dtype=object)
        return table

    def node_table(self) -> dict[str, Any]:
        """One row per node: name, group, OS image, secure flag, join and first-taint times."""
        first_taint = []
        for rec in self.nodes:
            added = [t for t, _, on in rec.taint_events if on]
            first_taint.append(min(added) if added else math.nan)
        return {
            "name": [n.state.name for n in self.nodes],
            "group": [n.state.group for n in self.nodes],
            "os_image": [n.os_image for n in self.nodes],
            "secure": np.array([n.state.secure for n in self.nodes], dtype=bool),
            "added_s": np.array([n.added_s for n in self.nodes], dtype=np.float64),
            "first_taint_s": np.array(first_taint, dtype=np.float64),
        }
