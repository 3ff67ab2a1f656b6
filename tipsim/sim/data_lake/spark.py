"""Spark back end: Structured Streaming micro-batches on an EMR-style cluster.

Documented behaviour modelled (Spark Structured Streaming guide and Spark configuration,
Apache Spark 3.x docs):

* A micro-batch takes every record readable when it starts, from all partitions, and the
  whole batch lands in the lake when it ends.
* With a trigger interval, batches start on the interval's ticks; a batch that runs late
  makes the next one start at once. With ``trigger_interval_s = 0`` (no trigger set) the
  next batch starts as soon as the previous ends. No new data, no batch.
* Batch time = scheduling overhead + records x CPU time per record / parallelism, where the
  parallelism is the executor cores (whole vCPUs of the core nodes), at most one task per
  Kafka partition (the Kafka source maps partitions one-to-one to tasks), with a lognormal
  jitter.
* Dynamic allocation (optional): when tasks wait for cores longer than
  ``schedulerBacklogTimeout`` (1 s), nodes are requested up to enough cores for every task
  (one per partition); they serve after ``node_startup_s``.
  Nodes whose executors have had no task for ``executorIdleTimeout`` (60 s) are released,
  down to ``min_nodes``.
* The cluster (one primary node plus core nodes) bills from creation, so
  ``cluster_startup_s`` (no documented figure: an assumption to set) costs money and delays
  the first batch; EMR bills per second with a one-minute minimum per instance.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import Literal

import numpy as np
from pydantic import model_validator

from tipsim.params import Params, param, same_as
from tipsim.sim.data_lake.kafka import TopicLoad
from tipsim.sim.data_lake.lake import (
    ArmNoise,
    ArmRun,
    StreamBatches,
    censored_segments,
    timed_latency_segments,
)

VCPU_PER_INSTANCE: dict[str, int] = {"m5.xlarge": 4, "m5.2xlarge": 8, "m5.4xlarge": 16}
EXECUTOR_IDLE_TIMEOUT_S = 60.0
SCHEDULER_BACKLOG_TIMEOUT_S = 1.0
BILLING_MINIMUM_S = 60.0


class SparkSettings(Params):
    """One Spark arm: the cluster and the streaming query."""

    instance_type: Literal["m5.xlarge", "m5.2xlarge", "m5.4xlarge"] = param(
        "m5.xlarge", description="EC2 type of every node")
    core_nodes: int = param(3, ge=1, le=200, slider=(1, 16),
                            description="core nodes running executors")
    trigger_interval_s: float = param(10.0, ge=0, le=3600, unit="s", slider=(0, 60), step=1,
                                      description="micro-batch trigger (0: start when the last ends)")
    batch_overhead_s: float = param(0.5, ge=0, le=600, unit="s", slider=(0, 10), step=0.1,
                                    description="scheduling and commit time per micro-batch (assumption)")
    duration_cv: float = same_as(ArmNoise, "duration_cv",
                                 description="lognormal jitter of batch time (sigma)")
    cluster_startup_s: float = param(0.0, ge=0, le=7200, unit="s", slider=(0, 900), step=10,
                                     description="time from creating the cluster to the first batch")
    dynamic_allocation: bool = param(False, description="add and release nodes with the backlog")
    min_nodes: int = param(1, ge=1, le=200, slider=(1, 16),
                           description="fewest core nodes with dynamic allocation")
    max_nodes: int = param(20, ge=1, le=200, slider=(1, 40),
                           description="most core nodes with dynamic allocation")
    node_startup_s: float = param(120.0, ge=0, le=3600, unit="s", slider=(0, 600), step=10,
                                  description="time for an added node to serve (assumption)")

    @model_validator(mode="after")
    def _node_range(self) -> SparkSettings:
        if self.dynamic_allocation and not self.min_nodes <= self.core_nodes <= self.max_nodes:
            raise ValueError("core_nodes: between min_nodes and max_nodes with dynamic allocation")
        return self

    @property
    def vcpu_per_node(self) -> int:
        return VCPU_PER_INSTANCE[self.instance_type]


def _compute_time_s(work_s: float, start_s: float, ready_s: list[float], vcpu: int,
                    partitions: int) -> float:
    """Time to do ``work_s`` core-seconds from ``start_s`` when nodes serve from their ready
    times: at each moment the parallelism is min(serving cores, partitions) (fluid tasks)."""
    events = sorted(r for r in ready_s if r > start_s)
    serving = sum(1 for r in ready_s if r <= start_s)
    t, left = start_s, work_s
    for r in [*events, math.inf]:
        rate = min(serving * vcpu, partitions)
        if rate > 0 and t + left / rate <= r:
            return t + left / rate - start_s
        left -= rate * (r - t)
        t, serving = r, serving + 1
    return t - start_s


def simulate_spark(load: TopicLoad, settings: SparkSettings, cpu_s_per_record: float,
                   rng: np.random.Generator, *, drain_s: float | None = None) -> ArmRun:
    """Run the Spark arm over the topic's load (see the module docstring for the rules)."""
    window_s = load.duration_s
    stop_s = window_s + (window_s if drain_s is None else drain_s)
    slice_s, n_slices = load.slice_s, load.slices
    cum_np = np.cumsum(load.total_per_slice)
    cum = cum_np.tolist()
    total = cum[-1] if cum else 0
    stream = StreamBatches(cum_np, 0)
    sigma = settings.duration_cv
    interval = settings.trigger_interval_s
    t0 = settings.cluster_startup_s
    # instances: [start, end or None]; index 0 is the primary node
    instances: list[list[float | None]] = [[0.0, None]] + [[0.0, None]
                                                           for _ in range(settings.core_nodes)]
    ready_at: list[float] = [t0] * settings.core_nodes  # per core node, when it serves
    last_busy: list[float] = [t0] * settings.core_nodes
    live: list[int] = list(range(1, settings.core_nodes + 1))
    timeline_t, timeline_n = [0.0], [settings.core_nodes]
    vcpu = settings.vcpu_per_node
    consumed, t = 0, t0
    batches = 0
    jit = np.exp(sigma * rng.standard_normal(4096) - 0.5 * sigma**2).tolist()
    while t < stop_s and consumed < total:
        ready = min(int(t / slice_s + 1e-9), n_slices)
        n = (cum[ready - 1] if ready else 0) - consumed
        if n <= 0:
            t_data = (bisect_left(cum, consumed + 1) + 1) * slice_s
            t = t_data if interval == 0 else t0 + math.ceil((t_data - t0) / interval - 1e-9) * interval
            continue
        serving = [k for k, i in enumerate(live) if ready_at[i - 1] <= t]
        cores = len(serving) * vcpu
        parallel = min(cores, load.partitions)
        if parallel == 0:  # every node still starting: wait for the first
            t = min(ready_at[i - 1] for i in live)
            continue
        if batches >= len(jit):
            jit += np.exp(sigma * rng.standard_normal(4096) - 0.5 * sigma**2).tolist()
        work_s = n * cpu_s_per_record * jit[batches]
        d = settings.batch_overhead_s * jit[batches] + _compute_time_s(
            work_s, t, [ready_at[i - 1] for i in live], vcpu, load.partitions)
        batches += 1
        end = t + d
        consumed += n
        stream.end_offsets.append(consumed)
        stream.lake_time_s.append(end)
        # the first `parallel` cores get tasks; whole nodes beyond them stay idle
        # tasks fill whole nodes first; nodes that joined during the batch took tasks too
        joined = [k for k, i in enumerate(live) if t < ready_at[i - 1] < end]
        for k in serving[:math.ceil(parallel / vcpu)] + joined:
            last_busy[live[k] - 1] = end
        if settings.dynamic_allocation:
            # Tasks beyond the first wave wait for a core; when that wait passes the backlog
            # timeout, Spark asks for enough executors to run every task at once (its
            # exponential ramp ends at that target), unless nodes are already starting.
            compute_s = n * cpu_s_per_record / parallel
            waiting_s = compute_s * (1.0 - parallel / load.partitions)
            starting = any(ready_at[i - 1] > t for i in live)
            if waiting_s > SCHEDULER_BACKLOG_TIMEOUT_S and not starting:
                target = min(settings.max_nodes, math.ceil(load.partitions / vcpu))
                for _ in range(target - len(live)):
                    instances.append([t + SCHEDULER_BACKLOG_TIMEOUT_S, None])
                    ready_at.append(t + SCHEDULER_BACKLOG_TIMEOUT_S + settings.node_startup_s)
                    last_busy.append(ready_at[-1])
                    live.append(len(instances) - 1)
                    timeline_t.append(t + SCHEDULER_BACKLOG_TIMEOUT_S)
                    timeline_n.append(len(live))
            for i in list(live):
                idle_since = last_busy[i - 1]
                if len(live) > settings.min_nodes and end - idle_since > EXECUTOR_IDLE_TIMEOUT_S:
                    release_s = idle_since + EXECUTOR_IDLE_TIMEOUT_S
                    instances[i][1] = release_s
                    live.remove(i)
                    timeline_t.append(release_s)
                    timeline_n.append(len(live))
        if interval == 0:
            t = end
        else:
            tick = t0 + (math.floor((t - t0) / interval + 1e-9) + 1) * interval
            t = max(tick, end)

    billed_s = 0.0
    for start, end_s in instances:
        stop = window_s if end_s is None else min(end_s, window_s)
        if start is not None and start < window_s:
            billed_s += max(stop - start, BILLING_MINIMUM_S)
    lat, w, produced = timed_latency_segments(stream, slice_s)
    sizes = np.diff(np.concatenate(([0], stream.end_offsets))).astype(np.int64)
    order = np.argsort(timeline_t, kind="stable")
    run = ArmRun(
        backend="spark",
        window_s=window_s,
        latency_s=lat,
        latency_weight=w,
        latency_produced_s=produced,
        batch_lake_time_s=np.asarray(stream.lake_time_s, dtype=np.float64),
        batch_records=sizes,
        records_produced=load.records,
        fingerprint=load.fingerprint(),
        usage={"instance_hours": billed_s / 3600.0, "nodes_max": float(max(timeline_n)),
               "instance_type_vcpu": float(vcpu)},
        timeline=(np.asarray(timeline_t)[order], np.asarray(timeline_n)[order]),
        extra={"micro_batches": float(batches)},
    )
    run.censored_latency_s, run.censored_weight = censored_segments(
        load, load.records - run.records_landed, stop_s)
    run.horizon_s = stop_s
    return run
