"""The taint eviction controller (taint manager): applies NoExecute decisions on a clock.

Like a building manager who walks the floors whenever a sign goes up or comes down on a
door, and whenever a tenant moves into a room with signs: for each tenant they decide
(:func:`tipsim.sim.k8s.eviction.decide`) whether to show them out now, post a "leave by"
notice, tear the notice up, or leave things as they are; a notice that is still posted when
its time comes is carried out. Kubernetes' controller does the same on every node taint
change and pod binding (``pkg/controller/tainteviction/taint_eviction.go``, earlier
``pkg/controller/nodelifecycle/scheduler/taint_manager.go``).

Eviction deletes the pod directly, not through the Eviction API, so PodDisruptionBudgets
are not honoured.

Example
-------
>>> import simpy
>>> from tipsim.sim.k8s.spec import EXTERNAL_TAINT, ClusterSpec, NodeGroupSpec, Toleration
>>> from tipsim.sim.k8s.state import ClusterState
>>> env = simpy.Environment()
>>> state = ClusterState(env, ClusterSpec(node_groups=(NodeGroupSpec(name="g", size=1),)))
>>> manager = TaintEvictionController(state)
>>> node = state.add_node(state.spec.node_groups[0]).state
>>> tol = (Toleration.for_taint(EXTERNAL_TAINT, 30.0),)
>>> pod = state.create_pod("web", "external", 100, 100, tol, 0.0)
>>> state.bind(pod, node)
>>> state.taint(0, EXTERNAL_TAINT)
>>> env.run(until=60)
>>> (pod.ended_s, pod.end_reason)
(30.0, 'taint')
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from tipsim.sim.k8s.eviction import ScheduledEviction, decide
from tipsim.sim.k8s.state import ClusterState, PodState


class TaintEvictionController:
    """Evicts pods from nodes with NoExecute taints they do not (or no longer) tolerate.

    Parameters
    ----------
    state
        The cluster; the controller watches bindings and taint changes.
    """

    def __init__(self, state: ClusterState) -> None:
        self.state = state
        state.on_bound.append(self.process_pod)
        state.on_taints_changed.append(self.on_taints_changed)

    def on_taints_changed(self, node_index: int, removed: bool) -> None:
        for pod in self.state.pods_on(node_index):
            self.process_pod(pod)

    def process_pod(self, pod: PodState) -> None:
        """Decide for one pod against its node's taints now, and act on the decision."""
        if not pod.alive or pod.node < 0:
            return
        now = self.state.now
        decision = decide(pod.scheduled, self.state.nodes[pod.node].state.taints,
                          pod.tolerations, now)
        if decision.action == "evict_now":
            self.state.delete(pod, "taint")
        elif decision.action == "cancel":
            pod.scheduled = None
        elif decision.action == "schedule":
            scheduled = ScheduledEviction(decision.created_s, decision.trigger_s)
            pod.scheduled = scheduled
            self.state.env.process(self._timer(pod, scheduled))

    def _timer(self, pod: PodState, scheduled: ScheduledEviction
               ) -> Generator[simpy.Event, Any, None]:
        yield self.state.env.timeout(max(0.0, scheduled.trigger_s - self.state.now))
        if pod.alive and pod.scheduled is scheduled:  # not cancelled or replaced meanwhile
            self.state.delete(pod, "taint")
