"""The cluster-autoscaler: Pending pods get new nodes after a scan and a provisioning delay."""

from __future__ import annotations

import simpy
from k8s_support import A, at, group

from tipsim.sim.k8s.autoscaler import ClusterAutoscaler
from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.spec import ClusterSpec, DaemonSetSpec, WorkloadSpec
from tipsim.sim.k8s.state import ClusterState


def test_evicted_pod_stays_pending_until_the_autoscaler_adds_a_node() -> None:
    """Secure group full: the replacement waits. The autoscaler scans every 10 s (first at
    t=10), the node is ready 50 s later (t=60), the pod binds then and is ready at t=70."""
    spec = ClusterSpec(
        node_groups=(group("old", 1, 1000, 1000, secure=False),
                     group("new", 0, 1000, 1000, autoscale_max_extra=1)),
        workloads=(WorkloadSpec(name="web", kind="external", replicas=1, cpu_m=800,
                                memory_mb=100, startup_s=10.0),),
    )
    env = simpy.Environment()
    c = Cluster(env, spec, provision_delay_s=50.0, autoscale_interval_s=10.0)
    at(env, 5, lambda: c.taint(0, A))
    env.run(until=200)
    first, second = c.pods
    assert first.ended_s == 5.0
    assert second.created_s == 5.0 and second.bound_s == 60.0 and second.ready_s == 70.0
    assert c.nodes[second.node].state.group == "new" and c.nodes[second.node].added_s == 60.0


def test_the_autoscaler_adds_no_more_than_the_group_allows() -> None:
    """Five 800m pods need five 1000m nodes; the group may grow by two."""
    spec = ClusterSpec(
        node_groups=(group("g", 0, 1000, 1000, autoscale_max_extra=2),),
        workloads=(WorkloadSpec(name="web", kind="external", replicas=5, cpu_m=800,
                                memory_mb=100, startup_s=0.0),),
    )
    env = simpy.Environment()
    c = Cluster(env, spec, provision_delay_s=30.0)
    env.run(until=500)
    assert len(c.nodes) == 2
    assert sum(1 for p in c.pods if p.pending) == 3


def test_nodes_needed_is_a_first_fit_counting_daemonset_pods() -> None:
    """Fresh 1000m nodes carrying a 200m node agent fit one 600m pod each (800m left),
    and two 300m pods together (first fit, largest first)."""
    spec = ClusterSpec(node_groups=(group("g", 0, 1000, 1000),),
                       daemonsets=(DaemonSetSpec(name="agent", cpu_m=200, memory_mb=0),))
    state = ClusterState(simpy.Environment(), spec)
    scaler = ClusterAutoscaler(state)
    pods = [state.create_pod("w", "external", cpu, 10, (), 0.0) for cpu in (600, 600, 300, 300)]
    assert scaler.nodes_needed(spec.node_groups[0], pods) == 3
    tainted = group("t", 0, 1000, 1000, taints=(A,))
    assert scaler.nodes_needed(tainted, pods) == 0  # none of them tolerates the taint
