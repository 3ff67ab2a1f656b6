"""Small explicit clusters for the Kubernetes controller tests."""

from __future__ import annotations

from collections.abc import Callable

import simpy

from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec, Taint, Toleration, WorkloadSpec

A = Taint(key="external", value="true", effect="NoExecute")
B = Taint(key="patch", value="pending", effect="NoExecute")


def tol(taint: Taint, seconds: float | None = None) -> Toleration:
    return Toleration.for_taint(taint, seconds)


def group(name: str, size: int, cpu_m: int = 4000, memory_mb: int = 8192, **kw) -> NodeGroupSpec:
    return NodeGroupSpec(name=name, size=size, cpu_m=cpu_m, memory_mb=memory_mb, **kw)


def web(replicas: int = 1, tolerations: tuple[Toleration, ...] = (), **kw) -> WorkloadSpec:
    kw.setdefault("cpu_m", 500)
    kw.setdefault("memory_mb", 512)
    kw.setdefault("startup_s", 10.0)
    return WorkloadSpec(name="web", kind="external", replicas=replicas, tolerations=tolerations, **kw)


def small_cluster(tolerations: tuple[Toleration, ...], *, replicas: int = 1,
                  min_available: int = 0, secure_size: int = 1) -> tuple[simpy.Environment, Cluster]:
    """One insecure node holding the workload (secure nodes join empty afterwards)."""
    spec = ClusterSpec(
        node_groups=(group("old", 1, os_image="xenial", secure=False),
                     group("new", 0, os_image="bionic", spare=secure_size)),
        workloads=(web(replicas, tolerations, min_available=min_available),),
    )
    env = simpy.Environment()
    return env, Cluster(env, spec)


def at(env: simpy.Environment, t_s: float, *actions: Callable[[], object]) -> None:
    """Run ``actions`` one after another at ``t_s``."""
    def proc():
        yield env.timeout(t_s - env.now)
        for action in actions:
            action()
    env.process(proc())
