"""The scheduler's filter and score (kube-scheduler plugins NodeUnschedulable,
TaintToleration, NodeResourcesFit with LeastAllocated)."""

from __future__ import annotations

from k8s_support import A

from tipsim.sim.k8s.scheduler import NodeState, feasible, least_allocated_score, pick_node
from tipsim.sim.k8s.spec import Taint, Toleration


def node(i: int, used_cpu: int = 0, **kw) -> NodeState:
    return NodeState(i, f"n{i}", "g", 1000, 1000, True, used_cpu_m=used_cpu, **kw)


def test_scheduler_picks_the_least_allocated_feasible_node() -> None:
    nodes = [node(0, used_cpu=600), node(1, used_cpu=200), node(2, used_cpu=100, unschedulable=True)]
    picked = pick_node(nodes, 100, 100, ())
    assert picked is not None and picked.index == 1


def test_scheduler_filters_taints_capacity_and_cordon() -> None:
    """NoSchedule/NoExecute filter unless tolerated (with or without seconds);
    PreferNoSchedule does not filter; a full node and a cordoned node are skipped."""
    tainted = node(0, taints=[A])
    assert pick_node([tainted], 100, 100, ()) is None
    assert pick_node([tainted], 100, 100, (Toleration.for_taint(A, 30.0),)) is tainted
    soft = node(1, taints=[Taint(key="x", effect="PreferNoSchedule")])
    assert pick_node([soft], 100, 100, ()) is soft
    full = node(2, used_cpu=950)
    assert pick_node([full], 100, 100, ()) is None
    assert pick_node([node(3, unschedulable=True)], 100, 100, ()) is None
    assert not feasible(node(4, ready=False), 100, 100, ())


def test_least_allocated_score_is_the_mean_free_share_after_placing_the_pod() -> None:
    """NodeResourcesFit LeastAllocated: mean over CPU and memory of 100 x free/allocatable."""
    assert least_allocated_score(node(0, used_cpu=200), 300, 500) == 100 * (0.5 + 0.5) / 2
