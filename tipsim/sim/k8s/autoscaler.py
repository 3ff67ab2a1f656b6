"""The cluster-autoscaler: add nodes when pods cannot be scheduled.

Like a builder who checks the lobby every so often: if guests are waiting because no room
fits them, the builder works out how many rooms of one kind would take them (first fit of
the waiting pods into fresh nodes, DaemonSet pods counted), orders that many (up to the
group's ``autoscale_max_extra``, minus those already ordered) and the rooms are ready
``provision_delay_s`` later. Only pods the scheduler has tried and failed to place count
(``PodScheduled=False``); one node group is chosen per scan (the expander's choice: the
first group, in spec order, that helps).

cluster-autoscaler scans every ``--scan-interval`` (default 10 s; kubernetes/autoscaler
``cluster-autoscaler/FAQ.md``).

Example
-------
>>> AutoscalerSettings().scan_interval_s
10.0
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from tipsim.params import Params, param
from tipsim.sim.k8s.scheduler import NodeState, feasible, taints_tolerated
from tipsim.sim.k8s.spec import NodeGroupSpec
from tipsim.sim.k8s.state import ClusterState, PodState


class AutoscalerSettings(Params):
    """How often the autoscaler looks, and how long a new node takes."""

    scan_interval_s: float = param(10.0, gt=0, le=600, unit="s",
                                   description="time between the autoscaler's scans")
    provision_delay_s: float = param(120.0, ge=0, le=3600, unit="s",
                                     description="time for a new node to be ready")


class ClusterAutoscaler:
    """Adds nodes to node groups that have ``autoscale_max_extra`` room.

    Parameters
    ----------
    state
        The cluster.
    settings
        Scan interval and provisioning delay.
    on_nodes_ready
        Called after new nodes joined (the scheduler loop's pass).
    """

    def __init__(self, state: ClusterState, settings: AutoscalerSettings | None = None, *,
                 on_nodes_ready: Callable[[], None] = lambda: None) -> None:
        self.state = state
        self.settings = settings or AutoscalerSettings()
        self.on_nodes_ready = on_nodes_ready
        self.added: dict[str, int] = {g.name: 0 for g in state.spec.node_groups}
        self.in_flight: dict[str, int] = {g.name: 0 for g in state.spec.node_groups}

    def start(self) -> simpy.Process | None:
        """Start scanning, if any node group may grow."""
        if any(g.autoscale_max_extra > 0 for g in self.state.spec.node_groups):
            return self.state.env.process(self._scan())
        return None

    def nodes_needed(self, group: NodeGroupSpec, pending: list[PodState]) -> int:
        """First-fit of the pending pods that fresh nodes of ``group`` would take."""
        daemonsets = [d for d in self.state.spec.daemonsets
                      if taints_tolerated(group.taints, d.tolerations)]
        ds_cpu = sum(d.cpu_m for d in daemonsets)
        ds_mem = sum(d.memory_mb for d in daemonsets)
        bins: list[NodeState] = []
        for pod in sorted(pending, key=lambda p: -p.cpu_m):
            template = NodeState(-1, "template", group.name, group.cpu_m, group.memory_mb,
                                 group.secure, list(group.taints), used_cpu_m=ds_cpu,
                                 used_memory_mb=ds_mem)
            if not feasible(template, pod.cpu_m, pod.memory_mb, pod.tolerations):
                continue
            target = next((b for b in bins if b.fits(pod.cpu_m, pod.memory_mb)), None)
            if target is None:
                target = template
                bins.append(target)
            target.used_cpu_m += pod.cpu_m
            target.used_memory_mb += pod.memory_mb
        return len(bins)

    def _scan(self) -> Generator[simpy.Event, Any, None]:
        env = self.state.env
        while True:
            yield env.timeout(self.settings.scan_interval_s)
            now = self.state.now
            pending = [p for p in self.state.pods if p.pending and p.schedulable_s < now]
            if not pending:
                continue
            for group in self.state.spec.node_groups:
                room = group.autoscale_max_extra - self.added[group.name]
                need = self.nodes_needed(group, pending) - self.in_flight[group.name]
                count = min(room, need)
                if count > 0:
                    self.added[group.name] += count
                    self.in_flight[group.name] += count
                    env.process(self._provision(group, count))
                    break  # one expander choice per scan

    def _provision(self, group: NodeGroupSpec, count: int) -> Generator[simpy.Event, Any, None]:
        yield self.state.env.timeout(self.settings.provision_delay_s)
        for _ in range(count):
            self.state.add_node(group)
        self.in_flight[group.name] -= count
        self.on_nodes_ready()
