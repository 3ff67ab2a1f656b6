"""``kubectl drain`` through the Eviction API honours PodDisruptionBudgets; taints do not."""

from __future__ import annotations

from k8s_support import A, at, small_cluster


def test_taint_eviction_ignores_pod_disruption_budgets_but_drain_honours_them() -> None:
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
    assert c2.nodes[0].state.unschedulable


def test_drain_evicts_one_at_a_time_as_the_budget_allows() -> None:
    """minAvailable=1 of 2: one pod goes at once; the other only once its replacement is
    ready (bound 1 s later, ready 10 s after that) and the next retry comes (every 5 s)."""
    env, c = small_cluster((), replicas=2, min_available=1)
    at(env, 5.0, lambda: c.drain(0))
    env.run(until=100)
    first, second = c.pods[:2]
    assert first.ended_s == 5.0
    assert second.ended_s == 20.0  # replacement ready at 16; retries at 10, 15, 20
