"""What a back end did, per record without one value per record: latency segments, weighted
quantiles, and Little's law tying lag to latency for both back ends."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tipsim.sim.data_lake.faas import FaasSettings, simulate_faas
from tipsim.sim.data_lake.kafka import TopicSettings, produce
from tipsim.sim.data_lake.lake import StreamBatches, latency_segments, weighted_quantile
from tipsim.sim.data_lake.spark import SparkSettings, simulate_spark

CPU_S = 0.5e-3


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


def test_sim_package_imports_no_cloud_or_plotting_library() -> None:
    """The layer rule: tipsim.sim never loads boto3, plotly or ipywidgets."""
    code = ("import sys, tipsim.sim.data_lake.faas, tipsim.sim.data_lake.spark, tipsim.sim.data_lake.lake;"
            "print([m for m in ('boto3','plotly','ipywidgets') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
