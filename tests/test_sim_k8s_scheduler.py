"""The scheduler's filter, score and pick (kube-scheduler plugins NodeUnschedulable,
TaintToleration, NodeResourcesFit with LeastAllocated; selectHost in
pkg/scheduler/schedule_one.go)."""

from __future__ import annotations

import numpy as np
from k8s_support import A
from scipy import stats

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


def test_least_allocated_score_is_computed_in_whole_numbers_as_kube_scheduler_does() -> None:
    """leastRequestedScore = (allocatable - requested) * 100 // allocatable per resource,
    then (cpu + memory) // 2: a 333m / 100 MiB pod on an empty 1000m / 1000 MiB node gives
    cpu 667 * 100 // 1000 = 66, memory 90, score 78."""
    assert least_allocated_score(node(0), 333, 100) == 78
    # 0.5 points apart as fractions (89.5 and 89.75), equal in whole numbers: a tie
    assert least_allocated_score(node(0, used_cpu=5), 105, 100) == least_allocated_score(
        node(1, used_cpu=0), 105, 100) == 89


def test_ties_are_broken_uniformly_at_random() -> None:
    """selectHost's reservoir sampling gives each of the k tied nodes probability 1/k.
    Five identical nodes, 10,000 picks with a fixed seed: chi-square goodness of fit to
    the uniform distribution (scipy) must not reject at the 1% level, and each share is
    within 0.02 of 1/5 (5 standard errors of a binomial share, sqrt(0.2 * 0.8 / 10,000))."""
    nodes = [node(i) for i in range(5)]
    rng = np.random.default_rng(20240901)
    picks = [pick_node(nodes, 100, 100, (), rng) for _ in range(10_000)]
    counts = np.bincount([p.index for p in picks if p is not None], minlength=5)
    assert counts.sum() == 10_000
    assert stats.chisquare(counts).pvalue > 0.01
    assert np.all(np.abs(counts / 10_000 - 0.2) < 0.02)


def test_only_the_highest_scoring_nodes_are_drawn_from() -> None:
    """A node with a lower score is never picked, however the ties among the best fall."""
    nodes = [node(0, used_cpu=300), node(1), node(2), node(3, used_cpu=300)]
    rng = np.random.default_rng(5)
    picked = {pick_node(nodes, 100, 100, (), rng).index for _ in range(2000)}  # type: ignore[union-attr]
    assert picked == {1, 2}


def test_the_draw_is_reproducible_from_the_seed() -> None:
    nodes = [node(i) for i in range(4)]
    first = [pick_node(nodes, 100, 100, (), np.random.default_rng(9)).index for _ in range(1)]  # type: ignore[union-attr]
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    a = [pick_node(nodes, 100, 100, (), rng_a).index for _ in range(100)]  # type: ignore[union-attr]
    b = [pick_node(nodes, 100, 100, (), rng_b).index for _ in range(100)]  # type: ignore[union-attr]
    assert a == b and a[0] == first[0]
