"""The A/B data lake's parameters: the Kafka front, both back ends, the objective, statistics.

Every field that belongs to a component (the topic, the FaaS arm, the Spark arm) is declared
there, once, with :func:`~tipsim.params.param`, and flattened here with
:func:`~tipsim.params.same_as`: the CLI's ``--set rate_per_s=...`` names stay flat, and a
range changed in the component changes this scenario's ``--list-params``, its error
messages and the panel's controls together. Arm B may override a few fields (``b_*``;
empty: as arm A), for FaaS-against-FaaS or Spark-against-Spark tests.
"""

from __future__ import annotations

from typing import Any, Literal

from tipsim.params import Params as BaseParams
from tipsim.params import param, same_as
from tipsim.sim.data_lake.faas import FaasSettings
from tipsim.sim.data_lake.kafka import TopicSettings
from tipsim.sim.data_lake.lake import ArmNoise
from tipsim.sim.data_lake.spark import SparkSettings

Backend = Literal["faas", "spark"]
Arm = Literal["a", "b"]
FAAS_FIELDS = ("batch_size", "batching_window_s", "memory_mb", "invoke_overhead_ms",
               "cold_start_probability", "cold_start_s", "scaling_delay_s", "initial_pollers",
               "invocations_per_poller", "max_pollers")
"""FaaS settings the scenario exposes (the others keep the component's default)."""
SPARK_FIELDS = ("instance_type", "core_nodes", "trigger_interval_s", "batch_overhead_s",
                "cluster_startup_s", "dynamic_allocation", "min_nodes", "max_nodes")
"""Spark settings the scenario exposes."""
B_OVERRIDES = ("batch_size", "batching_window_s", "memory_mb", "invocations_per_poller",
               "core_nodes", "trigger_interval_s")
"""Fields arm B may set for itself as ``b_<field>``."""
PRICE_FIELDS = {"lambda_request": "lambda_request_usd",
                "lambda_gb_second_x86": "lambda_gb_second_usd",
                "ec2_m5.xlarge": "ec2_m5_xlarge_usd_per_hour",
                "emr_m5.xlarge": "emr_m5_xlarge_usd_per_hour"}
"""Price item of the dated table -> the field that overrides it (the panel's prices)."""


class Params(BaseParams):
    """Load, both arms' settings (arm B may override some), objective and statistics."""

    # the shared front
    rate_per_s: float = same_as(TopicSettings, "rate_per_s")
    pattern: Literal["steady", "on_off", "daily"] = same_as(TopicSettings, "pattern",
                                                            description="load shape")
    burst_factor: float = same_as(TopicSettings, "burst_factor",
                                  description="peak rate / mean rate")
    burst_period_s: float = same_as(TopicSettings, "burst_period_s")
    partitions: int = same_as(TopicSettings, "partitions", description="Kafka partitions")
    record_bytes: int = same_as(TopicSettings, "record_bytes")
    duration_s: float = same_as(TopicSettings, "duration_s")
    slice_s: float = same_as(TopicSettings, "slice_s",
                             description="time slice of the count model")
    brokers: int = param(3, ge=1, le=100, slider=(1, 15),
                         description="MSK brokers (shared front, costed apart)")
    retention_hours: float = param(24.0, ge=0, le=8760, unit="h", slider=(0, 168), step=1,
                                   description="Kafka retention")
    # the work, the same for both arms
    cpu_ms_per_record: float = param(0.5, gt=0, le=10_000, unit="ms", slider=(0.01, 100),
                                     log=True, step=0.05,
                                     description="CPU time per record on one vCPU")
    slo_s: float = param(30.0, gt=0, le=86_400, unit="s", slider=(1, 600), step=1,
                         description="objective: produced -> in the lake within")
    freshness_target: float = param(0.99, ge=0.5, lt=1.0, step=0.001,
                                    description="share of records that must meet slo_s "
                                                "(the SLO its burn-rate alerts judge)")
    # the arms
    arm_a: Backend = param("faas", label="arm A", description="back end of arm A")
    arm_b: Backend = param("spark", label="arm B", description="back end of arm B")
    jitter_cv: float = same_as(ArmNoise, "duration_cv",
                               description="lognormal jitter of batch times (sigma)")
    batch_size: int = same_as(FaasSettings, "batch_size", description="FaaS BatchSize")
    batching_window_s: float = same_as(FaasSettings, "batching_window_s",
                                       description="FaaS batching window")
    memory_mb: int = same_as(FaasSettings, "memory_mb",
                             description="FaaS memory (CPU share follows)")
    invoke_overhead_ms: float = same_as(FaasSettings, "invoke_overhead_ms",
                                        description="FaaS fixed time per invocation")
    cold_start_probability: float = same_as(FaasSettings, "cold_start_probability",
                                            description="FaaS cold-start chance")
    cold_start_s: float = same_as(FaasSettings, "cold_start_s",
                                  description="FaaS median cold-start time")
    scaling_delay_s: float = same_as(FaasSettings, "scaling_delay_s",
                                     description="FaaS poller change delay")
    initial_pollers: int | None = same_as(
        FaasSettings, "initial_pollers",
        description="FaaS pollers at the start (empty: sized for the mean rate)")
    invocations_per_poller: int = same_as(
        FaasSettings, "invocations_per_poller",
        description="FaaS concurrent invocations per event poller (AWS: up to 5)")
    max_pollers: int | None = same_as(FaasSettings, "max_pollers",
                                      description="FaaS MaximumPollers (empty: one per partition)")
    instance_type: Literal["m5.xlarge", "m5.2xlarge", "m5.4xlarge"] = same_as(
        SparkSettings, "instance_type", description="Spark node type")
    core_nodes: int = same_as(SparkSettings, "core_nodes", description="Spark core nodes")
    trigger_interval_s: float = same_as(SparkSettings, "trigger_interval_s",
                                        description="Spark trigger (0: back to back)")
    batch_overhead_s: float = same_as(SparkSettings, "batch_overhead_s",
                                      description="Spark overhead per micro-batch")
    cluster_startup_s: float = same_as(SparkSettings, "cluster_startup_s",
                                       description="Spark cluster start-up time")
    dynamic_allocation: bool = same_as(SparkSettings, "dynamic_allocation",
                                       description="Spark dynamic allocation")
    min_nodes: int = same_as(SparkSettings, "min_nodes",
                             description="Spark fewest nodes (dynamic allocation)")
    max_nodes: int = same_as(SparkSettings, "max_nodes",
                             description="Spark most nodes (dynamic allocation)")
    # arm B overrides (empty: same as arm A), for FaaS-vs-FaaS or Spark-vs-Spark tests
    b_batch_size: int | None = same_as(FaasSettings, "batch_size", None,
                                       description="arm B BatchSize")
    b_batching_window_s: float | None = same_as(FaasSettings, "batching_window_s", None,
                                                description="arm B batching window")
    b_memory_mb: int | None = same_as(FaasSettings, "memory_mb", None,
                                      description="arm B memory")
    b_invocations_per_poller: int | None = same_as(
        FaasSettings, "invocations_per_poller", None,
        description="arm B concurrent invocations per poller")
    b_core_nodes: int | None = same_as(SparkSettings, "core_nodes", None,
                                       description="arm B core nodes")
    b_trigger_interval_s: float | None = same_as(SparkSettings, "trigger_interval_s", None,
                                                 description="arm B trigger")
    # prices (empty: the dated table's), so a sweep or the CLI can try another price
    lambda_request_usd: float | None = param(None, ge=0, le=1.0, unit="USD",
                                             description="price of one Lambda request "
                                                         "(empty: the dated table's)")
    lambda_gb_second_usd: float | None = param(None, ge=0, le=1.0, unit="USD",
                                               description="price of one Lambda GB-second, "
                                                           "x86 (empty: the dated table's)")
    ec2_m5_xlarge_usd_per_hour: float | None = param(
        None, ge=0, le=1000.0, unit="USD/h",
        description="EC2 price of an m5.xlarge instance-hour (empty: the dated table's)")
    emr_m5_xlarge_usd_per_hour: float | None = param(
        None, ge=0, le=1000.0, unit="USD/h",
        description="EMR fee of an m5.xlarge instance-hour (empty: the dated table's)")
    # statistics
    replications: int = param(5, ge=2, le=200, slider=(2, 20),
                              description="paired replications (CLI --replications wins)")
    confidence: float = param(0.95, ge=0.5, le=0.999, step=0.005,
                              description="confidence of intervals and verdicts")

    def topic(self) -> TopicSettings:
        """The Kafka front's settings."""
        return TopicSettings(**{k: getattr(self, k) for k in TopicSettings.model_fields})

    def backend(self, arm: Arm) -> Backend:
        """The back end of ``arm``."""
        return self.arm_a if arm == "a" else self.arm_b

    def _values(self, arm: Arm) -> dict[str, Any]:
        values: dict[str, Any] = {k: getattr(self, k) for k in FAAS_FIELDS + SPARK_FIELDS}
        if arm == "b":
            values.update({k: getattr(self, "b_" + k) for k in B_OVERRIDES
                           if getattr(self, "b_" + k) is not None})
        return values

    def faas_settings(self, arm: Arm = "a") -> FaasSettings:
        """The FaaS settings of ``arm`` (its overrides applied), whatever its back end."""
        values = self._values(arm)
        return FaasSettings.create({k: values[k] for k in FAAS_FIELDS}, duration_cv=self.jitter_cv)

    def spark_settings(self, arm: Arm = "a") -> SparkSettings:
        """The Spark settings of ``arm`` (its overrides applied), whatever its back end."""
        values = self._values(arm)
        return SparkSettings.create({k: values[k] for k in SPARK_FIELDS},
                                    duration_cv=self.jitter_cv)

    def price_overrides(self) -> dict[str, float]:
        """Price item -> USD for each price field that is set (see :data:`PRICE_FIELDS`)."""
        return {item: float(getattr(self, name)) for item, name in PRICE_FIELDS.items()
                if getattr(self, name) is not None}

    def arm_settings(self, arm: Arm) -> FaasSettings | SparkSettings:
        """The validated settings of one arm (arm B applies its overrides)."""
        return self.faas_settings(arm) if self.backend(arm) == "faas" else self.spark_settings(arm)
