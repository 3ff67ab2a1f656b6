"""The data-lake model's pieces behave as the documentation says, and agree with theory."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tipsim.errors import ParameterError
from tipsim.sim.data_lake.faas import EVALUATION_INTERVAL_S, FaasSettings, simulate_faas
from tipsim.sim.data_lake.kafka import TopicLoad, TopicSettings, produce, rate_profile_per_s
from tipsim.sim.data_lake.lake import StreamBatches, latency_segments, weighted_quantile
from tipsim.sim.data_lake.spark import SparkSettings, simulate_spark

CPU_S = 0.5e-3
QUIET = {"duration_cv": 0.0, "cold_start_probability": 0.0, "initial_pollers": 1}


def _load(counts: list[list[int]], slice_s: float = 0.01, record_bytes: int = 1000) -> TopicLoad:
    return TopicLoad(np.asarray(counts, dtype=np.int64), slice_s, record_bytes)


def test_latency_segments_follow_offsets_through_slices_and_batches() -> None:
    """Record k was produced in the slice where the produce curve reaches k and landed with
    the first batch whose end offset reaches k; weights add up to the records carried."""
    m = np.array([3, 3, 7, 10])
    s = StreamBatches(m, 0, [5, 10], [1.0, 2.0])
    lat, w = latency_segments(s, 0.1)
    expanded = np.repeat(lat, w)
    produce = np.array([0.05] * 3 + [0.25] * 4 + [0.35] * 3)
    lake = np.array([1.0] * 5 + [2.0] * 5)
    assert np.allclose(np.sort(expanded), np.sort(lake - produce))
    assert w.sum() == 10


def test_weighted_quantile_equals_numpy_on_the_expanded_sample() -> None:
    """A weighted percentile is the percentile of the sample with each value repeated."""
    rng = np.random.default_rng(3)
    v, w = rng.normal(size=200), rng.integers(1, 20, size=200)
    for q in (0.5, 0.95, 0.99):
        expected = np.quantile(np.repeat(v, w), q, method="inverted_cdf")
        assert weighted_quantile(v, w, q) == pytest.approx(expected)


def test_producer_mean_rate_matches_the_setting_for_every_pattern() -> None:
    """Counts are Poisson around the rate profile; each pattern averages rate_per_s."""
    for pattern in ("steady", "on_off", "daily"):
        ts = TopicSettings(rate_per_s=1000, pattern=pattern, burst_factor=4, burst_period_s=60,
                           partitions=6, duration_s=600)
        load = produce(ts, np.random.default_rng(5))
        # Poisson: sd of the total is sqrt(600k) ~ 775, so 1 % (6,000) is about 8 sd
        assert load.records == pytest.approx(600_000, rel=0.01), pattern
    t = np.array([0.0, 14.9, 15.1, 59.0])
    on_off = TopicSettings(rate_per_s=100, pattern="on_off", burst_factor=4, burst_period_s=60)
    assert rate_profile_per_s(on_off, t).tolist() == [400.0, 400.0, 0.0, 0.0]


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


def test_littles_law_holds_for_both_back_ends() -> None:
    """Little's law L = lambda W: the time-average lag equals throughput x mean latency.
    Lag counts records readable but not landed, so W is measured from the end of the produce
    slice; lag is sampled at slice ends, just after a slice's records became readable, which
    overstates the time average by about lambda x slice / 2. Tolerance 3 % for the window's
    edges (records produced near the end land after it)."""
    ts = TopicSettings(rate_per_s=3000, partitions=8, duration_s=600)
    load = produce(ts, np.random.default_rng(11))
    for run in (simulate_faas(load, FaasSettings(), CPU_S, np.random.default_rng(1)),
                simulate_spark(load, SparkSettings(), CPU_S, np.random.default_rng(1))):
        t, lag = run.lag_series(load)
        wait_s = run.latency_s - load.slice_s / 2  # from readable to landed
        mean_w = np.average(wait_s, weights=run.latency_weight)
        rate = load.records / load.duration_s
        time_average = lag.mean() - rate * load.slice_s / 2
        assert time_average == pytest.approx(rate * mean_w, rel=0.03), run.backend


def test_spark_trigger_interval_gives_half_an_interval_of_wait_on_average() -> None:
    """Light load, 20 s trigger: a record waits for the next tick (uniform, mean 10 s), plus
    half a slice until readable, plus the batch time; batches start on the ticks."""
    ts = TopicSettings(rate_per_s=200, partitions=4, duration_s=1200)
    load = produce(ts, np.random.default_rng(2))
    st = SparkSettings(trigger_interval_s=20, duration_cv=0.0, batch_overhead_s=1.0)
    run = simulate_spark(load, st, CPU_S, np.random.default_rng(0))
    mean = np.average(run.latency_s, weights=run.latency_weight)
    batch_s = 1.0 + 200 * 20 * CPU_S / 4  # overhead + one interval's records on 4 tasks
    assert mean == pytest.approx(10.0 + load.slice_s / 2 + batch_s, rel=0.02)
    starts = run.batch_lake_time_s - (1.0 + run.batch_records * CPU_S / 4)
    assert np.allclose(np.mod(starts + 1e-6, 20.0), 1e-6, atol=1e-5)


def test_spark_without_trigger_starts_each_batch_when_the_last_ends() -> None:
    """trigger_interval_s = 0: under a steady backlog, batches run back to back."""
    ts = TopicSettings(rate_per_s=5000, partitions=4, duration_s=120)
    load = produce(ts, np.random.default_rng(2))
    st = SparkSettings(trigger_interval_s=0, duration_cv=0.0, core_nodes=1)
    run = simulate_spark(load, st, CPU_S, np.random.default_rng(0))
    d = 0.5 + run.batch_records[1:] * CPU_S / 4
    gaps = run.batch_lake_time_s[1:] - run.batch_lake_time_s[:-1]
    assert np.allclose(gaps, d)


def test_spark_bills_primary_and_core_nodes_for_the_window() -> None:
    """A fixed cluster of 3 core nodes plus the primary bills 4 x the window in instance-hours."""
    load = produce(TopicSettings(rate_per_s=100, partitions=2, duration_s=900),
                   np.random.default_rng(0))
    run = simulate_spark(load, SparkSettings(core_nodes=3), CPU_S, np.random.default_rng(0))
    assert run.usage["instance_hours"] == pytest.approx(4 * 900 / 3600)


def test_sim_package_imports_no_cloud_or_plotting_library() -> None:
    """The layer rule: tipsim.sim never loads boto3, plotly or ipywidgets."""
    code = ("import sys, tipsim.sim.data_lake.faas, tipsim.sim.data_lake.spark, tipsim.sim.data_lake.lake;"
            "print([m for m in ('boto3','plotly','ipywidgets') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_spark_dynamic_allocation_grows_only_under_backlog() -> None:
    """Dynamic allocation: at light load tasks never wait 1 s (schedulerBacklogTimeout), so the
    cluster stays at its single node; under a backlog it asks for one core per partition
    (24 partitions / 4 vCPU = 6 nodes), capped by max_nodes, and keeps up afterwards."""
    st = SparkSettings(dynamic_allocation=True, core_nodes=1, min_nodes=1, max_nodes=20)
    light = produce(TopicSettings(rate_per_s=500, duration_s=900), np.random.default_rng(1))
    run = simulate_spark(light, st, CPU_S, np.random.default_rng(2))
    assert run.timeline[1].max() == 1
    heavy = produce(TopicSettings(rate_per_s=20_000, duration_s=900), np.random.default_rng(1))
    run = simulate_spark(heavy, st, CPU_S, np.random.default_rng(2))
    assert run.timeline[1].max() == 6
    capped = simulate_spark(heavy, st.replace(max_nodes=3), CPU_S, np.random.default_rng(2))
    assert capped.timeline[1].max() == 3
    assert run.max_lag_records(heavy) < capped.max_lag_records(heavy)
