"""The cluster: state and controllers wired together, sized from the EKS read-back."""

from __future__ import annotations

import subprocess
import sys

import simpy
from k8s_support import A, at, small_cluster

from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.spec import ClusterSpec, WorkloadSpec, node_group_from_dict


def test_cluster_can_be_sized_from_the_infra_eks_read_back_shape() -> None:
    """Read-back groups (the insecure one tainted when it came up) run: every web pod lands
    on the secure group."""
    readback = [
        {"name": "insecure-os", "instance_types": ["t3.medium"], "desired_size": 2,
         "labels": {"os-image": "insecure"},
         "taints": [{"key": "external", "value": "true", "effect": "NO_EXECUTE"}]},
        {"name": "secure-os", "instance_types": ["t3.medium"], "desired_size": 2,
         "labels": {"os-image": "secure"}, "taints": []},
    ]
    spec = ClusterSpec(node_groups=tuple(node_group_from_dict(g) for g in readback),
                       workloads=(WorkloadSpec(name="web", kind="external", replicas=2,
                                               cpu_m=500, memory_mb=512, startup_s=10.0),))
    env = simpy.Environment()
    c = Cluster(env, spec)
    env.run(until=30)
    web = [p for p in c.pods if p.alive]
    assert len(web) == 2 and all(c.nodes[p.node].state.secure for p in web)


def test_pod_and_node_tables_record_every_life() -> None:
    """One row per pod ever created and per node; the taint time is on the node's row."""
    env, c = small_cluster(())
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=30)
    pods, nodes = c.pod_table(), c.node_table()
    assert pods["ended_s"][0] == 5.0 and pods["end_reason"][0] == 1  # taint
    assert list(pods["node"]) == [0, 1] and pods["bound_s"][1] == 6.0
    assert nodes["first_taint_s"][0] == 5.0 and list(nodes["secure"]) == [False, True]


def test_on_change_listeners_hear_each_scheduling_pass_and_readiness() -> None:
    env, c = small_cluster(())
    heard: list[float] = []
    c.on_change.append(lambda: heard.append(float(env.now)))
    at(env, 5.0, lambda: c.taint(0, A))
    env.run(until=30)
    assert 5.0 in heard and 6.0 in heard and 16.0 in heard  # evicted, bound, ready


def test_sim_models_import_no_plotting_or_aws_libraries() -> None:
    """Layering: tipsim.sim never imports boto3, plotly or ipywidgets."""
    code = ("import sys, tipsim.sim.k8s.migration, tipsim.sim.k8s.kubectl; "
            "print(any(m in sys.modules for m in ('boto3', 'plotly', 'ipywidgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
