"""The scheduler: filter the nodes a pod may go to, then score them (least allocated).

Like seating guests: first strike the tables they may not sit at (a sign they do not
accept, not enough room), then pick the emptiest of the rest. A pod with no table left
waits (Pending) and is tried again when room appears.

Filter (kube-scheduler plugins ``NodeUnschedulable``, ``TaintToleration``,
``NodeResourcesFit``): a cordoned node takes no new pods; every ``NoSchedule`` and
``NoExecute`` taint must be tolerated (a toleration with ``tolerationSeconds`` passes
the filter, so such a pod can land on a tainted node and be evicted later); CPU and
memory requests must fit in what is left. Score (``NodeResourcesFit`` with the
``LeastAllocated`` strategy): the mean over CPU and memory of
``100 * (allocatable - requested) / allocatable`` after placing the pod; ties go to the
node listed first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tipsim.sim.k8s.spec import Taint, Toleration


@dataclass
class NodeState:
    """What the scheduler needs to know about a node."""

    index: int
    name: str
    group: str
    cpu_m: int
    memory_mb: int
    secure: bool
    taints: list[Taint] = field(default_factory=list)
    unschedulable: bool = False
    ready: bool = True
    used_cpu_m: int = 0
    used_memory_mb: int = 0

    def fits(self, cpu_m: int, memory_mb: int) -> bool:
        return (self.used_cpu_m + cpu_m <= self.cpu_m
                and self.used_memory_mb + memory_mb <= self.memory_mb)


def taints_tolerated(taints: Sequence[Taint], tolerations: Sequence[Toleration]) -> bool:
    """Whether every NoSchedule/NoExecute taint is tolerated (PreferNoSchedule only scores)."""
    return all(
        any(tol.tolerates(t) for tol in tolerations)
        for t in taints if t.effect in ("NoSchedule", "NoExecute")
    )


def feasible(node: NodeState, cpu_m: int, memory_mb: int,
             tolerations: Sequence[Toleration]) -> bool:
    """Whether a pod with these requests and tolerations may be bound to ``node``."""
    return (node.ready and not node.unschedulable
            and taints_tolerated(node.taints, tolerations)
            and node.fits(cpu_m, memory_mb))


def least_allocated_score(node: NodeState, cpu_m: int, memory_mb: int) -> float:
    """0-100, higher for a node left emptier after placing the pod."""
    cpu_free = (node.cpu_m - node.used_cpu_m - cpu_m) / node.cpu_m
    mem_free = (node.memory_mb - node.used_memory_mb - memory_mb) / node.memory_mb
    return 100.0 * (cpu_free + mem_free) / 2.0


def pick_node(nodes: Sequence[NodeState], cpu_m: int, memory_mb: int,
              tolerations: Sequence[Toleration]) -> NodeState | None:
    """The node the pod goes to, or ``None`` if none passes the filter (it stays Pending)."""
    best: NodeState | None = None
    best_score = -1.0
    for node in nodes:
        if not feasible(node, cpu_m, memory_mb, tolerations):
            continue
        score = least_allocated_score(node, cpu_m, memory_mb)
        if score > best_score:
            best, best_score = node, score
    return best
