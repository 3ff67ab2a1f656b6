"""The ReplicaSet controller: a deleted Deployment pod is replaced at once."""

from __future__ import annotations

import pytest
import simpy
from k8s_support import A, at, group, small_cluster

from tipsim.errors import ParameterError
from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.replicaset import ReplicaSetController
from tipsim.sim.k8s.spec import ClusterSpec, DaemonSetSpec, WorkloadSpec
from tipsim.sim.k8s.state import ClusterState


def test_evicted_pod_is_replaced_at_once_and_bound_one_scheduling_delay_later() -> None:
    """No matching toleration: deleted at the taint time; the replacement is created at
    once, bound to the secure node one scheduling delay (1 s) later and ready one start-up
    time (10 s) after that."""
    env, c = small_cluster(())
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=100)
    replacement = c.pods[1]
    assert replacement.created_s == 5.0 and replacement.bound_s == 6.0
    assert c.nodes[replacement.node].state.secure
    assert replacement.ready_s == 16.0


def test_initial_replicas_are_interleaved_across_workloads() -> None:
    spec = ClusterSpec(node_groups=(group("g", 1),), workloads=(
        WorkloadSpec(name="a", kind="internal", replicas=2),
        WorkloadSpec(name="b", kind="external", replicas=1)))
    state = ClusterState(simpy.Environment(), spec)
    ReplicaSetController(state).create_initial()
    assert [p.workload for p in state.pods] == ["a", "b", "a"]
    assert all(p.warm for p in state.pods)


def test_daemonset_pods_are_not_replaced() -> None:
    spec = ClusterSpec(node_groups=(group("g", 1),), daemonsets=(DaemonSetSpec(name="agent"),))
    c = Cluster(simpy.Environment(), spec)
    c.delete_pod(c.pods[0], "drain")
    assert len(c.pods) == 1


def test_the_scheduling_delay_must_be_positive() -> None:
    spec = ClusterSpec(node_groups=(group("g", 1),))
    with pytest.raises(ParameterError, match="scheduling_delay_s"):
        Cluster(simpy.Environment(), spec, scheduling_delay_s=0.0)
