"""FaaS back end: functions fed by a Kafka event source mapping, in the manner of AWS Lambda.

Documented behaviour modelled (AWS docs "MSK event source mapping parameters" and
"Kafka scaling modes", AWS Lambda Developer Guide):

* Pollers read the topic; at most one poller per partition (``pollers <= partitions``).
  Each poller owns the partitions ``p`` with ``p % pollers == i`` and reads them in produce
  order, invoking the function synchronously, one batch at a time.
* A batch leaves when it holds ``batch_size`` records (default 100, max 10,000), when the
  batching window expires (default 0.5 s, counted from when the poller starts gathering),
  or when the next record would exceed the 6 MB invocation payload (records travel
  base64-encoded, 4/3 of their size).
* On-demand scaling: the offset lag is evaluated every minute; a change of pollers takes
  effect ``scaling_delay_s`` later ("within about 3 minutes"). A new poller's first
  invocation is a cold start; other invocations are cold with ``cold_start_probability``
  (under 1 % in steady use; 100 ms to over 1 s).
* Invocation time = overhead + records x CPU time per record / CPU share, with CPU share
  ``min(memory_mb / 1769, 1)`` (1,769 MB is one vCPU; the handler is single-threaded), a
  lognormal jitter, and the 15-minute timeout (a timed-out batch is billed the timeout and
  retried: retries are unlimited by default).

How many pollers the scaler wants is not documented: the model asks for enough pollers to
absorb last minute's production plus the lag within a minute, at the throughput of a full
batch (a stated assumption, see :func:`target_pollers`).

Billing quantities follow Lambda's: one request per invocation, duration rounded up to
1 ms, GB-seconds = billed seconds x memory_mb / 1024.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from tipsim.errors import ParameterError
from tipsim.params import Params, param, same_as
from tipsim.sim.data_lake.kafka import TopicLoad
from tipsim.sim.data_lake.lake import (
    ArmNoise,
    ArmRun,
    StreamBatches,
    censored_segments,
    latency_segments,
)
from tipsim.sim.data_lake.partitions import merged_streams, split_consumed

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


def target_pollers(rate_per_s: float, lag_records: float, full_batch_per_s: float,
                   partitions: int) -> int:
    """Pollers the scaler asks for: enough to absorb the production rate plus the current lag
    within one evaluation interval, at :data:`TARGET_UTILISATION` of a full batch's throughput,
    between 1 and the partitions."""
    capacity = TARGET_UTILISATION * max(full_batch_per_s, 1e-12)
    need = (rate_per_s + lag_records / EVALUATION_INTERVAL_S) / capacity
    return int(min(partitions, max(1, math.ceil(need - 1e-9))))


class _Draws:
    """Random numbers drawn in blocks (one generator call per 65,536 invocations)."""

    def __init__(self, rng: np.random.Generator, sigma: float, p_cold: float, cold_s: float):
        self.rng, self.sigma, self.p_cold, self.cold_s = rng, sigma, p_cold, cold_s
        self._jit: list[float] = []
        self._cold: list[float] = []

    def _refill(self) -> None:
        n = 65_536
        z = self.rng.standard_normal(n)
        self._jit = np.exp(self.sigma * z - 0.5 * self.sigma**2).tolist()[::-1]
        is_cold = self.rng.random(n) < self.p_cold
        init = self.cold_s * np.exp(0.5 * self.rng.standard_normal(n))
        self._cold = np.where(is_cold, init, 0.0).tolist()[::-1]

    def next(self) -> tuple[float, float]:
        if not self._jit:
            self._refill()
        return self._jit.pop(), self._cold.pop()

    def init_s(self) -> float:
        return float(self.cold_s * math.exp(0.5 * self.rng.standard_normal()))


@dataclass
class _Poller:
    stream: StreamBatches
    m: list[int]
    consumed: int
    free_s: float
    warm: bool


@dataclass
class _Tally:
    invocations: int = 0
    billed_s: float = 0.0
    cold_starts: int = 0
    timeouts: int = 0


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
    n_slices = load.slices
    cum = np.cumsum(load.counts, axis=1)
    produced_cum = cum.sum(axis=0)
    draws = _Draws(rng, settings.duration_cv, settings.cold_start_probability, settings.cold_start_s)
    tally = _Tally()
    overhead_s = settings.invoke_overhead_ms / 1000.0
    per_rec_s = cpu_s_per_record / settings.cpu_share
    window = settings.batching_window_s
    timeout = settings.timeout_s

    streams: list[StreamBatches] = []
    pollers: list[_Poller] = []
    consumed_pp = np.zeros(load.partitions, dtype=np.int64)

    def start_pollers(n: int, t_s: float, free_s: list[float], warm: list[bool]) -> None:
        pollers.clear()
        for i, (merged, consumed) in enumerate(merged_streams(cum, consumed_pp, n)):
            stream = StreamBatches(merged, consumed)
            streams.append(stream)
            pollers.append(_Poller(stream, merged.tolist(), consumed, max(t_s, free_s[i]), warm[i]))

    def run_until(pl: _Poller, t_end: float) -> None:
        m, c, t_free = pl.m, pl.consumed, pl.free_s
        total = m[-1]
        ends, lakes = pl.stream.end_offsets, pl.stream.lake_time_s
        while c < total:
            s_first = bisect_left(m, c + 1)
            t_open = max(t_free, (s_first + 1) * slice_s)
            if t_open >= t_end:
                break
            s_fill = bisect_left(m, c + bmax)
            t_fill = (s_fill + 1) * slice_s if s_fill < n_slices else math.inf
            if t_fill <= t_open:
                t_send, n = t_open, bmax
            else:
                t_send = t_open + window if t_open + window < t_fill else t_fill
                ready = min(int(t_send / slice_s + 1e-9), n_slices)
                n = min(bmax, m[ready - 1] - c)
            jitter, cold = draws.next()
            if not pl.warm:
                cold, pl.warm = draws.init_s(), True
            d = (overhead_s + n * per_rec_s) * jitter + cold
            tally.cold_starts += cold > 0
            while d > timeout:  # billed the timeout, then retried with a fresh draw
                if t_send < window_s:
                    tally.invocations += 1
                    tally.billed_s += timeout
                tally.timeouts += 1
                t_send += timeout
                jitter, cold = draws.next()
                d = (overhead_s + n * per_rec_s) * jitter + cold
            if t_send < window_s:
                tally.invocations += 1
                tally.billed_s += math.ceil(d * 1000.0 - 1e-9) / 1000.0
            c += n
            t_free = t_send + d
            ends.append(c)
            lakes.append(t_free)
        pl.consumed, pl.free_s = c, t_free

    full_rate = bmax / full_s
    if settings.initial_pollers is None:  # already running: sized for the mean rate, warm
        n_now = target_pollers(load.records / window_s, 0.0, full_rate, load.partitions)
        warm0 = True
    else:
        n_now, warm0 = min(settings.initial_pollers, load.partitions), False
    start_pollers(n_now, 0.0, [0.0] * n_now, [warm0] * n_now)
    timeline_t, timeline_n = [0.0], [n_now]
    pending: tuple[float, int] | None = None
    t = 0.0
    while t < stop_s:
        t_next = min((math.floor(t / EVALUATION_INTERVAL_S + 1e-9) + 1) * EVALUATION_INTERVAL_S,
                     stop_s)
        if pending is not None and pending[0] < t_next:
            t_next = pending[0]
        for pl in pollers:
            run_until(pl, t_next)
        t = t_next
        if t >= stop_s:
            break
        if pending is not None and t >= pending[0]:
            # Rebalance: offsets per partition, then new groups; a poller resumes when the
            # old pollers of its partitions have finished their batches in flight.
            free_pp = np.zeros(load.partitions)
            for i, pl in enumerate(pollers):
                members = np.arange(i, load.partitions, len(pollers))
                consumed_pp[members] = split_consumed(
                    cum, load.counts, members, pl.stream.cum_produced, pl.consumed)
                free_pp[members] = pl.free_s
            old_n, n_now = n_now, pending[1]
            free = [float(free_pp[np.arange(i, load.partitions, n_now)].max()) for i in range(n_now)]
            warm = [i < old_n for i in range(n_now)]
            start_pollers(n_now, t, free, warm)
            timeline_t.append(t)
            timeline_n.append(n_now)
            pending = None
        if pending is None and abs(t - round(t / EVALUATION_INTERVAL_S) * EVALUATION_INTERVAL_S) < 1e-6:
            idx = min(int(t / slice_s + 1e-9), n_slices)
            produced = int(produced_cum[idx - 1]) if idx else 0
            landed = sum(_landed_by(s, t) for s in streams)
            lo = max(idx - int(EVALUATION_INTERVAL_S / slice_s), 0)
            rate = (produced - (int(produced_cum[lo - 1]) if lo else 0)) / max((idx - lo) * slice_s, 1e-9)
            want = target_pollers(rate, produced - landed, full_rate, load.partitions)
            if want != n_now:
                pending = (t + settings.scaling_delay_s, want)

    lat_parts, w_parts, lake_parts, size_parts = [], [], [], []
    for s in streams:
        lat, w = latency_segments(s, slice_s)
        lat_parts.append(lat)
        w_parts.append(w)
        lake_parts.append(np.asarray(s.lake_time_s))
        size_parts.append(np.diff(np.concatenate(([s.start_offset], s.end_offsets))).astype(np.int64))
    memory_gb = settings.memory_mb / 1024.0
    usage = {
        "invocations": float(tally.invocations),
        "billed_s": tally.billed_s,
        "gb_seconds": tally.billed_s * memory_gb,
        "memory_mb": float(settings.memory_mb),
    }
    run = ArmRun(
        backend="faas",
        window_s=window_s,
        latency_s=np.concatenate(lat_parts),
        latency_weight=np.concatenate(w_parts),
        batch_lake_time_s=np.concatenate(lake_parts),
        batch_records=np.concatenate(size_parts),
        records_produced=load.records,
        fingerprint=load.fingerprint(),
        usage=usage,
        timeline=(np.asarray(timeline_t), np.asarray(timeline_n)),
        extra={"cold_starts": float(tally.cold_starts), "timeouts": float(tally.timeouts),
               "max_batch_records": float(bmax), "pollers_max": float(max(timeline_n))},
    )
    run.censored_latency_s, run.censored_weight = censored_segments(
        load, load.records - run.records_landed, stop_s)
    return run


def _landed_by(stream: StreamBatches, t_s: float) -> int:
    """Records of one stream that landed by ``t_s`` (a poller's batches land in order)."""
    k = bisect_left(stream.lake_time_s, t_s + 1e-12)
    return (stream.end_offsets[k - 1] - stream.start_offset) if k else 0
