"""The scheduler loop: Pending pods are bound when they become schedulable or room appears."""

from __future__ import annotations

import simpy
from k8s_support import A, at, group, small_cluster, tol

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
