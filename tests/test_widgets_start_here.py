"""The start panel: the slider is the arrival-rate field, and moving it redraws the chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tipsim.params import field_meta
from tipsim.scenarios.queueing import ArrivalParams
from tipsim.widgets.start_here import ArrivalsPanel


def test_slider_range_comes_from_the_field() -> None:
    panel = ArrivalsPanel(rate_per_s=5.0, seed=1)
    low, high = field_meta(ArrivalParams, "rate_per_s").slider  # type: ignore[misc]
    assert (panel.slider.min, panel.slider.max) == (low, high)
    assert "tipsim-rate-slider" in panel.slider._dom_classes


def test_moving_the_slider_redraws_bars_expected_line_and_summary() -> None:
    panel = ArrivalsPanel(rate_per_s=5.0, seed=1)
    before = list(panel.figure.data[0].y)
    panel.slider.value = 20.0
    assert list(panel.figure.data[0].y) != before
    assert panel.figure.data[1].y[0] == pytest.approx(200.0)
    assert "expected <b>200.0</b>" in panel.summary.value
    assert panel.message.value == ""


def test_panel_imports_only_scenarios_viz_and_widgets() -> None:
    import tipsim.widgets.start_here as module

    text = Path(module.__file__).read_text()
    for literal in ("min=", "max=", "tipsim.sim", "tipsim.analysis", "tipsim.emulator"):
        assert literal not in text, literal
