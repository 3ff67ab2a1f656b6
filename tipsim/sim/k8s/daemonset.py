"""The DaemonSet controller: one node-agent pod on every node that accepts it.

Like a caretaker's cupboard in every room: when a node joins, each DaemonSet whose
tolerations accept the node's taints (and whose requests fit) gets a pod bound to it,
already running. DaemonSet pods are not replaced when deleted, and a taint they tolerate
leaves them in place (node agents commonly tolerate everything).

Example
-------
>>> import simpy
>>> from tipsim.sim.k8s.spec import ClusterSpec, DaemonSetSpec, NodeGroupSpec
>>> from tipsim.sim.k8s.state import ClusterState
>>> spec = ClusterSpec(node_groups=(NodeGroupSpec(name="g", size=2),),
...                    daemonsets=(DaemonSetSpec(name="agent"),))
>>> state = ClusterState(simpy.Environment(), spec)
>>> ds = DaemonSetController(state)
>>> _ = [state.add_node(spec.node_groups[0]) for _ in range(2)]
>>> [(p.workload, p.node) for p in state.pods]
[('agent', 0), ('agent', 1)]
"""

from __future__ import annotations

from tipsim.sim.k8s.scheduler import taints_tolerated
from tipsim.sim.k8s.state import ClusterState, NodeRecord


class DaemonSetController:
    """Places each DaemonSet's pod on every node as it joins.

    Parameters
    ----------
    state
        The cluster; the controller watches nodes joining.
    """

    def __init__(self, state: ClusterState) -> None:
        self.state = state
        state.on_node_added.append(self.on_node_added)

    def on_node_added(self, record: NodeRecord) -> None:
        node = record.state
        for ds in self.state.spec.daemonsets:
            if taints_tolerated(node.taints, ds.tolerations) and node.fits(ds.cpu_m, ds.memory_mb):
                pod = self.state.create_pod(ds.name, "daemon", ds.cpu_m, ds.memory_mb,
                                            ds.tolerations, 0.0, warm=True)
                self.state.bind(pod, node)
