"""The DaemonSet controller: one node-agent pod on every node that accepts it."""

from __future__ import annotations

import simpy
from k8s_support import A, group

from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.spec import ClusterSpec, DaemonSetSpec, Toleration


def test_daemonset_runs_on_every_node_including_added_ones_and_survives_the_taint() -> None:
    spec = ClusterSpec(
        node_groups=(group("old", 2, 2000, 2000, secure=False), group("new", 1, 2000, 2000, spare=1)),
        daemonsets=(DaemonSetSpec(name="agent", cpu_m=100, memory_mb=64),),
    )
    env = simpy.Environment()
    c = Cluster(env, spec)
    c.taint(0, A)
    env.run(until=10)
    ds_nodes = sorted(p.node for p in c.pods if p.kind == "daemon" and p.alive)
    assert ds_nodes == [0, 1, 2, 3]
    assert c.nodes[0].state.used_cpu_m == 100


def test_daemonset_skips_nodes_whose_taints_it_does_not_tolerate() -> None:
    spec = ClusterSpec(
        node_groups=(group("tainted", 1, taints=(A,)), group("plain", 1)),
        daemonsets=(DaemonSetSpec(name="picky", tolerations=(Toleration(key="other"),)),),
    )
    c = Cluster(simpy.Environment(), spec)
    assert [p.node for p in c.pods] == [1]
