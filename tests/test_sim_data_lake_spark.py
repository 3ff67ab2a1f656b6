"""The Spark back end: triggers, back-to-back batches, billing and dynamic allocation as the
Spark and EMR docs describe them."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.sim.data_lake.kafka import TopicSettings, produce
from tipsim.sim.data_lake.spark import SparkSettings, simulate_spark

CPU_S = 0.5e-3


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
