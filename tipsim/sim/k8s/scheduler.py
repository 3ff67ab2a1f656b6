"""The scheduler: filter the nodes a pod may go to, then score them (least allocated).

Like seating guests: first strike the tables they may not sit at (a sign they do not
accept, not enough room), then pick the emptiest of the rest. A pod with no table left
waits (Pending) and is tried again when room appears.

Filter (kube-scheduler plugins ``NodeUnschedulable``, ``TaintToleration``,
``NodeResourcesFit``): a cordoned node takes no new pods; every ``NoSchedule`` and
``NoExecute`` taint must be tolerated (a toleration with ``tolerationSeconds`` passes
the filter, so such a pod can land on a tainted node and be evicted later); CPU and
memory requests must fit in what is left. Score (``NodeResourcesFit`` with the
``LeastAllocated`` strategy, the only score plugin modelled): per resource
``(allocatable - requested) * 100 // allocatable`` after placing the pod, then the mean
over CPU and memory (weight 1 each), in whole numbers as kube-scheduler computes it
(``leastRequestedScore`` and ``leastResourceScorer`` in
``pkg/scheduler/framework/plugins/noderesources/least_allocated.go``). Among the nodes
with the highest score one is picked at random, each with the same chance
(``selectHost`` in ``pkg/scheduler/schedule_one.go``: reservoir sampling over the scored
nodes), here with the run's seeded generator.

Example
-------
>>> import numpy as np
>>> nodes = [NodeState(i, f"n{i}", "g", 1000, 1000, True) for i in range(3)]
>>> pick_node(nodes, 100, 100, ()).index                      # no generator: the first
0
>>> rng = np.random.default_rng(3)
>>> sorted({pick_node(nodes, 100, 100, (), rng).index for _ in range(50)})
[0, 1, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tipsim.sim.k8s.spec import Taint, Toleration

MAX_NODE_SCORE = 100
"""kube-scheduler's ``framework.MaxNodeScore``."""


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


def _least_requested(requested: int, allocatable: int) -> int:
    """``leastRequestedScore``: 0-100, in whole numbers (Go's integer division)."""
    if allocatable <= 0 or requested > allocatable:
        return 0
    return (allocatable - requested) * MAX_NODE_SCORE // allocatable


def least_allocated_score(node: NodeState, cpu_m: int, memory_mb: int) -> int:
    """0-100, higher for a node left emptier after placing the pod (whole numbers)."""
    cpu = _least_requested(node.used_cpu_m + cpu_m, node.cpu_m)
    memory = _least_requested(node.used_memory_mb + memory_mb, node.memory_mb)
    return (cpu + memory) // 2


def pick_node(nodes: Sequence[NodeState], cpu_m: int, memory_mb: int,
              tolerations: Sequence[Toleration],
              rng: np.random.Generator | None = None) -> NodeState | None:
    """The node the pod goes to, or ``None`` if none passes the filter (it stays Pending).

    Among the highest-scoring nodes, ``selectHost``'s reservoir sampling: the k-th node
    found with the best score so far replaces the pick with probability 1/k, so each of
    the tied nodes is picked with the same chance. Without ``rng`` the first of them is
    picked (deterministic worked examples; not what kube-scheduler does).
    """
    best: NodeState | None = None
    best_score = -1
    tied = 0
    for node in nodes:
        if not feasible(node, cpu_m, memory_mb, tolerations):
            continue
        score = least_allocated_score(node, cpu_m, memory_mb)
        if score > best_score:
            best, best_score, tied = node, score, 1
        elif score == best_score:
            tied += 1
            if rng is not None and rng.integers(tied) == 0:
                best = node
    return best
