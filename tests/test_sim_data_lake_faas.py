"""The FaaS back end batches, invokes and scales as the AWS Lambda docs for Kafka event sources say."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.errors import ParameterError
from tipsim.sim.data_lake.faas import (
    EVALUATION_INTERVAL_S,
    FaasSettings,
    pollers_capacity_per_s,
    simulate_faas,
)
from tipsim.sim.data_lake.kafka import TopicLoad, TopicSettings, produce

CPU_S = 0.5e-3
QUIET = {"duration_cv": 0.0, "cold_start_probability": 0.0, "initial_pollers": 1}


def _load(counts: list[list[int]], slice_s: float = 0.01, record_bytes: int = 1000) -> TopicLoad:
    return TopicLoad(np.asarray(counts, dtype=np.int64), slice_s, record_bytes)


def test_batch_leaves_when_the_window_expires_if_not_full() -> None:
    """Three records, batch size 100, window 0.5 s: the batch leaves 0.5 s after the
    poller starts gathering (the records' slice end), then runs overhead + 3 x CPU time."""
    counts = [[3] + [0] * 999]
    st = FaasSettings(batch_size=100, batching_window_s=0.5, memory_mb=1769, **QUIET)
    st = st.replace(cold_start_s=0.0)
    run = simulate_faas(_load(counts), st, CPU_S, np.random.default_rng(0))
    assert run.batch_records.tolist() == [3]
    expected_lake = 0.01 + 0.5 + 0.030 + 3 * CPU_S
    assert run.batch_lake_time_s[0] == pytest.approx(expected_lake)


def test_batch_leaves_at_once_when_full() -> None:
    """250 records readable at once with batch size 100 give batches of 100, 100, 50; the
    full ones leave without waiting for the window."""
    counts = [[250] + [0] * 999]
    st = FaasSettings(batch_size=100, batching_window_s=5.0, memory_mb=1769, **QUIET)
    st = st.replace(cold_start_s=0.0)
    run = simulate_faas(_load(counts), st, CPU_S, np.random.default_rng(0))
    assert run.batch_records.tolist() == [100, 100, 50]
    d_full = 0.030 + 100 * CPU_S
    assert run.batch_lake_time_s[0] == pytest.approx(0.01 + d_full)
    assert run.batch_lake_time_s[1] == pytest.approx(0.01 + 2 * d_full)
    # the last, partial batch waits the whole window after the poller came free
    assert run.batch_lake_time_s[2] == pytest.approx(0.01 + 2 * d_full + 5.0 + 0.030 + 50 * CPU_S)


def test_payload_limit_caps_the_batch() -> None:
    """6 MB payload, base64 (4/3): 100 kB records fit 47 to a batch even with batch size 100."""
    assert FaasSettings(batch_size=100).max_batch_records(100_000) == 47
    assert FaasSettings(batch_size=100).max_batch_records(1000) == 100


def test_pollers_never_exceed_partitions_and_change_only_after_minute_evaluations() -> None:
    """A load far above one poller's capacity scales pollers up to the partition count, never
    beyond, and every change happens at a 1-minute evaluation plus the scaling delay."""
    ts = TopicSettings(rate_per_s=20_000, partitions=4, duration_s=900)
    load = produce(ts, np.random.default_rng(1))
    st = FaasSettings(scaling_delay_s=90, initial_pollers=1)
    run = simulate_faas(load, st, CPU_S, np.random.default_rng(2))
    times, pollers = run.timeline
    assert pollers.max() == 4
    assert (pollers <= load.partitions).all()
    for t in times[1:]:
        assert (t - 90) % EVALUATION_INTERVAL_S == pytest.approx(0.0, abs=1e-6)


def test_batch_size_zero_and_overlong_batches_are_refused() -> None:
    """Bad settings name the field: batch size 0, or a full batch longer than the timeout."""
    with pytest.raises(ParameterError, match="batch_size"):
        FaasSettings.create(batch_size=0)
    load = _load([[10] * 100])
    with pytest.raises(ParameterError, match="batch_size"):
        simulate_faas(load, FaasSettings(batch_size=10_000, timeout_s=1, memory_mb=128),
                      CPU_S, np.random.default_rng(0))


def test_poller_capacity_follows_the_documented_sizing_example() -> None:
    """AWS's sizing example: 20-record batches of 50 ms give one poller 2,000 records/s, so
    20,000 records/s need at least 10 pollers; a poller with fewer than 5 partitions runs
    only as many invocations at once as it has partitions; 5 MB/s caps large records."""
    full_batch_per_s = 20 / 0.050
    assert pollers_capacity_per_s(1, 50, full_batch_per_s, 5, 100) == 2000.0
    need = next(n for n in range(1, 51)
                if pollers_capacity_per_s(n, 50, full_batch_per_s, 5, 100) >= 20_000)
    assert need == 10
    assert pollers_capacity_per_s(1, 3, full_batch_per_s, 5, 100) == 3 * full_batch_per_s
    assert pollers_capacity_per_s(2, 50, full_batch_per_s, 5, 1_000_000) == 2 * 5.0
