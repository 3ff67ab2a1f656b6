"""A running Kubernetes cluster in simpy: the state plus the controllers that act on it.

Picture a hotel where rooms are nodes and guests are pods. The register
(:class:`~tipsim.sim.k8s.state.ClusterState`) says who is where; the staff each do one
job and watch the register for their cue:

* the front desk (:class:`~tipsim.sim.k8s.scheduler_loop.SchedulerLoop`) seats waiting
  guests in the room the scheduler's rules pick (:mod:`tipsim.sim.k8s.scheduler`);
* the porter (:class:`~tipsim.sim.k8s.kubelet.Kubelet`) gets each guest unpacked
  (start-up time) before they are any use;
* the booking office (:class:`~tipsim.sim.k8s.replicaset.ReplicaSetController`) books a
  replacement the moment a guest leaves;
* the caretaker (:class:`~tipsim.sim.k8s.daemonset.DaemonSetController`) puts a node
  agent in every new room;
* the manager (:class:`~tipsim.sim.k8s.taint_manager.TaintEvictionController`) shows
  guests out of rooms with signs they do not accept (NoExecute taints);
* the builder (:class:`~tipsim.sim.k8s.autoscaler.ClusterAutoscaler`) adds rooms when
  guests wait in the lobby (Pending);
* a polite move-out (:class:`~tipsim.sim.k8s.drain.EvictionAPI`) drains a room through the
  Eviction API.

:class:`Cluster` wires them together and offers the ``kubectl`` verbs at ``env.now``
(:meth:`Cluster.taint`, :meth:`Cluster.untaint`, :meth:`Cluster.cordon`,
:meth:`Cluster.drain`); :meth:`Cluster.pod_table` returns every pod's life as arrays.

Example
-------
>>> import simpy
>>> from tipsim.sim.k8s.spec import EXTERNAL_TAINT, ClusterSpec, NodeGroupSpec, WorkloadSpec
>>> spec = ClusterSpec(node_groups=(NodeGroupSpec(name="old", size=1, secure=False),
...                                 NodeGroupSpec(name="new", size=1)),
...                    workloads=(WorkloadSpec(name="web", kind="external", replicas=1,
...                                            startup_s=10.0),))
>>> env = simpy.Environment()
>>> cluster = Cluster(env, spec)
>>> cluster.taint(cluster.pods[0].node, EXTERNAL_TAINT)
>>> env.run(until=30)
>>> [(p.node, p.ended_s, p.ready_s) for p in cluster.pods]
[(0, 0.0, 0.0), (1, nan, 11.0)]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from tipsim.sim.k8s.autoscaler import AutoscalerSettings, ClusterAutoscaler
from tipsim.sim.k8s.daemonset import DaemonSetController
from tipsim.sim.k8s.drain import EvictionAPI
from tipsim.sim.k8s.kubelet import Kubelet, StartupSettings
from tipsim.sim.k8s.replicaset import ReplicaSetController, ReplicaSetSettings
from tipsim.sim.k8s.scheduler_loop import SchedulerLoop
from tipsim.sim.k8s.spec import ClusterSpec, Taint
from tipsim.sim.k8s.state import ClusterState, NodeRecord, PodState
from tipsim.sim.k8s.taint_manager import TaintEvictionController


class Cluster:
    """The cluster at run time: state, controllers and the ``kubectl`` verbs.

    Parameters
    ----------
    env, spec
        The simpy environment and the cluster's specification, as for
        :class:`~tipsim.sim.k8s.state.ClusterState`.
    startup_rng, startup_cv
        Start-up times of pods: the kubelet's stream (``None``: every start-up takes
        exactly its mean) and :attr:`~tipsim.sim.k8s.kubelet.StartupSettings.startup_cv`.
    provision_delay_s, autoscale_interval_s
        :class:`~tipsim.sim.k8s.autoscaler.AutoscalerSettings`'s ``provision_delay_s`` and
        ``scan_interval_s``.
    scheduling_delay_s
        :attr:`~tipsim.sim.k8s.replicaset.ReplicaSetSettings.scheduling_delay_s`.
    scheduler_rng
        Stream with which the scheduler picks among equally good nodes, as kube-scheduler
        does at random; ``None`` picks the first of them (for worked examples).
    """

    def __init__(self, env: simpy.Environment, spec: ClusterSpec, *,
                 startup_rng: np.random.Generator | None = None, startup_cv: float = 0.0,
                 provision_delay_s: float = 120.0, autoscale_interval_s: float = 10.0,
                 scheduling_delay_s: float = 1.0,
                 scheduler_rng: np.random.Generator | None = None) -> None:
        replicaset_settings = ReplicaSetSettings.create(scheduling_delay_s=scheduling_delay_s)
        startup = StartupSettings.create(startup_cv=startup_cv)
        autoscaling = AutoscalerSettings.create(scan_interval_s=autoscale_interval_s,
                                                provision_delay_s=provision_delay_s)
        self.env = env
        self.spec = spec
        self.state = ClusterState(env, spec)
        # Watchers run in the order they subscribe: the kubelet starts a pod before the
        # taint manager looks at it; the ReplicaSet replaces a deleted pod before the
        # scheduler's pass; the taint manager acts on a taint change before that pass.
        self.kubelet = Kubelet(self.state, startup_rng, startup)
        self.taint_manager = TaintEvictionController(self.state)
        self.replicaset = ReplicaSetController(self.state, replicaset_settings)
        self.scheduler = SchedulerLoop(self.state, scheduler_rng)
        self.daemonsets = DaemonSetController(self.state)
        self.eviction_api = EvictionAPI(self.state)
        self.autoscaler = ClusterAutoscaler(self.state, autoscaling,
                                            on_nodes_ready=self.scheduler.schedule_pending)
        for group in spec.node_groups:
            for _ in range(group.size):
                self.state.add_node(group)
        # Deployments start spread out and ready (a cluster that has been running a while).
        self.replicaset.create_initial()
        self.scheduler.schedule_pending()
        for pod in self.pods:
            pod.warm = False  # a pod that found no node at t = 0 starts up like any other
        for group in spec.node_groups:
            for _ in range(group.spare):
                self.state.add_node(group)
        self.autoscaler.start()

    # ------------------------------------------------------------------ tables
    @property
    def nodes(self) -> list[NodeRecord]:
        return self.state.nodes

    @property
    def pods(self) -> list[PodState]:
        return self.state.pods

    @property
    def on_change(self) -> list[Callable[[], None]]:
        """Called after every scheduling pass and every pod becoming ready."""
        return self.state.on_change

    def node_names(self) -> list[str]:
        return self.state.node_names()

    def nodes_in_group(self, group: str) -> list[int]:
        """Indices of the nodes of one node group."""
        return self.state.nodes_in_group(group)

    def pods_on(self, node_index: int) -> list[PodState]:
        return self.state.pods_on(node_index)

    def pod_table(self) -> dict[str, np.ndarray]:
        """One row per pod that ever existed (see :meth:`ClusterState.pod_table`)."""
        return self.state.pod_table()

    def node_table(self) -> dict[str, Any]:
        """One row per node (see :meth:`ClusterState.node_table`)."""
        return self.state.node_table()

    # ------------------------------------------------------------------ kubectl
    def taint(self, node_index: int, taint: Taint) -> None:
        """``kubectl taint nodes NODE key=value:effect``."""
        self.state.taint(node_index, taint)

    def untaint(self, node_index: int, taint: Taint) -> None:
        """``kubectl taint nodes NODE key=value:effect-``."""
        self.state.untaint(node_index, taint)

    def cordon(self, node_index: int) -> None:
        """``kubectl cordon NODE``: no new pods; running pods stay."""
        self.state.cordon(node_index)

    def drain(self, node_index: int, retry_s: float = 5.0) -> simpy.Process:
        """``kubectl drain``: cordon, then evict through the Eviction API (PDBs hold)."""
        return self.eviction_api.drain(node_index, retry_s)

    def eviction_allowed(self, pod: PodState) -> bool:
        """The Eviction API's PodDisruptionBudget check for ``pod``."""
        return self.eviction_api.eviction_allowed(pod)

    def delete_pod(self, pod: PodState, reason: str) -> None:
        """``kubectl delete pod``: deleted now; its ReplicaSet creates a replacement."""
        self.state.delete(pod, reason)
