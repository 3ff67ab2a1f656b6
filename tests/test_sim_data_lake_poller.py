"""A Kafka event poller as AWS documents it: up to 5 concurrent invocations or 5 MB/s, and a
partition's batches one after another.

Sources: AWS Lambda Developer Guide, "Apache Kafka event poller scaling modes in Lambda"
(each event poller can handle up to 5 MB/s of throughput or up to 5 concurrent invocations)
and "Low latency processing for Kafka event sources" (batches of 20 records, 50 ms
invocations: (20 x 1000 ms / 50 ms) x 5 = 2,000 records/s per poller, subject to 5 MB/s).
"""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.sim.data_lake.faas import FaasSettings, simulate_faas
from tipsim.sim.data_lake.kafka import TopicLoad, TopicSettings, produce
from tipsim.sim.data_lake.lake import ArmRun, StreamBatches
from tipsim.sim.data_lake.partitions import deal, merged_stream
from tipsim.sim.data_lake.poller import BYTES_PER_S, Batching, Draws, Lane, Poller, Tally

# The AWS example: 20-record batches, 50 ms per invocation (no CPU time, no jitter, warm-up
# free), one poller held at one.
EXAMPLE = {"batch_size": 20, "invoke_overhead_ms": 50.0, "memory_mb": 1769, "duration_cv": 0.0,
           "cold_start_probability": 0.0, "cold_start_s": 0.0, "initial_pollers": 1,
           "max_pollers": 1}
ONE_AT_A_TIME_PER_S = 20 / 0.050  # 400 records/s: one 20-record batch every 50 ms


def _saturated(partitions: int, rate_per_s: float, record_bytes: int = 100) -> TopicLoad:
    """A load far above what the pollers carry, so every batch is full from the start."""
    ts = TopicSettings(rate_per_s=rate_per_s, partitions=partitions, duration_s=60,
                       record_bytes=record_bytes)
    return produce(ts, np.random.default_rng(7))


def _landed_per_s(run: ArmRun, t0_s: float = 10.0, t1_s: float = 50.0) -> float:
    """Records landed per second between t0 and t1 (away from the start and the end)."""
    inside = (run.batch_lake_time_s > t0_s) & (run.batch_lake_time_s <= t1_s)
    return float(run.batch_records[inside].sum()) / (t1_s - t0_s)


def test_one_poller_carries_the_documented_2000_records_per_s() -> None:
    """AWS's worked example: one poller, 20-record batches, 50 ms invocations, five at once:
    2,000 records/s, five times the one-at-a-time 400 records/s."""
    load = _saturated(partitions=10, rate_per_s=10_000)
    five = simulate_faas(load, FaasSettings(**EXAMPLE), 0.0, np.random.default_rng(0))
    one = simulate_faas(load, FaasSettings(**EXAMPLE, invocations_per_poller=1), 0.0,
                        np.random.default_rng(0))
    assert _landed_per_s(five) == pytest.approx(2000.0, rel=0.01)
    assert _landed_per_s(one) == pytest.approx(ONE_AT_A_TIME_PER_S, rel=0.01)
    assert five.extra["invocations_in_flight_max"] == 5


@pytest.mark.parametrize("partitions", [1, 2, 3, 5, 8])
def test_a_poller_runs_at_most_one_batch_per_partition(partitions: int) -> None:
    """Order within a partition: a poller never has two batches of one partition in flight,
    so with fewer than 5 partitions it runs as many invocations at once as it has partitions."""
    load = _saturated(partitions=partitions, rate_per_s=10_000)
    run = simulate_faas(load, FaasSettings(**EXAMPLE), 0.0, np.random.default_rng(0))
    expected = min(5, partitions) * ONE_AT_A_TIME_PER_S
    assert _landed_per_s(run) == pytest.approx(expected, rel=0.01)


def test_a_poller_never_moves_more_than_5_mb_per_s() -> None:
    """100 kB records in 20-record batches (2 MB): five 50 ms invocations at once would move
    200 MB/s; the poller's 5 MB/s caps it at 50 records/s, and it reaches that cap. In any
    second it lands at most 5 MB plus one batch."""
    load = _saturated(partitions=10, rate_per_s=500, record_bytes=100_000)
    run = simulate_faas(load, FaasSettings(**EXAMPLE), 0.0, np.random.default_rng(0))
    bytes_per_s = _landed_per_s(run) * 100_000
    assert BYTES_PER_S * 0.95 <= bytes_per_s <= BYTES_PER_S * 1.01
    t, b = run.batch_lake_time_s, run.batch_records * 100_000
    for start in np.arange(0.0, 59.0, 0.25):
        assert b[(t > start) & (t <= start + 1.0)].sum() <= BYTES_PER_S + 20 * 100_000, start


def test_the_byte_limit_is_per_poller() -> None:
    """Two pollers move up to 10 MB/s between them, and do."""
    load = _saturated(partitions=10, rate_per_s=500, record_bytes=100_000)
    st = FaasSettings(**{**EXAMPLE, "initial_pollers": 2, "max_pollers": 2})
    run = simulate_faas(load, st, 0.0, np.random.default_rng(0))
    bytes_per_s = _landed_per_s(run) * 100_000
    assert 2 * BYTES_PER_S * 0.95 <= bytes_per_s <= 2 * BYTES_PER_S * 1.01


def _lane_batches(lane: Lane, overhead_s: float, per_record_s: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, land, records) of each batch of a lane run without jitter or cold starts."""
    records = np.diff(np.concatenate(([lane.stream.start_offset], lane.stream.end_offsets)))
    land = np.asarray(lane.stream.lake_time_s)
    return land - (overhead_s + records * per_record_s), land, records


def test_inside_a_poller_order_concurrency_and_bytes_follow_the_documented_limits() -> None:
    """A poller over 12 partitions, 720 records/s of 8 kB (5.8 MB/s, over the poller's 5 MB/s
    while it lasts): each lane's batches run one after another (a partition's order), at
    most 5 invocations overlap, and the bytes sent in any window of W seconds stay within
    5 MB/s x W plus one batch."""
    counts = np.random.default_rng(3).poisson(3.0, size=(12, 400))  # 20 s of 0.05 s slices
    cum = np.cumsum(counts, axis=1)
    batching = Batching(batch_records=50, window_s=0.2, slice_s=0.05, slices=400,
                        overhead_s=0.02, per_record_s=0.004, timeout_s=900.0,
                        record_bytes=8000, billed_until_s=20.0)
    lanes = []
    for members in deal(12, 1, 5)[0]:
        merged, consumed = merged_stream(cum, np.zeros(12, dtype=np.int64), members)
        lanes.append(Lane(members, StreamBatches(merged, consumed), merged.tolist(), consumed,
                          0.0, True))
    poller = Poller(lanes, batching, Draws(np.random.default_rng(1), 0.0, 0.0, 0.0), Tally())
    poller.run_until(40.0)
    assert len(lanes) == 5 and sum(lane.consumed for lane in lanes) == int(counts.sum())
    starts, lands, sizes = [], [], []
    for lane in lanes:
        start, land, records = _lane_batches(lane, 0.02, 0.004)
        assert (start[1:] >= land[:-1] - 1e-9).all()  # one batch of a lane at a time
        starts.append(start)
        lands.append(land)
        sizes.append(records * 8000)
    start, land, size = (np.concatenate(x) for x in (starts, lands, sizes))
    events = sorted([(s, 1) for s in start] + [(e, -1) for e in land], key=lambda x: (x[0], x[1]))
    assert np.cumsum([d for _, d in events]).max() <= 5
    for w in (0.5, 1.0, 5.0):
        for t0 in np.arange(0.0, 20.0, 0.1):
            sent = size[(start >= t0) & (start < t0 + w)].sum()
            assert sent <= BYTES_PER_S * w + size.max() + 1e-6, (w, t0)


def test_pollers_stay_within_max_pollers() -> None:
    """Provisioned mode's MaximumPollers caps the scaler below the partition count."""
    load = produce(TopicSettings(rate_per_s=20_000, partitions=24, duration_s=600),
                   np.random.default_rng(1))
    st = FaasSettings(max_pollers=3, initial_pollers=1, scaling_delay_s=60)
    run = simulate_faas(load, st, 0.5e-3, np.random.default_rng(2))
    assert run.timeline[1].max() == 3
