"""Parameters of the node-group migration, each the field of the component it belongs to.

Every field but three is flattened from the model that owns it (:func:`tipsim.params.same_as`):
the node groups' sizes and capacity from :class:`~tipsim.sim.k8s.spec.NodeGroupSpec`,
the workloads' from :class:`~tipsim.sim.k8s.spec.WorkloadSpec`, the plan from
:class:`~tipsim.sim.k8s.migration.MigrationPlan`, the traffic from
:class:`~tipsim.sim.k8s.traffic.TrafficSpec`, start-up spread and provisioning delay from
the kubelet's and autoscaler's settings. A range changed there changes the CLI's
``--list-params``, the error message and the panel's slider together. The scenario's own
are ``toleration_seconds`` (the Kubernetes API accepts any number; the scenario offers
0-3600 s), ``horizon_s`` and the run options (seed, replications).
"""

from __future__ import annotations

from typing import Self

from pydantic import model_validator

from tipsim.params import Params as BaseParams
from tipsim.params import param, same_as
from tipsim.sim.k8s.autoscaler import AutoscalerSettings
from tipsim.sim.k8s.kubelet import StartupSettings
from tipsim.sim.k8s.migration import Cordon, MigrationPlan, Strategy
from tipsim.sim.k8s.spec import DaemonSetSpec, NodeGroupSpec, WorkloadSpec
from tipsim.sim.k8s.traffic import TrafficSpec


class Params(BaseParams):
    """Parameters of the node-group migration (``tipsim run node-groups --list-params``)."""

    strategy: Strategy = same_as(MigrationPlan, "strategy")
    spare_nodes: int = same_as(NodeGroupSpec, "spare", 2,
                               description="empty secure nodes added just before the move")
    toleration_seconds: float | None = param(
        None, ge=0, le=3600, unit="s", slider=(0, 600), step=15, label="tolerationSeconds",
        description="how long external pods tolerate the taint (empty: not at all)")
    node_pause_s: float = same_as(MigrationPlan, "node_pause_s")
    cordon: Cordon = same_as(MigrationPlan, "cordon")
    insecure_nodes: int = same_as(NodeGroupSpec, "size", 3, description="nodes in the insecure group")
    secure_nodes: int = same_as(NodeGroupSpec, "size", 2, description="nodes in the secure group")
    node_cpu_m: int = same_as(NodeGroupSpec, "cpu_m")
    node_memory_mb: int = same_as(NodeGroupSpec, "memory_mb")
    external_replicas: int = same_as(WorkloadSpec, "replicas", 8,
                                     description="replicas of the external workload")
    external_cpu_m: int = same_as(WorkloadSpec, "cpu_m", 500,
                                  description="CPU request per external pod")
    external_memory_mb: int = same_as(WorkloadSpec, "memory_mb", 512,
                                      description="memory request per external pod")
    internal_replicas: int = same_as(WorkloadSpec, "replicas", 8,
                                     description="replicas of the internal workload")
    internal_cpu_m: int = same_as(WorkloadSpec, "cpu_m", 250,
                                  description="CPU request per internal pod")
    internal_memory_mb: int = same_as(WorkloadSpec, "memory_mb", 256,
                                      description="memory request per internal pod")
    daemonset_cpu_m: int = same_as(DaemonSetSpec, "cpu_m", 100,
                                   description="CPU of the DaemonSet pod on each node (0: none)")
    startup_s: float = same_as(WorkloadSpec, "startup_s", 30.0)
    startup_cv: float = same_as(StartupSettings, "startup_cv", 0.25)
    autoscale_max_nodes: int = same_as(NodeGroupSpec, "autoscale_max_extra", 2,
                                       description="secure nodes the autoscaler may add")
    provision_delay_s: float = same_as(AutoscalerSettings, "provision_delay_s")
    rate_per_s: float = same_as(TrafficSpec, "rate_per_s")
    pod_capacity_rps: float = same_as(TrafficSpec, "pod_capacity_rps")
    users: int = same_as(TrafficSpec, "users")
    decision_s: float = same_as(MigrationPlan, "decision_s")
    horizon_s: float = param(900.0, ge=60, le=14400, unit="s", description="simulated time")

    @model_validator(mode="after")
    def _decision_before_horizon(self) -> Self:
        if self.decision_s >= self.horizon_s:
            raise ValueError(f"decision_s: less than horizon_s ({self.horizon_s:g} s)")
        return self


class RunOptions(BaseParams):
    """How a run is repeated: the seed of its random streams and the replications."""

    seed: int = param(1, ge=0, le=1_000_000, description="random seed of the run")
    replications: int = param(5, ge=1, le=50,
                              description="runs each point of the comparison averages")
