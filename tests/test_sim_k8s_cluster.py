"""Scheduler, Pending and retry, DaemonSets, autoscaler and the cluster spec as plain data."""

from __future__ import annotations

import math
import sys

import simpy

from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.scheduler import NodeState, pick_node
from tipsim.sim.k8s.spec import (
    ClusterSpec,
    DaemonSetSpec,
    NodeGroupSpec,
    Taint,
    Toleration,
    WorkloadSpec,
    cluster_from_dict,
    node_group_from_dict,
)

A = Taint("external", "true", "NoExecute")


def node(i: int, used_cpu: int = 0, **kw) -> NodeState:
    return NodeState(i, f"n{i}", "g", 1000, 1000, True, used_cpu_m=used_cpu, **kw)


def test_scheduler_picks_the_least_allocated_feasible_node():
    nodes = [node(0, used_cpu=600), node(1, used_cpu=200), node(2, used_cpu=100, unschedulable=True)]
    assert pick_node(nodes, 100, 100, ()).index == 1


def test_scheduler_filters_taints_capacity_and_cordon():
    """NoSchedule/NoExecute filter unless tolerated (with or without seconds);
    PreferNoSchedule does not filter; a full node and a cordoned node are skipped."""
    tainted = node(0, taints=[A])
    assert pick_node([tainted], 100, 100, ()) is None
    assert pick_node([tainted], 100, 100, (Toleration("external", "Equal", "true", "NoExecute", 30.0),)) is tainted
    soft = node(1, taints=[Taint("x", "", "PreferNoSchedule")])
    assert pick_node([soft], 100, 100, ()) is soft
    full = node(2, used_cpu=950)
    assert pick_node([full], 100, 100, ()) is None
    assert pick_node([node(3, unschedulable=True)], 100, 100, ()) is None


def test_evicted_pod_stays_pending_until_the_autoscaler_adds_a_node():
    """Secure group full: the replacement waits. The autoscaler scans every 10 s (first at
    t=10), the node is ready 50 s later (t=60), the pod binds then and is ready at t=70."""
    spec = ClusterSpec(
        node_groups=(NodeGroupSpec("old", 1, 1000, 1000, secure=False),
                     NodeGroupSpec("new", 0, 1000, 1000, secure=True, autoscale_max_extra=1)),
        workloads=(WorkloadSpec("web", "external", 1, 800, 100, (), startup_s=10.0),),
    )
    env = simpy.Environment()
    c = Cluster(env, spec, provision_delay_s=50.0, autoscale_interval_s=10.0)

    def taint_at_5():
        yield env.timeout(5)
        c.taint(0, A)

    env.process(taint_at_5())
    env.run(until=200)
    first, second = c.pods
    assert first.ended_s == 5.0
    assert second.created_s == 5.0 and second.bound_s == 60.0 and second.ready_s == 70.0
    assert c.nodes[second.node].state.group == "new" and c.nodes[second.node].added_s == 60.0


def test_pending_pod_is_retried_when_capacity_is_freed():
    """Two 600m pods compete for one 1000m node: the second binds when the first is deleted."""
    spec = ClusterSpec(
        node_groups=(NodeGroupSpec("only", 1, 1000, 1000),),
        workloads=(WorkloadSpec("a", "internal", 1, 600, 100, (), 0.0),
                   WorkloadSpec("b", "external", 1, 600, 100, (), 0.0)),
    )
    env = simpy.Environment()
    c = Cluster(env, spec)
    a, b = c.pods
    assert a.node == 0 and b.pending

    def delete_a():
        yield env.timeout(7)
        c.delete_pod(a, "taint")

    env.process(delete_a())
    env.run(until=20)
    assert b.bound_s == 7.0  # the freed room goes to the pod that waited longest


def test_daemonset_runs_on_every_node_including_added_ones_and_survives_the_taint():
    spec = ClusterSpec(
        node_groups=(NodeGroupSpec("old", 2, 2000, 2000, secure=False),
                     NodeGroupSpec("new", 1, 2000, 2000, spare=1)),
        workloads=(),
        daemonsets=(DaemonSetSpec("agent", 100, 64),),
    )
    env = simpy.Environment()
    c = Cluster(env, spec)
    c.taint(0, A)
    env.run(until=10)
    ds_nodes = sorted(p.node for p in c.pods if p.kind == "daemon" and p.alive)
    assert ds_nodes == [0, 1, 2, 3]
    assert c.nodes[0].state.used_cpu_m == 100


def test_node_group_spec_round_trips_as_plain_data_and_reads_infra_style_dicts():
    spec = ClusterSpec(
        node_groups=(NodeGroupSpec("insecure", 3, 1930, 3300, "ubuntu-xenial-16.04", secure=False,
                                   taints=(A,)),),
        workloads=(WorkloadSpec("web", "external", 4, 500, 512,
                                (Toleration("external", "Equal", "true", "NoExecute", 60.0),)),),
        daemonsets=(DaemonSetSpec("agent"),),
    )
    assert cluster_from_dict(spec.to_dict()) == spec
    g = node_group_from_dict({"name": "secure", "desired_size": 2, "os_image": "ubuntu-bionic-18.04",
                              "taints": ["external=true:NoExecute"]})
    assert (g.size, g.taints) == (2, (A,))


def test_sim_models_import_no_plotting_or_aws_libraries():
    """Layering: tipsim.sim never imports boto3, plotly or ipywidgets."""
    import subprocess

    code = ("import sys, tipsim.sim.k8s.migration; "
            "print(any(m in sys.modules for m in ('boto3', 'plotly', 'ipywidgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_warm_pods_are_ready_at_time_zero():
    spec = ClusterSpec(node_groups=(NodeGroupSpec("g", 2, 2000, 2000),),
                       workloads=(WorkloadSpec("w", "external", 3, 100, 100, (), 30.0),))
    c = Cluster(simpy.Environment(), spec)
    assert [p.ready_s for p in c.pods] == [0.0, 0.0, 0.0]
    assert not any(math.isnan(p.bound_s) for p in c.pods)
    assert sorted(p.node for p in c.pods) == [0, 0, 1]  # least allocated spreads them


def test_cluster_can_be_sized_from_the_infra_eks_read_back_shape():
    """The dicts tipsim.infra.stacks.node_group_specs returns (EKS spelling of effects,
    os-image labels, instance types) become node groups the simulation runs."""
    readback = [
        {"address": "aws_eks_node_group.insecure_os[0]", "name": "insecure-os",
         "instance_types": ["t3.medium"], "min_size": 1, "max_size": 20, "desired_size": 2,
         "labels": {"os-image": "insecure"},
         "taints": [{"key": "external", "value": "true", "effect": "NO_EXECUTE"}],
         "image": "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-20190605"},
        {"address": "aws_eks_node_group.secure_os[0]", "name": "secure-os",
         "instance_types": ["t3.medium"], "min_size": 1, "max_size": 20, "desired_size": 2,
         "labels": {"os-image": "secure"}, "taints": [], "image": "bionic"},
    ]
    groups = [node_group_from_dict(g) for g in readback]
    assert [(g.secure, g.size, g.cpu_m, g.memory_mb) for g in groups] == [
        (False, 2, 2000, 4096), (True, 2, 2000, 4096)]
    assert groups[0].taints == (A,) and "xenial" in groups[0].os_image
    spec = ClusterSpec(tuple(groups), (WorkloadSpec("web", "external", 2, 500, 512, (), 10.0),))
    env = simpy.Environment()
    c = Cluster(env, spec)
    env.run(until=30)
    web = [p for p in c.pods if p.alive]
    # the group was tainted when it came up: every web pod runs on the secure group
    assert len(web) == 2 and all(c.nodes[p.node].state.secure for p in web)
