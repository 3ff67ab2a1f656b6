"""The taint eviction controller on a clock: NoExecute rules at exact times, small clusters.

Rules from kubernetes.io "Taints and Tolerations" and the taint eviction controller
(``pkg/controller/tainteviction/taint_eviction.go``; kubernetes/kubernetes#102993).
"""

from __future__ import annotations

from k8s_support import A, B, at, small_cluster, tol

from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.state import PodState


def original(cluster: Cluster) -> PodState:
    return cluster.pods[0]


def test_pod_without_toleration_is_evicted_at_the_moment_of_the_taint() -> None:
    env, c = small_cluster(())
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=100)
    pod = original(c)
    assert pod.ended_s == 5.0 and pod.end_reason == "taint"


def test_toleration_without_seconds_keeps_the_pod_forever() -> None:
    env, c = small_cluster((tol(A),))
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=10_000)
    assert original(c).alive and len(c.pods) == 1


def test_toleration_seconds_evicts_exactly_that_long_after_the_taint() -> None:
    env, c = small_cluster((tol(A, 30.0),))
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=100)
    assert original(c).ended_s == 35.0


def test_zero_or_negative_toleration_seconds_evicts_at_once() -> None:
    env, c = small_cluster((tol(A, -5.0),))
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=100)
    assert original(c).ended_s == 5.0


def test_smallest_toleration_seconds_applies_with_several_taints() -> None:
    """Two tolerated NoExecute taints put on together: the pod goes at min(60, 20)."""
    env, c = small_cluster((tol(A, 60.0), tol(B, 20.0)))
    at(env, 5.0, lambda: c.taint(0, A), lambda: c.taint(0, B))
    env.run(until=100)
    assert original(c).ended_s == 25.0


def test_scheduled_eviction_keeps_its_time_when_a_later_taint_is_added() -> None:
    """Posted at t=5 for t=65; a taint tolerated for 20 s added at t=10 neither shortens
    nor lengthens it (the controller keeps an earlier-created schedule, #102993)."""
    env, c = small_cluster((tol(A, 60.0), tol(B, 20.0)))
    at(env, 5.0, lambda: c.taint(0, A))
    at(env, 10.0, lambda: c.taint(0, B))
    env.run(until=200)
    assert original(c).ended_s == 65.0


def test_removing_the_limited_taint_cancels_the_eviction_when_the_rest_is_tolerated_forever(
) -> None:
    """A tolerated forever (added at 5), B tolerated for 60 s (added at 10), both NoExecute.
    B removed at 40, before its 60 s are up: the pod tolerates every remaining taint
    forever, so the scheduled deletion is cancelled and the pod is never evicted
    (kubernetes/kubernetes#93722, TestUpdateNodeWithMultipleTaints in
    pkg/controller/tainteviction/taint_eviction_test.go)."""
    env, c = small_cluster((tol(A), tol(B, 60.0)))
    at(env, 5.0, lambda: c.taint(0, A))
    at(env, 10.0, lambda: c.taint(0, B))
    at(env, 40.0, lambda: c.untaint(0, B))
    env.run(until=1000)
    assert original(c).alive and original(c).scheduled is None and len(c.pods) == 1


def test_the_limited_taint_left_in_place_evicts_60_s_after_it_was_added() -> None:
    """Same pod and taints, B never removed: evicted at 10 + 60 = 70 s."""
    env, c = small_cluster((tol(A), tol(B, 60.0)))
    at(env, 5.0, lambda: c.taint(0, A))
    at(env, 10.0, lambda: c.taint(0, B))
    env.run(until=1000)
    assert original(c).ended_s == 70.0


def test_removing_one_of_two_taints_together_cancels_when_the_other_is_tolerated_forever(
) -> None:
    """A tolerated 30 s, B tolerated forever, both at t=5 -> due at 35. Removing A at t=10
    leaves only B, tolerated forever: cancelled (before #93722 the pod went at 35)."""
    env, c = small_cluster((tol(A, 30.0), tol(B)))
    at(env, 5.0, lambda: c.taint(0, A), lambda: c.taint(0, B))
    at(env, 10.0, lambda: c.untaint(0, A))
    env.run(until=200)
    assert original(c).alive


def test_an_earlier_deadline_stands_when_the_remaining_taints_are_tolerated_for_a_while(
) -> None:
    """A tolerated 30 s, B tolerated 100 s, both at t=5 -> due at 35. Removing A at t=10
    leaves B, tolerated only for a while: processPodOnNode keeps a deletion scheduled
    earlier (it returns when the old start + min(tolerationSeconds) is before now + min),
    so the pod still goes at 35, not 100 s after B."""
    env, c = small_cluster((tol(A, 30.0), tol(B, 100.0)))
    at(env, 5.0, lambda: c.taint(0, A), lambda: c.taint(0, B))
    at(env, 10.0, lambda: c.untaint(0, A))
    env.run(until=200)
    assert original(c).ended_s == 35.0


def test_scheduled_eviction_is_cancelled_when_all_noexecute_taints_are_gone() -> None:
    env, c = small_cluster((tol(A, 30.0), tol(B)))
    at(env, 5.0, lambda: c.taint(0, A), lambda: c.taint(0, B))
    at(env, 10.0, lambda: c.untaint(0, A), lambda: c.untaint(0, B))
    env.run(until=200)
    assert original(c).alive and original(c).scheduled is None


def test_pod_bound_to_a_tainted_node_is_scheduled_for_eviction_from_its_binding() -> None:
    """A replacement that tolerates the taint for 30 s may land on the tainted (uncordoned)
    node; it is evicted 30 s after it was bound there (1 s scheduling delay each time)."""
    env, c = small_cluster((tol(A, 30.0),), secure_size=0)
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=70)
    first, second, third = c.pods[:3]
    assert first.ended_s == 35.0
    assert second.bound_s == 36.0 and second.node == 0 and second.ended_s == 66.0
    assert third.bound_s == 67.0
