"""One Kafka event poller of a Lambda event source mapping: its batches, the invocations it
keeps in flight, and its throughput budget.

Documented behaviour modelled (AWS Lambda Developer Guide):

* "Apache Kafka event poller scaling modes in Lambda"
  (https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html): for Amazon MSK
  and self-managed Apache Kafka, each event poller can handle up to 5 MB/s of throughput or
  up to 5 concurrent invocations.
* "Low latency processing for Kafka event sources"
  (https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-low-latency.html), worked example:
  batches of 20 records and 50 ms invocations give one poller
  (20 records x 1000 ms / 50 ms) x 5 concurrent invocations = 2,000 records/s, subject to
  the 5 MB/s limit.
* Kafka keeps order within a partition, and so does the mapping: a partition never has two
  batches in flight, which is why pollers are capped at the partition count.

The model, like a post office counter with up to five clerks: the poller deals its
partitions to ``min(5, partitions it owns)`` *lanes* (clerks), in turn. Each lane reads its
partitions as one stream in produce order and has one batch in flight at a time, so a
partition's batches run one after another (order kept) while the lanes run side by side
(Lambda forms batches on the fly; fixed lanes are the model's simplification). The lanes
share the poller's 5 MB/s: a batch of ``B`` bytes leaves once the bytes sent before it have
passed at 5 MB/s (a virtual clock, the generic cell rate algorithm), so over any stretch of
time a poller sends at most 5 MB/s plus one batch. Each lane is an execution environment of
its own: its first invocation is a cold start.

One poller with a single partition, or ``invocations_per_poller = 1``, is the one-batch-at-a-
time poller.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from tipsim.sim.data_lake.lake import StreamBatches

MAX_INVOCATIONS_PER_POLLER = 5
"""Concurrent invocations one Kafka event poller drives at most (AWS docs)."""
BYTES_PER_S = 5_000_000
"""Throughput of one Kafka event poller: 5 MB/s (read as 10^6 bytes, the smaller reading, so
the model never lets a poller exceed the documented limit)."""


class Draws:
    """Random numbers drawn in blocks (one generator call per 65,536 invocations): lognormal
    jitter of invocation time and cold starts."""

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
        """Jitter factor and cold-start time (0 when warm) of the next invocation."""
        if not self._jit:
            self._refill()
        return self._jit.pop(), self._cold.pop()

    def init_s(self) -> float:
        """Init time of a new execution environment."""
        return float(self.cold_s * math.exp(0.5 * self.rng.standard_normal()))


@dataclass
class Tally:
    """Billing and event counts of all pollers (invocations are billed in the window only)."""

    invocations: int = 0
    billed_s: float = 0.0
    cold_starts: int = 0
    timeouts: int = 0


@dataclass(frozen=True)
class Batching:
    """What every lane needs to form and time its batches."""

    batch_records: int
    """Records per batch at most (BatchSize after the 6 MB payload limit)."""
    window_s: float
    """MaximumBatchingWindowInSeconds."""
    slice_s: float
    slices: int
    overhead_s: float
    per_record_s: float
    timeout_s: float
    record_bytes: int
    billed_until_s: float
    """End of the production window: invocations after it are not billed."""


@dataclass
class Lane:
    """One invocation slot of a poller: its partitions read as one stream, one batch in flight."""

    members: np.ndarray
    stream: StreamBatches
    produced: list[int]
    consumed: int
    free_s: float
    warm: bool


@dataclass
class Poller:
    """An event poller: its lanes, and the virtual clock of its 5 MB/s budget."""

    lanes: list[Lane]
    batching: Batching
    draws: Draws
    tally: Tally
    bytes_free_s: float = 0.0

    def run_until(self, t_end_s: float) -> None:
        """Send every batch whose gathering starts before ``t_end_s``, earliest first."""
        proposals = [self._propose(lane, t_end_s) for lane in self.lanes]
        while True:
            k, best = -1, math.inf
            for i, prop in enumerate(proposals):
                if prop is not None and prop[0] < best:
                    k, best = i, prop[0]
            if k < 0:
                return
            lane = self.lanes[k]
            t_send, n = proposals[k]  # type: ignore[misc]
            if self.bytes_free_s > t_send:  # the poller's 5 MB/s holds it back; it may grow
                t_send = self.bytes_free_s
                n = min(self.batching.batch_records, self._readable(lane, t_send) - lane.consumed)
            self._invoke(lane, t_send, n)
            proposals[k] = self._propose(lane, t_end_s)

    # ------------------------------------------------------------------ one lane
    def _readable(self, lane: Lane, t_s: float) -> int:
        ready = min(int(t_s / self.batching.slice_s + 1e-9), self.batching.slices)
        return lane.produced[ready - 1] if ready else 0

    def _propose(self, lane: Lane, t_end_s: float) -> tuple[float, int] | None:
        """When the lane's next batch leaves and how many records it holds, if the lane starts
        gathering it before ``t_end_s``. A batch leaves when full, when the batching window
        (counted from when the lane starts gathering) expires, or at once if already full."""
        b, m, c = self.batching, lane.produced, lane.consumed
        if c >= m[-1]:
            return None
        s_first = bisect_left(m, c + 1)
        t_open = max(lane.free_s, (s_first + 1) * b.slice_s)
        if t_open >= t_end_s:
            return None
        s_fill = bisect_left(m, c + b.batch_records)
        t_fill = (s_fill + 1) * b.slice_s if s_fill < b.slices else math.inf
        if t_fill <= t_open:
            return t_open, b.batch_records
        t_send = t_open + b.window_s if t_open + b.window_s < t_fill else t_fill
        return t_send, min(b.batch_records, self._readable(lane, t_send) - c)

    def _invoke(self, lane: Lane, t_send: float, n: int) -> None:
        """Invoke the function synchronously with ``n`` records; the batch lands when it ends.
        A timed-out invocation is billed the timeout and retried with a fresh draw."""
        b, tally = self.batching, self.tally
        self.bytes_free_s = t_send + n * b.record_bytes / BYTES_PER_S
        jitter, cold = self.draws.next()
        if not lane.warm:
            cold, lane.warm = self.draws.init_s(), True
        d = (b.overhead_s + n * b.per_record_s) * jitter + cold
        tally.cold_starts += cold > 0
        while d > b.timeout_s:
            if t_send < b.billed_until_s:
                tally.invocations += 1
                tally.billed_s += b.timeout_s
            tally.timeouts += 1
            t_send += b.timeout_s
            jitter, cold = self.draws.next()
            d = (b.overhead_s + n * b.per_record_s) * jitter + cold
        if t_send < b.billed_until_s:
            tally.invocations += 1
            tally.billed_s += math.ceil(d * 1000.0 - 1e-9) / 1000.0
        lane.consumed += n
        lane.free_s = t_send + d
        lane.stream.end_offsets.append(lane.consumed)
        lane.stream.lake_time_s.append(lane.free_s)


def landed_by(stream: StreamBatches, t_s: float) -> int:
    """Records of one stream that landed by ``t_s`` (a lane's batches land in order)."""
    k = bisect_left(stream.lake_time_s, t_s + 1e-12)
    return (stream.end_offsets[k - 1] - stream.start_offset) if k else 0
