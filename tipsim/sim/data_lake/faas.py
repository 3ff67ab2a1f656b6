"""FaaS back end: functions fed by a Kafka event source mapping, in the manner of AWS Lambda.

Documented behaviour modelled (AWS Lambda Developer Guide: "MSK event source mapping
parameters", "Apache Kafka event poller scaling modes in Lambda"
https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html, "Low latency processing
for Kafka event sources" https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-low-latency.html):

* Event pollers read the topic; at most one poller per partition (``pollers <= partitions``),
  and at most ``max_pollers`` (provisioned mode's MaximumPollers, 1-2,000). Poller ``i`` owns
  the partitions ``p`` with ``p % pollers == i``.
* Each poller drives up to 5 concurrent invocations or 5 MB/s, whichever binds first, and a
  partition never has two batches in flight (order within a partition is kept): see
  :mod:`tipsim.sim.data_lake.poller`. A poller with fewer than 5 partitions runs as many
  invocations at once as it has partitions.
* A batch leaves when it holds ``batch_size`` records (default 100, max 10,000), when the
  batching window expires (default 0.5 s, counted from when its lane starts gathering), or
  when the next record would exceed the 6 MB invocation payload (records travel
  base64-encoded, 4/3 of their size).
* On-demand scaling: the offset lag is evaluated every minute; a change of pollers takes
  effect ``scaling_delay_s`` later ("within three minutes of evaluation"). A new execution
  environment's first invocation is a cold start; other invocations are cold with
  ``cold_start_probability`` (under 1 % in steady use; 100 ms to over 1 s).
* Invocation time = overhead + records x CPU time per record / CPU share, with CPU share
  ``min(memory_mb / 1769, 1)`` (1,769 MB is one vCPU; the handler is single-threaded), a
  lognormal jitter, and the 15-minute timeout (a timed-out batch is billed the timeout and
  retried: retries are unlimited by default).

How many pollers the scaler wants is not documented: the model asks for the fewest pollers
whose full-batch throughput (concurrency and 5 MB/s included) absorbs last minute's production
plus the lag within a minute at :data:`TARGET_UTILISATION` (a stated assumption, see
:func:`target_pollers`). The docs give the 5-invocation figure in the provisioned-mode section;
the model applies it to every poller.

Billing quantities follow Lambda's: one request per invocation, duration rounded up to
1 ms, GB-seconds = billed seconds x memory_mb / 1024.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from tipsim.errors import ParameterError
from tipsim.params import Params, param, same_as
from tipsim.sim.data_lake.kafka import TopicLoad
from tipsim.sim.data_lake.lake import (
    ArmNoise,
    ArmRun,
    StreamBatches,
    censored_segments,
    timed_latency_segments,
)
from tipsim.sim.data_lake.partitions import deal, merged_stream, split_consumed
from tipsim.sim.data_lake.poller import (
    BYTES_PER_S,
    MAX_INVOCATIONS_PER_POLLER,
    Batching,
    Draws,
    Lane,
    Poller,
    Tally,
    landed_by,
)

PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024
"""Synchronous invocation payload limit (6 MB)."""
BASE64_FACTOR = 4.0 / 3.0
"""Kafka record values reach the function base64-encoded."""
MB_PER_VCPU = 1769.0
"""Memory size at which a function gets one full vCPU."""
EVALUATION_INTERVAL_S = 60.0
"""On-demand scaling evaluates the offset lag every minute."""
TARGET_UTILISATION = 0.8
"""The model's scaler sizes pollers to run at most 80 % busy (an assumption: a scaler aiming
at 100 % would leave the queue on the edge of instability)."""


class FaasSettings(Params):
    """One FaaS arm: the function and its event source mapping."""

    batch_size: int = param(100, ge=1, le=10_000, unit="records",
                            description="BatchSize: records per invocation at most")
    batching_window_s: float = param(0.5, ge=0, le=300, unit="s", slider=(0, 5), step=0.1,
                                     description="MaximumBatchingWindowInSeconds")
    memory_mb: int = param(1024, ge=128, le=10_240, unit="MB",
                           description="function memory (CPU share follows it)")
    invoke_overhead_ms: float = param(
        30.0, ge=0, le=60_000, unit="ms", slider=(0, 500), step=5,
        description="fixed time per invocation incl. the write to the lake (assumption)")
    duration_cv: float = same_as(ArmNoise, "duration_cv",
                                 description="lognormal jitter of invocation time (sigma)")
    cold_start_probability: float = param(0.005, ge=0, le=1, slider=(0, 0.1), step=0.005,
                                           description="chance an invocation is cold")
    cold_start_s: float = param(0.4, ge=0, le=10, unit="s", step=0.05,
                                description="median cold-start (init) time")
    timeout_s: float = param(900.0, ge=1, le=900, unit="s", step=1,
                             description="function timeout (at most 15 min)")
    scaling_delay_s: float = param(180.0, ge=0, le=600, unit="s", step=10,
                                   description="delay before a poller change applies")
    initial_pollers: int | None = param(
        None, ge=1, le=1000, slider=(1, 96),
        description="pollers at the start (empty: as many as the mean rate needs, a running "
                    "pipeline; Lambda starts a new mapping with 1)")
    invocations_per_poller: int = param(
        MAX_INVOCATIONS_PER_POLLER, ge=1, le=MAX_INVOCATIONS_PER_POLLER,
        description="concurrent invocations one event poller drives (AWS: up to 5; "
                    "1: one batch at a time)")
    max_pollers: int | None = param(
        None, ge=1, le=2000, slider=(1, 96),
        description="MaximumPollers (provisioned mode; empty: up to one per partition)")

    @property
    def cpu_share(self) -> float:
        """vCPUs the single-threaded handler can use."""
        return min(self.memory_mb / MB_PER_VCPU, 1.0)

    def max_batch_records(self, record_bytes: int) -> int:
        """Batch size after the 6 MB payload limit."""
        fit = int(PAYLOAD_LIMIT_BYTES // (record_bytes * BASE64_FACTOR))
        if fit < 1:
            raise ParameterError("record_bytes", record_bytes,
                                 "a record must fit the 6 MB payload once base64-encoded")
        return min(self.batch_size, fit)

    def invocation_s(self, records: float, cpu_s_per_record: float) -> float:
        """Invocation time without jitter or cold start."""
        return self.invoke_overhead_ms / 1000.0 + records * cpu_s_per_record / self.cpu_share


def pollers_capacity_per_s(pollers: int, partitions: int, full_batch_per_s: float,
                           invocations_per_poller: int, record_bytes: int) -> float:
    """Records per second ``pollers`` pollers carry at most, in full batches: each runs
    ``min(invocations_per_poller, partitions it owns)`` invocations at once, within 5 MB/s.

    >>> pollers_capacity_per_s(1, 24, 400.0, 5, 100)   # AWS's example: 20 records, 50 ms
    2000.0
    >>> pollers_capacity_per_s(1, 24, 400.0, 5, 100_000)   # 5 MB/s of 100 kB records
    50.0
    """
    q, r = divmod(partitions, pollers)

    def one(owned: int) -> float:
        lanes = min(invocations_per_poller, owned)
        return min(lanes * full_batch_per_s, BYTES_PER_S / record_bytes)

    return r * one(q + 1) + (pollers - r) * one(q)


def target_pollers(rate_per_s: float, lag_records: float, most: int,
                   capacity_per_s: Callable[[int], float]) -> int:
    """Pollers the scaler asks for: the fewest (at least 1, at most ``most``) whose capacity
    at :data:`TARGET_UTILISATION` absorbs the production rate plus the current lag within
    one evaluation interval."""
    need = rate_per_s + lag_records / EVALUATION_INTERVAL_S
    for n in range(1, most + 1):
        if TARGET_UTILISATION * capacity_per_s(n) >= need - 1e-9:
            return n
    return most


def simulate_faas(load: TopicLoad, settings: FaasSettings, cpu_s_per_record: float,
                  rng: np.random.Generator, *, drain_s: float | None = None) -> ArmRun:
    """Run the FaaS arm over the topic's load.

    Parameters
    ----------
    load
        The records produced (shared with the other arm).
    settings
        Function and event source mapping.
    cpu_s_per_record
        Work per record on one vCPU (the same for both arms).
    rng
        This arm's own stream (jitter, cold starts).
    drain_s
        After production stops, keep consuming this long (default: as long as production).
    """
    bmax = settings.max_batch_records(load.record_bytes)
    full_s = settings.invocation_s(bmax, cpu_s_per_record)
    if full_s > settings.timeout_s:
        raise ParameterError("batch_size", settings.batch_size,
                             f"a full batch takes {full_s:.0f} s, over the {settings.timeout_s:.0f} s "
                             "timeout: use smaller batches or more memory")
    window_s = load.duration_s
    stop_s = window_s + (window_s if drain_s is None else drain_s)
    slice_s = load.slice_s
    cum = np.cumsum(load.counts, axis=1)
    produced_cum = cum.sum(axis=0)
    batching = Batching(batch_records=bmax, window_s=settings.batching_window_s,
                        slice_s=slice_s, slices=load.slices,
                        overhead_s=settings.invoke_overhead_ms / 1000.0,
                        per_record_s=cpu_s_per_record / settings.cpu_share,
                        timeout_s=settings.timeout_s, record_bytes=load.record_bytes,
                        billed_until_s=window_s)
    draws = Draws(rng, settings.duration_cv, settings.cold_start_probability,
                  settings.cold_start_s)
    tally = Tally()
    lanes_each = settings.invocations_per_poller
    most = min(load.partitions, settings.max_pollers or load.partitions)

    def capacity(n: int) -> float:
        return pollers_capacity_per_s(n, load.partitions, bmax / full_s, lanes_each,
                                      load.record_bytes)

    streams: list[StreamBatches] = []
    consumed_pp = np.zeros(load.partitions, dtype=np.int64)
    free_pp = np.zeros(load.partitions)

    def start(n: int, t_s: float, warm_lanes: list[int]) -> list[Poller]:
        """``n`` pollers from ``t_s``; poller ``i``'s first ``warm_lanes[i]`` lanes are warm."""
        out = []
        for i, lane_members in enumerate(deal(load.partitions, n, lanes_each)):
            lanes = []
            for j, members in enumerate(lane_members):
                merged, consumed = merged_stream(cum, consumed_pp, members)
                stream = StreamBatches(merged, consumed)
                streams.append(stream)
                # a lane resumes when the old lanes of its partitions have landed their batches
                lanes.append(Lane(members, stream, merged.tolist(), consumed,
                                  max(t_s, float(free_pp[members].max())),
                                  i < len(warm_lanes) and j < warm_lanes[i]))
            out.append(Poller(lanes, batching, draws, tally, bytes_free_s=t_s))
        return out

    if settings.initial_pollers is None:  # already running: sized for the mean rate, warm
        n_now = target_pollers(load.records / window_s, 0.0, most, capacity)
        warm0 = True
    else:
        n_now, warm0 = min(settings.initial_pollers, most), False
    pollers = start(n_now, 0.0, [lanes_each] * n_now if warm0 else [])
    timeline_t, timeline_n = [0.0], [n_now]
    concurrency_max = sum(len(p.lanes) for p in pollers)
    pending: tuple[float, int] | None = None
    t = 0.0
    while t < stop_s:
        t_next = min((math.floor(t / EVALUATION_INTERVAL_S + 1e-9) + 1) * EVALUATION_INTERVAL_S,
                     stop_s)
        if pending is not None and pending[0] < t_next:
            t_next = pending[0]
        for pl in pollers:
            pl.run_until(t_next)
        t = t_next
        if t >= stop_s:
            break
        if pending is not None and t >= pending[0]:
            # Rebalance: offsets per partition, then the partitions dealt out again.
            for pl in pollers:
                for lane in pl.lanes:
                    consumed_pp[lane.members] = split_consumed(
                        cum, load.counts, lane.members, lane.stream.cum_produced, lane.consumed)
                    free_pp[lane.members] = lane.free_s
            n_now = pending[1]
            pollers = start(n_now, t, [len(pl.lanes) for pl in pollers])
            concurrency_max = max(concurrency_max, sum(len(p.lanes) for p in pollers))
            timeline_t.append(t)
            timeline_n.append(n_now)
            pending = None
        if pending is None and abs(t - round(t / EVALUATION_INTERVAL_S) * EVALUATION_INTERVAL_S) < 1e-6:
            idx = min(int(t / slice_s + 1e-9), load.slices)
            produced = int(produced_cum[idx - 1]) if idx else 0
            landed = sum(landed_by(s, t) for s in streams)
            lo = max(idx - int(EVALUATION_INTERVAL_S / slice_s), 0)
            rate = (produced - (int(produced_cum[lo - 1]) if lo else 0)) / max((idx - lo) * slice_s, 1e-9)
            want = target_pollers(rate, produced - landed, most, capacity)
            if want != n_now:
                pending = (t + settings.scaling_delay_s, want)

    return _arm_run(load, settings, streams, tally, stop_s, bmax,
                    (timeline_t, timeline_n), concurrency_max)


def _arm_run(load: TopicLoad, settings: FaasSettings, streams: list[StreamBatches], tally: Tally,
             stop_s: float, bmax: int, timeline: tuple[list[float], list[int]],
             concurrency_max: int) -> ArmRun:
    """Every lane's batches as one run, with Lambda's billing quantities."""
    lat_parts, w_parts, lake_parts, size_parts, prod_parts = [], [], [], [], []
    for s in streams:
        lat, w, produced = timed_latency_segments(s, load.slice_s)
        lat_parts.append(lat)
        w_parts.append(w)
        prod_parts.append(produced)
        lake_parts.append(np.asarray(s.lake_time_s))
        size_parts.append(np.diff(np.concatenate(([s.start_offset], s.end_offsets))).astype(np.int64))
    usage = {
        "invocations": float(tally.invocations),
        "billed_s": tally.billed_s,
        "gb_seconds": tally.billed_s * settings.memory_mb / 1024.0,
        "memory_mb": float(settings.memory_mb),
    }
    run = ArmRun(
        backend="faas",
        window_s=load.duration_s,
        latency_s=np.concatenate(lat_parts),
        latency_weight=np.concatenate(w_parts),
        latency_produced_s=np.concatenate(prod_parts),
        batch_lake_time_s=np.concatenate(lake_parts),
        batch_records=np.concatenate(size_parts),
        records_produced=load.records,
        fingerprint=load.fingerprint(),
        usage=usage,
        timeline=(np.asarray(timeline[0]), np.asarray(timeline[1])),
        extra={"cold_starts": float(tally.cold_starts), "timeouts": float(tally.timeouts),
               "max_batch_records": float(bmax), "pollers_max": float(max(timeline[1])),
               "invocations_in_flight_max": float(concurrency_max)},
    )
    run.censored_latency_s, run.censored_weight = censored_segments(
        load, load.records - run.records_landed, stop_s)
    run.horizon_s = stop_s
    return run
