"""The cluster's state, as the API server holds it: the node and pod tables, and who to tell.

Think of a hotel's register: rooms (nodes) and guests (pods), who is in which room since
when, and a board the staff watch for changes. The staff are the controllers (the
scheduler loop, the kubelet, the ReplicaSet, DaemonSet and taint eviction controllers, the
cluster-autoscaler): each reacts to the changes it watches and writes back here, the way
Kubernetes controllers watch the API server. Watchers are called in the order they
subscribed.

Writes (``create_pod``, ``bind``, ``delete``, ``add_node``, ``taint``, ``untaint``,
``cordon``) happen at ``env.now``; :meth:`ClusterState.pod_table` and
:meth:`ClusterState.node_table` return every pod's and node's history as arrays.

A deleted pod frees its node's resources at once (no termination grace period).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from tipsim.sim.k8s.eviction import ScheduledEviction
from tipsim.sim.k8s.scheduler import NodeState
from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec, Taint, Toleration

KIND_CODES: dict[str, int] = {"internal": 0, "external": 1, "daemon": 2}
"""Small integer codes of pod kinds in :meth:`ClusterState.pod_table`."""
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
    scheduled: ScheduledEviction | None = None  # the taint eviction controller's notice
    warm: bool = False  # already running at t = 0: ready as soon as bound
    schedulable_s: float = 0.0  # the scheduler may bind it from then on

    @property
    def alive(self) -> bool:
        return math.isnan(self.ended_s)

    @property
    def pending(self) -> bool:
        return self.alive and self.node < 0

    @property
    def ready(self) -> bool:
        return not math.isnan(self.ready_s)


@dataclass
class NodeRecord:
    """A node's history: when it joined, when it was tainted and cordoned."""

    state: NodeState
    os_image: str
    added_s: float
    taint_events: list[tuple[float, str, bool]] = field(default_factory=list)  # (t, taint, added)
    cordoned_s: float = math.nan


PodWatcher = Callable[[PodState], None]
NodeWatcher = Callable[[NodeRecord], None]
TaintWatcher = Callable[[int, bool], None]  # (node index, whether a taint was removed)


class ClusterState:
    """Node and pod tables of one cluster, and the watchers of their changes.

    Parameters
    ----------
    env
        The simpy environment (its clock is the cluster's).
    spec
        Node groups, workloads and DaemonSets.
    """

    def __init__(self, env: simpy.Environment, spec: ClusterSpec) -> None:
        self.env = env
        self.spec = spec
        self.nodes: list[NodeRecord] = []
        self.pods: list[PodState] = []
        self.on_created: list[PodWatcher] = []
        self.on_bound: list[PodWatcher] = []
        self.on_deleted: list[PodWatcher] = []
        self.on_node_added: list[NodeWatcher] = []
        self.on_taints_changed: list[TaintWatcher] = []
        self.on_change: list[Callable[[], None]] = []

    @property
    def now(self) -> float:
        return float(self.env.now)

    # ------------------------------------------------------------------ nodes
    def add_node(self, group: NodeGroupSpec) -> NodeRecord:
        """A node of ``group`` joins the cluster now."""
        index = len(self.nodes)
        state = NodeState(index=index, name=f"{group.name}-{index}", group=group.name,
                          cpu_m=group.cpu_m, memory_mb=group.memory_mb, secure=group.secure,
                          taints=list(group.taints))
        record = NodeRecord(state, group.os_image, self.now)
        self.nodes.append(record)
        for fn in self.on_node_added:
            fn(record)
        return record

    def node_names(self) -> list[str]:
        return [n.state.name for n in self.nodes]

    def nodes_in_group(self, group: str) -> list[int]:
        """Indices of the nodes of one node group."""
        return [n.state.index for n in self.nodes if n.state.group == group]

    def taint(self, node_index: int, taint: Taint) -> None:
        """``kubectl taint nodes NODE key=value:effect``."""
        record = self.nodes[node_index]
        if taint in record.state.taints:
            return
        record.state.taints.append(taint)
        record.taint_events.append((self.now, taint.as_text(), True))
        for fn in self.on_taints_changed:
            fn(node_index, False)

    def untaint(self, node_index: int, taint: Taint) -> None:
        """``kubectl taint nodes NODE key=value:effect-``."""
        record = self.nodes[node_index]
        if taint not in record.state.taints:
            return
        record.state.taints.remove(taint)
        record.taint_events.append((self.now, taint.as_text(), False))
        for fn in self.on_taints_changed:
            fn(node_index, True)

    def cordon(self, node_index: int) -> None:
        """``kubectl cordon NODE``: no new pods; running pods stay."""
        record = self.nodes[node_index]
        if not record.state.unschedulable:
            record.state.unschedulable = True
            record.cordoned_s = self.now

    # ------------------------------------------------------------------ pods
    def create_pod(self, workload: str, kind: str, cpu_m: int, memory_mb: int,
                   tolerations: tuple[Toleration, ...], startup_s: float, *,
                   warm: bool = False, schedulable_s: float | None = None) -> PodState:
        """A new pod object (Pending until bound)."""
        now = self.now
        pod = PodState(len(self.pods), workload, kind, cpu_m, memory_mb, tuple(tolerations),
                       startup_s, now, warm=warm,
                       schedulable_s=now if schedulable_s is None else schedulable_s)
        self.pods.append(pod)
        for fn in self.on_created:
            fn(pod)
        return pod

    def bind(self, pod: PodState, node: NodeState) -> None:
        """Bind ``pod`` to ``node`` (its requests are counted on the node from now on)."""
        pod.node = node.index
        pod.bound_s = self.now
        node.used_cpu_m += pod.cpu_m
        node.used_memory_mb += pod.memory_mb
        for fn in self.on_bound:
            fn(pod)

    def delete(self, pod: PodState, reason: str) -> None:
        """Delete ``pod`` now (``reason``: a key of :data:`END_CODES`)."""
        if not pod.alive:
            return
        pod.ended_s = self.now
        pod.end_reason = reason
        pod.scheduled = None
        if pod.node >= 0:
            node = self.nodes[pod.node].state
            node.used_cpu_m -= pod.cpu_m
            node.used_memory_mb -= pod.memory_mb
        for fn in self.on_deleted:
            fn(pod)

    def pods_on(self, node_index: int) -> list[PodState]:
        return [p for p in self.pods if p.alive and p.node == node_index]

    def changed(self) -> None:
        """Tell the ``on_change`` listeners (e.g. a live chart) that something moved."""
        for fn in self.on_change:
            fn()

    # ------------------------------------------------------------------ tables
    def pod_table(self) -> dict[str, np.ndarray]:
        """One row per pod that ever existed (columns are numpy arrays).

        ``node`` is -1 for a pod never bound; times are NaN for what did not happen.
        """
        pods = self.pods
        n = len(pods)
        table: dict[str, np.ndarray] = {
            "pod": np.arange(n, dtype=np.int32),
            "kind": np.array([KIND_CODES[p.kind] for p in pods], dtype=np.int8),
            "node": np.array([p.node for p in pods], dtype=np.int32),
            "created_s": np.array([p.created_s for p in pods], dtype=np.float64),
            "schedulable_s": np.array([p.schedulable_s for p in pods], dtype=np.float64),
            "bound_s": np.array([p.bound_s for p in pods], dtype=np.float64),
            "ready_s": np.array([p.ready_s for p in pods], dtype=np.float64),
            "ended_s": np.array([p.ended_s for p in pods], dtype=np.float64),
            "end_reason": np.array([END_CODES[p.end_reason] for p in pods], dtype=np.int8),
        }
        table["workload"] = np.array([p.workload for p in pods], dtype=object)
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
