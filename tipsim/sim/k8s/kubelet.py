"""The kubelet: a pod bound to a node is ready once it has started up.

Like a guest who has been given a room: they still have to unpack (pull the image, pass
the readiness probe) before they are any use. A pod that was already running when the
story starts (``warm``) is ready the moment it is bound; any other pod is ready a
start-up time after it was bound. Start-up times are drawn from a gamma distribution with
the workload's mean ``startup_s`` and coefficient of variation ``startup_cv`` (0, or no
random stream: exactly the mean).

Example
-------
>>> import simpy
>>> from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec
>>> from tipsim.sim.k8s.state import ClusterState
>>> env = simpy.Environment()
>>> state = ClusterState(env, ClusterSpec(node_groups=(NodeGroupSpec(name="g", size=1),)))
>>> kubelet = Kubelet(state)
>>> node = state.add_node(state.spec.node_groups[0]).state
>>> pod = state.create_pod("web", "external", 100, 100, (), startup_s=30.0)
>>> state.bind(pod, node)
>>> env.run(until=60)
>>> pod.ready_s
30.0
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from tipsim.params import Params, param
from tipsim.sim.k8s.state import ClusterState, PodState


class StartupSettings(Params):
    """How pod start-up times spread around each workload's mean."""

    startup_cv: float = param(0.0, ge=0, le=2,
                              description="spread of start-up times (coefficient of variation)")


class Kubelet:
    """Starts every pod bound to a node (one kubelet stands for all nodes' kubelets).

    Parameters
    ----------
    state
        The cluster; the kubelet watches bindings.
    rng
        Stream for start-up times; ``None`` makes every start-up take exactly its mean.
    settings
        Spread of start-up times.
    """

    def __init__(self, state: ClusterState, rng: np.random.Generator | None = None,
                 settings: StartupSettings | None = None) -> None:
        self.state = state
        self.rng = rng
        self.settings = settings or StartupSettings()
        state.on_bound.append(self.on_bound)

    def startup_draw_s(self, mean_s: float) -> float:
        """One start-up time with mean ``mean_s``."""
        cv = self.settings.startup_cv
        if self.rng is None or cv <= 0 or mean_s <= 0:
            return float(mean_s)
        shape = 1.0 / cv**2
        return float(self.rng.gamma(shape, mean_s / shape))

    def on_bound(self, pod: PodState) -> None:
        if pod.warm:
            pod.ready_s = self.state.now
        else:
            self.state.env.process(self._start(pod, self.startup_draw_s(pod.startup_s)))

    def _start(self, pod: PodState, delay_s: float) -> Generator[simpy.Event, Any, None]:
        yield self.state.env.timeout(delay_s)
        if pod.alive:
            pod.ready_s = self.state.now
            self.state.changed()
