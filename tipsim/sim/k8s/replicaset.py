"""The ReplicaSet controller: every Deployment keeps its number of pods.

Like a booking office that books a replacement the moment a guest checks out: when a
Deployment's pod is deleted (evicted by a taint or drained), a new pod of the same
template is created at once. The replacement becomes schedulable ``scheduling_delay_s``
later (ReplicaSet controller plus scheduler latency; it also keeps a pod that is evicted
the moment it binds from looping in zero simulated time). DaemonSet pods are not
replaced here.

At the start, every Deployment's replicas are created already running (``warm``),
interleaved across workloads so the scheduler's initial spread mixes them, as in a
cluster that has been running a while.

Example
-------
>>> import simpy
>>> from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec, WorkloadSpec
>>> from tipsim.sim.k8s.state import ClusterState
>>> spec = ClusterSpec(node_groups=(NodeGroupSpec(name="g", size=1),),
...                    workloads=(WorkloadSpec(name="web", kind="external", replicas=2),))
>>> state = ClusterState(simpy.Environment(), spec)
>>> rs = ReplicaSetController(state)
>>> rs.create_initial()
>>> state.delete(state.pods[0], "taint")
>>> [(p.workload, p.alive, p.schedulable_s) for p in state.pods]
[('web', False, 0.0), ('web', True, 0.0), ('web', True, 1.0)]
"""

from __future__ import annotations

from tipsim.params import Params, param
from tipsim.sim.k8s.state import ClusterState, PodState


class ReplicaSetSettings(Params):
    """How soon a replacement pod may be bound."""

    scheduling_delay_s: float = param(
        1.0, gt=0, le=60, unit="s",
        description="time from a replacement pod's creation until the scheduler may bind it")


class ReplicaSetController:
    """Creates the Deployments' pods and replaces each deleted one.

    Parameters
    ----------
    state
        The cluster; the controller watches deletions.
    settings
        The replacement's scheduling delay.
    """

    def __init__(self, state: ClusterState, settings: ReplicaSetSettings | None = None) -> None:
        self.state = state
        self.settings = settings or ReplicaSetSettings()
        state.on_deleted.append(self.on_deleted)

    def create_initial(self) -> None:
        """Every Deployment's replicas, already running (interleaved across workloads)."""
        workloads = self.state.spec.workloads
        for i in range(max((w.replicas for w in workloads), default=0)):
            for w in workloads:
                if i < w.replicas:
                    self.state.create_pod(w.name, w.kind, w.cpu_m, w.memory_mb, w.tolerations,
                                          w.startup_s, warm=True)

    def on_deleted(self, pod: PodState) -> None:
        if pod.kind == "daemon":
            return
        self.state.create_pod(pod.workload, pod.kind, pod.cpu_m, pod.memory_mb, pod.tolerations,
                              pod.startup_s,
                              schedulable_s=self.state.now + self.settings.scheduling_delay_s)
