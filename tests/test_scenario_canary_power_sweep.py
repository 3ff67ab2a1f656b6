"""Notebook 06's power analysis: summaries against their definitions, and a small real sweep."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tipsim.analysis.metrics import proportion_ci
from tipsim.errors import ParameterError
from tipsim.scenarios.canary import Params
from tipsim.scenarios.canary.power import AXES, power_sweep, summarise


def synthetic_runs() -> pd.DataFrame:
    """Two configurations, 4 runs each: rolled back 3/4 (detected after 100, 200, 300 s)
    and 0/4."""
    rows = []
    for step, detected in ((5.0, [100.0, 200.0, 300.0, None]), (10.0, [None] * 4)):
        for r, ttd in enumerate(detected):
            rows.append({"step_weight_pct": step, "window_s": 60.0, "confidence": 0.9,
                         "green_error_rate": 0.02, "replication": r,
                         "rolled_back": ttd is not None, "time_to_detect_s": ttd,
                         "requests_exposed": 10 * (r + 1), "users_exposed": r + 1})
    return pd.DataFrame(rows)


def test_a_configuration_summary_follows_the_definitions() -> None:
    """Share rolled back with its exact interval; time to detect averaged over the runs
    that detected (Student-t half-width, 3 runs: t(0.975, 2) x sd / sqrt 3); exposure
    averaged over every run."""
    table = summarise(synthetic_runs())
    first, second = table.iloc[0], table.iloc[1]
    assert (first["runs"], first["rolled_back"]) == (4, 3)
    assert (first["rollback_prob"], first["prob_low"], first["prob_high"]) == pytest.approx(
        proportion_ci(3, 4))
    assert first["time_to_detect_s"] == pytest.approx(200.0)
    assert first["detect_half_s"] == pytest.approx(4.302653 * 100.0 / math.sqrt(3), rel=1e-5)
    assert first["requests_exposed"] == 25.0 and first["users_exposed"] == 2.5
    assert second["rollback_prob"] == 0.0 and math.isnan(second["time_to_detect_s"])
    assert second["prob_high"] == pytest.approx(1 - 0.025 ** 0.25)


def test_a_grid_naming_another_parameter_is_refused_before_anything_runs() -> None:
    with pytest.raises(ParameterError, match="grid"):
        power_sweep({"dns_ttl_s": [60.0]}, client="tcp://127.0.0.1:1")


def test_a_horizon_too_long_for_the_scenario_is_refused_naming_duration_s() -> None:
    with pytest.raises(ParameterError, match="duration_s"):
        power_sweep(horizon_s=1e6, client="tcp://127.0.0.1:1")


@pytest.fixture(scope="module")
def threads_client():
    """An in-process Dask cluster (no sockets): the sweep's logic without process start-up."""
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                            dashboard_address=None) as client:
        yield client


def test_a_small_sweep_catches_a_severe_defect_and_resumes(threads_client, tmp_path) -> None:
    """Half of the canary's requests failing is caught in every run, at the end of a
    window, after at least the two failed windows the step plan needs (Flagger's
    threshold); the time to detect counts from the first canary request, which comes
    after the first step (DNS caches); the healthy sweep has no severity axis; progress
    counts both sweeps; the same call again computes nothing."""
    grid = {"step_weight_pct": [10.0], "window_s": [60.0], "confidence": [0.98],
            "green_error_rate": [0.5]}
    seen = []
    base = Params(switch_at_s=60.0)
    result = power_sweep(grid, base=base, horizon_s=300.0, replications=2,
                         client=threads_client, out=str(tmp_path), progress=seen.append)
    assert len(result.runs) == 4 and result.computed == 4
    assert set(result.runs["duration_s"]) == {360.0}
    d = result.detection.iloc[0]
    assert d["rolled_back"] == 2
    bad = result.runs[result.runs["defect"] == "errors"]
    since_step_s = bad["decision_time_s"] - 60.0
    assert (since_step_s % 60.0 == 0.0).all() and (since_step_s >= 2 * 60.0).all()
    assert ((bad["time_to_detect_s"] > 0.0) & (bad["time_to_detect_s"] <= since_step_s)).all()
    assert list(result.false_rollbacks.columns[:3]) == list(AXES[:3])
    assert {p.total for p in seen} == {4} and seen[-1].done == 4
    again = power_sweep(grid, base=base, horizon_s=300.0, replications=2,
                        client=threads_client, out=str(tmp_path))
    assert (again.computed, again.skipped) == (0, 4)
    assert np.array_equal(again.detection.to_numpy(), result.detection.to_numpy())


def test_pooled_counts_every_run_of_every_configuration() -> None:
    from tipsim.scenarios.canary.power import pooled

    out = pooled(summarise(synthetic_runs()))
    assert (out["rolled_back"], out["runs"]) == (3, 8)
    assert (out["rollback_prob"], out["prob_low"], out["prob_high"]) == pytest.approx(
        proportion_ci(3, 8))
