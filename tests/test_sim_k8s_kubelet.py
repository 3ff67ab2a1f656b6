"""The kubelet: ready a start-up time after binding, drawn from a gamma distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from k8s_support import group

from tipsim.errors import ParameterError
from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.kubelet import Kubelet, StartupSettings
from tipsim.sim.k8s.spec import ClusterSpec, WorkloadSpec
from tipsim.sim.k8s.state import ClusterState


def test_warm_pods_are_ready_at_time_zero_and_spread_over_the_nodes() -> None:
    spec = ClusterSpec(node_groups=(group("g", 2, 2000, 2000),),
                       workloads=(WorkloadSpec(name="w", kind="external", replicas=3, cpu_m=100,
                                               memory_mb=100, startup_s=30.0),))
    c = Cluster(simpy.Environment(), spec)
    assert [p.ready_s for p in c.pods] == [0.0, 0.0, 0.0]
    assert not any(math.isnan(p.bound_s) for p in c.pods)
    assert sorted(p.node for p in c.pods) == [0, 0, 1]  # least allocated spreads them


def test_a_pod_deleted_while_starting_never_becomes_ready() -> None:
    env = simpy.Environment()
    state = ClusterState(env, ClusterSpec(node_groups=(group("g", 1),)))
    Kubelet(state)
    node = state.add_node(state.spec.node_groups[0]).state
    pod = state.create_pod("web", "external", 100, 100, (), 20.0)
    state.bind(pod, node)
    env.run(until=10)
    state.delete(pod, "drain")
    env.run(until=60)
    assert math.isnan(pod.ready_s)


def test_startup_times_have_the_workload_mean_and_the_chosen_spread() -> None:
    """Gamma(shape 1/cv^2, scale mean cv^2) has mean ``mean`` and CV ``cv``. 20,000 draws,
    fixed seed: the sample mean within 3 standard errors, the sample CV within 3%."""
    state = ClusterState(simpy.Environment(), ClusterSpec(node_groups=(group("g", 1),)))
    kubelet = Kubelet(state, np.random.default_rng(7), StartupSettings(startup_cv=0.25))
    draws = np.array([kubelet.startup_draw_s(30.0) for _ in range(20_000)])
    se = 30.0 * 0.25 / np.sqrt(len(draws))
    assert abs(draws.mean() - 30.0) < 3 * se
    assert draws.std(ddof=1) / draws.mean() == pytest.approx(0.25, rel=0.03)
    assert Kubelet(state).startup_draw_s(30.0) == 30.0  # no stream: exactly the mean


def test_startup_spread_out_of_range_is_refused() -> None:
    with pytest.raises(ParameterError, match="startup_cv"):
        StartupSettings.create(startup_cv=-0.1)
