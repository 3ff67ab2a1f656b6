"""The scheduler loop: bind every Pending pod that may be bound, whenever that may change.

Like a front desk with a queue of guests: whenever a room may have come free (a pod was
deleted, a taint was removed, new nodes joined) or a guest becomes ready to be seated, the
desk goes through the waiting guests in order of arrival and gives each the room the
filter-and-score rules pick (:func:`tipsim.sim.k8s.scheduler.pick_node`). A guest with no
room left keeps waiting (Pending) and is tried again at the next pass.

A pod is tried only from its ``schedulable_s`` on (a replacement pod's scheduling delay);
the loop makes a pass at that time. Ties between equally good nodes are broken at random
with the loop's generator (``rng``; see :func:`~tipsim.sim.k8s.scheduler.pick_node`).

Example
-------
>>> import simpy
>>> from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec
>>> from tipsim.sim.k8s.state import ClusterState
>>> env = simpy.Environment()
>>> state = ClusterState(env, ClusterSpec(node_groups=(NodeGroupSpec(name="g", size=1),)))
>>> loop = SchedulerLoop(state)
>>> _ = state.add_node(state.spec.node_groups[0])
>>> pod = state.create_pod("web", "external", 100, 100, (), 0.0, schedulable_s=2.0)
>>> env.run(until=5)
>>> (pod.node, pod.bound_s)
(0, 2.0)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from tipsim.sim.k8s.scheduler import pick_node
from tipsim.sim.k8s.state import ClusterState, PodState


class SchedulerLoop:
    """Binds Pending pods on every event that may let one be bound.

    Parameters
    ----------
    state
        The cluster; the loop watches pod creation and deletion and taint removal.
    rng
        Stream that breaks ties between equally good nodes; ``None``: the first of them.
    """

    def __init__(self, state: ClusterState, rng: np.random.Generator | None = None) -> None:
        self.state = state
        self.rng = rng
        state.on_created.append(self.on_created)
        state.on_deleted.append(self.on_deleted)
        state.on_taints_changed.append(self.on_taints_changed)

    def schedule_pending(self) -> None:
        """One pass: every schedulable Pending pod, oldest first, gets a node if one fits."""
        state = self.state
        nodes = [n.state for n in state.nodes]
        now = state.now
        for pod in state.pods:
            if pod.pending and pod.schedulable_s <= now:
                node = pick_node(nodes, pod.cpu_m, pod.memory_mb, pod.tolerations, self.rng)
                if node is not None:
                    state.bind(pod, node)
        state.changed()

    def on_created(self, pod: PodState) -> None:
        if pod.schedulable_s > self.state.now:
            self.state.env.process(self._pass_at(pod.schedulable_s))

    def on_deleted(self, pod: PodState) -> None:
        self.schedule_pending()

    def on_taints_changed(self, node_index: int, removed: bool) -> None:
        if removed:  # a new taint never lets a Pending pod in; a removed one may
            self.schedule_pending()

    def _pass_at(self, t_s: float) -> Generator[simpy.Event, Any, None]:
        yield self.state.env.timeout(t_s - self.state.now)
        self.schedule_pending()
