"""Notebook 06's charts and panel, on a hand-made power table (no sweep runs here)."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from tipsim.scenarios.canary.power import PowerResult, summarise
from tipsim.viz.canary_power import power_curves_figure, power_learner_table, power_map_figure
from tipsim.widgets.canary_power import CanaryPowerPanel


def _runs(defective: bool) -> pd.DataFrame:
    """4 runs per configuration; configuration k (in grid order) rolls back k mod 5 runs."""
    rows = []
    sev = (0.02, 0.05) if defective else (None,)
    grid = itertools.product((5.0, 10.0, 25.0), (60.0, 120.0), (0.9, 0.98), sev)
    for k, (step, window, conf, rate) in enumerate(grid):
        for r in range(4):
            hit = r < k % 5
            rows.append({"step_weight_pct": step, "window_s": window, "confidence": conf,
                         "green_error_rate": rate, "rolled_back": hit,
                         "time_to_detect_s": 100.0 + 10 * k + r if hit else None,
                         "requests_exposed": 100 * k + r, "users_exposed": k + r})
    return pd.DataFrame(rows)


@pytest.fixture
def result() -> PowerResult:
    healthy = _runs(False)
    return PowerResult(pd.concat([_runs(True), healthy]), summarise(_runs(True)),
                       summarise(healthy, by=("step_weight_pct", "window_s", "confidence")),
                       600.0, 4, 0, 0, 0.0)


def test_the_heatmap_holds_each_configuration_with_its_interval(result) -> None:
    t = result.detection
    part = t[(t["window_s"] == 60.0) & (t["confidence"] == 0.9)]
    fig = power_map_figure(part)
    z = fig.data[0].z
    for _, row in part.iterrows():
        i = [0.02, 0.05].index(row["green_error_rate"])
        j = [5.0, 10.0, 25.0].index(row["step_weight_pct"])
        assert z[i][j] == row["rollback_prob"]
        assert f"[{row['prob_low']:.2f}, {row['prob_high']:.2f}]" in fig.data[0].text[i][j]


def test_the_curves_carry_the_exact_interval_as_error_bars(result) -> None:
    part = result.detection[result.detection["window_s"] == 120.0]
    part = part[part["confidence"] == 0.98]
    fig = power_curves_figure(part)
    assert len(fig.data) == 2  # one line per severity
    for trace, (_, g) in zip(fig.data, part.groupby("green_error_rate"), strict=True):
        assert list(trace.error_y.array) == pytest.approx(list(g["prob_high"] - g["rollback_prob"]))
        assert list(trace.error_y.arrayminus) == pytest.approx(list(g["rollback_prob"] - g["prob_low"]))


def test_slicing_redraws_the_map_and_the_curves(result) -> None:
    panel = CanaryPowerPanel(result)
    before = [list(map(list, panel.heatmap_fig.data[0].z)), panel.curves_fig.data[0].y]
    assert "60 s windows, confidence 0.9" in panel.heatmap_fig.figure.layout.title.text
    panel.window.value = 120.0
    panel.confidence.value = 0.98
    after = [list(map(list, panel.heatmap_fig.data[0].z)), panel.curves_fig.data[0].y]
    assert after != before
    assert "120 s windows, confidence 0.98" in panel.heatmap_fig.figure.layout.title.text
    panel.metric.value = "time_to_detect_s"
    assert panel.heatmap_fig.figure.layout.title.text.startswith("time to detect")
    assert panel.message.value == ""
    assert len(panel.false_fig.data) == 2  # one line per confidence


def test_the_learner_table_says_k_of_n_with_the_interval_and_no_internal_names(result) -> None:
    from tipsim.viz.tables import headers_ok

    table = power_learner_table(result.detection)
    assert headers_ok(table) and len(table.rows) == len(result.detection)
    first = dict(zip(table.headers, table.rows[0], strict=True))
    row = result.detection.iloc[0]
    assert first["rolled back"] == f"{int(row['rolled_back'])} of 4"
    assert first["P(rollback), 95% interval"] == (
        f"{row['rollback_prob']:.2f} ({row['prob_low']:.2f} to {row['prob_high']:.2f})")
    assert first["defect: share of canary requests failing"] == "2%"
