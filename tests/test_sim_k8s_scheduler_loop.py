"""The scheduler loop: Pending pods are bound when they become schedulable or room appears."""

from __future__ import annotations

import numpy as np
import simpy
from k8s_support import A, at, group, small_cluster, tol
from scipy import stats

from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.scheduler_loop import SchedulerLoop
from tipsim.sim.k8s.spec import ClusterSpec, WorkloadSpec
from tipsim.sim.k8s.state import ClusterState


def test_pending_pod_is_retried_when_capacity_is_freed() -> None:
    """Two 600m pods compete for one 1000m node: the second binds when the first is deleted."""
    spec = ClusterSpec(
        node_groups=(group("only", 1, 1000, 1000),),
        workloads=(WorkloadSpec(name="a", kind="internal", replicas=1, cpu_m=600, memory_mb=100,
                                startup_s=0.0),
                   WorkloadSpec(name="b", kind="external", replicas=1, cpu_m=600, memory_mb=100,
                                startup_s=0.0)),
    )
    env = simpy.Environment()
    c = Cluster(env, spec)
    a, b = c.pods
    assert a.node == 0 and b.pending
    at(env, 7, lambda: c.delete_pod(a, "taint"))
    env.run(until=20)
    assert b.bound_s == 7.0  # the freed room goes to the pod that waited longest


def test_a_pod_is_bound_no_earlier_than_its_schedulable_time() -> None:
    env = simpy.Environment()
    state = ClusterState(env, ClusterSpec(node_groups=(group("g", 1),)))
    SchedulerLoop(state)
    state.add_node(state.spec.node_groups[0])
    pod = state.create_pod("web", "external", 100, 100, (), 0.0, schedulable_s=4.0)
    env.run(until=3.9)
    assert pod.pending
    env.run(until=10)
    assert (pod.node, pod.bound_s) == (0, 4.0)


def test_removing_a_taint_lets_a_pending_pod_in() -> None:
    """The only node is tainted; the replacement waits Pending until the taint goes."""
    env, c = small_cluster((), secure_size=0)
    at(env, 5.0, lambda: c.taint(0, A))
    at(env, 50.0, lambda: c.untaint(0, A))
    env.run(until=100)
    first, second = c.pods[:2]
    assert first.ended_s == 5.0
    assert second.created_s == 5.0 and second.bound_s == 50.0


def test_a_pod_tolerating_the_taint_for_a_while_may_land_on_the_tainted_node() -> None:
    """tolerationSeconds passes the TaintToleration filter (kube-scheduler), so without a
    cordon the replacement goes back to the tainted node."""
    env, c = small_cluster((tol(A, 30.0),), secure_size=0)
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=40)
    assert c.pods[1].node == 0 and c.pods[1].bound_s == 36.0


def _bounces(seed: int | None, until_s: float = 2000.0) -> tuple[int, int]:
    """A pod tolerating the taint for 30 s on an uncordoned tainted node, beside an empty
    untainted node of the same size: how many times it was evicted, and where it ends."""
    spec = ClusterSpec(
        node_groups=(group("old", 1, os_image="xenial", secure=False),
                     group("new", 0, os_image="bionic", spare=1)),
        workloads=(WorkloadSpec(name="web", kind="external", replicas=1, cpu_m=500,
                                memory_mb=512, tolerations=(tol(A, 30.0),), startup_s=10.0),),
    )
    env = simpy.Environment()
    rng = None if seed is None else np.random.default_rng(seed)
    c = Cluster(env, spec, scheduler_rng=rng)
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=until_s)
    evictions = sum(1 for p in c.pods if p.end_reason == "taint")
    alive = [p for p in c.pods if p.alive]
    return evictions, alive[0].node


def test_a_pod_with_toleration_seconds_is_not_pinned_to_the_tainted_node() -> None:
    """Each replacement ties between the emptied tainted node and the empty secure node,
    so it lands on the tainted one with probability 1/2 (selectHost), and the number of
    evictions is 1 + a geometric number: P(1) = 1/2, P(2) = 1/4, P(3) = 1/8, P(>= 4) = 1/8.
    Over 400 seeds a chi-square goodness of fit to that distribution must not reject at
    the 1% level, and every run ends on the secure node. With ties always going to the
    first node listed, the pod is evicted every 31 s for as long as the run lasts."""
    runs = [_bounces(seed) for seed in range(400)]
    evictions = np.array([e for e, _ in runs])
    observed = np.array([np.count_nonzero(evictions == 1), np.count_nonzero(evictions == 2),
                         np.count_nonzero(evictions == 3), np.count_nonzero(evictions >= 4)])
    expected = len(runs) * np.array([1 / 2, 1 / 4, 1 / 8, 1 / 8])
    assert observed.sum() == len(runs)
    assert stats.chisquare(observed, expected).pvalue > 0.01
    assert {node for _, node in runs} == {1}
    pinned_evictions, pinned_node = _bounces(None)
    assert pinned_node == 0 and pinned_evictions == 64  # t = 35, 66, ..., 1988
