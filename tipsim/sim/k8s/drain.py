"""``kubectl drain`` through the Eviction API, which honours PodDisruptionBudgets.

Like a polite move-out: the room is closed to new guests (cordon), then each guest is
asked to leave unless that would leave their group with fewer people ready than its
agreement says (a Deployment's ``min_available``); refused guests are asked again every
``retry_s``. DaemonSet pods stay (``kubectl drain --ignore-daemonsets``). Unlike taint
eviction, this goes through the Eviction API, so PodDisruptionBudgets hold (kubernetes.io
"Safely Drain a Node" and "API-initiated Eviction").

Example
-------
>>> import simpy
>>> from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec, WorkloadSpec
>>> from tipsim.sim.k8s.state import ClusterState
>>> spec = ClusterSpec(node_groups=(NodeGroupSpec(name="g", size=1),),
...     workloads=(WorkloadSpec(name="web", kind="external", replicas=2, min_available=2),))
>>> state = ClusterState(simpy.Environment(), spec)
>>> pod = state.create_pod("web", "external", 100, 100, (), 0.0)
>>> pod.ready_s = 0.0
>>> EvictionAPI(state).eviction_allowed(pod)
False
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from tipsim.sim.k8s.state import ClusterState, PodState


class EvictionAPI:
    """The Eviction API's PodDisruptionBudget check, and ``kubectl drain`` on top of it.

    Parameters
    ----------
    state
        The cluster.
    """

    def __init__(self, state: ClusterState) -> None:
        self.state = state

    def eviction_allowed(self, pod: PodState) -> bool:
        """Ready pods of the workload after this eviction stay >= ``min_available``."""
        spec = self.state.spec.workload(pod.workload)
        if spec is None or spec.min_available <= 0:
            return True
        ready = sum(1 for p in self.state.pods
                    if p.alive and p.workload == pod.workload and p.ready)
        return ready - (1 if pod.ready else 0) >= spec.min_available

    def drain(self, node_index: int, retry_s: float = 5.0) -> simpy.Process:
        """Cordon, then evict every non-DaemonSet pod, retrying refused ones every ``retry_s``."""
        self.state.cordon(node_index)
        return self.state.env.process(self._drain(node_index, retry_s))

    def _drain(self, node_index: int, retry_s: float) -> Generator[simpy.Event, Any, None]:
        while True:
            left = [p for p in self.state.pods_on(node_index) if p.kind != "daemon"]
            if not left:
                return
            for pod in left:
                if self.eviction_allowed(pod):
                    self.state.delete(pod, "drain")
            yield self.state.env.timeout(retry_s)
