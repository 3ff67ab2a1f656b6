"""NoExecute taint eviction rules, at exact times, on small explicit clusters.

Rules from kubernetes.io "Taints and Tolerations" and the taint eviction controller
(FACTS.md, Kubernetes taints; kubernetes/kubernetes#90794 and #102993).
"""

from __future__ import annotations

import math

import simpy

from tipsim.sim.k8s.cluster import Cluster, PodState
from tipsim.sim.k8s.eviction import ScheduledEviction, decide, min_toleration_s
from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec, Taint, Toleration, WorkloadSpec

A = Taint("external", "true", "NoExecute")
B = Taint("patch", "pending", "NoExecute")


def tol(taint: Taint, seconds: float | None = None) -> Toleration:
    return Toleration(taint.key, "Equal", taint.value, "NoExecute", seconds)


def small_cluster(tolerations: tuple[Toleration, ...], *, replicas: int = 1,
                  min_available: int = 0, secure_size: int = 1) -> tuple[simpy.Environment, Cluster]:
    """One insecure node holding the workload (secure nodes join empty afterwards)."""
    spec = ClusterSpec(
        node_groups=(
            NodeGroupSpec("old", 1, 4000, 8192, "xenial", secure=False),
            NodeGroupSpec("new", 0, 4000, 8192, "bionic", secure=True, spare=secure_size),
        ),
        workloads=(WorkloadSpec("web", "external", replicas, 500, 512, tolerations, startup_s=10.0,
                                min_available=min_available),),
    )
    env = simpy.Environment()
    return env, Cluster(env, spec)


def at(env: simpy.Environment, t_s: float, action) -> None:
    def proc():
        yield env.timeout(t_s - env.now)
        action()
    env.process(proc())


def original(cluster: Cluster) -> PodState:
    return cluster.pods[0]


def test_pod_without_toleration_is_evicted_at_the_moment_of_the_taint():
    """No matching toleration: deleted at the taint time; the replacement is created at
    once, bound to the secure node one scheduling delay (1 s) later and ready one start-up
    time (10 s) after that."""
    env, c = small_cluster(())
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=100)
    pod = original(c)
    assert pod.ended_s == 5.0 and pod.end_reason == "taint"
    replacement = c.pods[1]
    assert replacement.created_s == 5.0 and replacement.bound_s == 6.0
    assert c.nodes[replacement.node].state.secure
    assert replacement.ready_s == 16.0


def test_toleration_without_seconds_keeps_the_pod_forever():
    env, c = small_cluster((tol(A),))
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=10_000)
    assert original(c).alive and len(c.pods) == 1


def test_toleration_seconds_evicts_exactly_that_long_after_the_taint():
    env, c = small_cluster((tol(A, 30.0),))
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=100)
    assert original(c).ended_s == 35.0


def test_smallest_toleration_seconds_applies_with_several_taints():
    """Two tolerated NoExecute taints put on together: the pod goes at min(60, 20)."""
    env, c = small_cluster((tol(A, 60.0), tol(B, 20.0)))
    at(env, 5.0, lambda: (c.taint(0, A), c.taint(0, B)))
    env.run(until=100)
    assert original(c).ended_s == 25.0


def test_scheduled_eviction_keeps_its_time_when_a_later_taint_is_added():
    """Posted at t=5 for t=65; a taint tolerated for 20 s added at t=10 neither shortens
    nor lengthens it (the controller keeps an earlier-created schedule, #102993)."""
    env, c = small_cluster((tol(A, 60.0), tol(B, 20.0)))
    at(env, 5.0, lambda: c.taint(0, A))
    at(env, 10.0, lambda: c.taint(0, B))
    env.run(until=200)
    assert original(c).ended_s == 65.0


def test_scheduled_eviction_survives_while_any_noexecute_taint_remains():
    """A tolerated 30 s, B tolerated forever, both at t=5 -> due at 35. Removing A at t=10
    leaves B (tolerated forever): the eviction is NOT cancelled (#90794)."""
    env, c = small_cluster((tol(A, 30.0), tol(B)))
    at(env, 5.0, lambda: (c.taint(0, A), c.taint(0, B)))
    at(env, 10.0, lambda: c.untaint(0, A))
    env.run(until=200)
    assert original(c).ended_s == 35.0


def test_scheduled_eviction_is_cancelled_when_all_noexecute_taints_are_gone():
    env, c = small_cluster((tol(A, 30.0), tol(B)))
    at(env, 5.0, lambda: (c.taint(0, A), c.taint(0, B)))
    at(env, 10.0, lambda: (c.untaint(0, A), c.untaint(0, B)))
    env.run(until=200)
    assert original(c).alive and original(c).scheduled is None


def test_taint_eviction_ignores_pod_disruption_budgets_but_drain_honours_them():
    """PDB minAvailable=2 of 2 replicas: the taint deletes both at t=5 anyway; a drain
    through the Eviction API on an identical cluster evicts none."""
    env, c = small_cluster((), replicas=2, min_available=2)
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=100)
    assert [p.ended_s for p in c.pods[:2]] == [5.0, 5.0]

    env2, c2 = small_cluster((), replicas=2, min_available=2)
    at(env2, 5.0, lambda: c2.drain(0))
    env2.run(until=100)
    assert all(p.alive for p in c2.pods[:2]) and len(c2.pods) == 2


def test_pod_bound_to_a_tainted_node_is_scheduled_for_eviction_from_its_binding():
    """A replacement that tolerates the taint for 30 s may land on the tainted (uncordoned)
    node; it is evicted 30 s after it was bound there (1 s scheduling delay each time)."""
    env, c = small_cluster((tol(A, 30.0),), secure_size=0)
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=70)
    first, second, third = c.pods[:3]
    assert first.ended_s == 35.0
    assert second.bound_s == 36.0 and second.node == 0 and second.ended_s == 66.0
    assert third.bound_s == 67.0


def test_decide_rules_directly():
    """The decision table, without a clock."""
    now = 50.0
    assert decide(None, [], [], now).action == "cancel"
    assert decide(None, [Taint("k", "", "NoSchedule")], [], now).action == "cancel"
    assert decide(None, [A], [tol(B, 10.0)], now).action == "evict_now"
    assert decide(None, [A], [tol(A)], now).action == "keep"
    assert decide(ScheduledEviction(10.0, 40.0), [A], [tol(A)], now).action == "keep"
    d = decide(None, [A, B], [tol(A, 60.0), tol(B, 20.0)], now)
    assert (d.action, d.trigger_s) == ("schedule", 70.0)
    assert decide(ScheduledEviction(10.0, 70.0), [A], [tol(A, 5.0)], now).action == "keep"
    assert min_toleration_s([tol(A, -3.0)]) == 0.0
    assert min_toleration_s([Toleration(operator="Exists")]) is None
    assert math.isclose(min_toleration_s([tol(A, 7.5), tol(B)]), 7.5)
