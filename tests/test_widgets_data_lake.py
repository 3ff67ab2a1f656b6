"""The A/B data-lake panel: every control is its scenario field, buttons rerun and redraw, and
bad input is one line under the panel, never a traceback."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tipsim.params import field_meta
from tipsim.scenarios import data_lake_ab as dl
from tipsim.widgets.data_lake import DataLakePanel

SMALL = dl.Params(duration_s=120, replications=2)


@pytest.fixture(scope="module")
def panel() -> DataLakePanel:
    return DataLakePanel(SMALL, crossover_rates=(500, 20_000), crossover_replications=2)


def test_each_slider_shows_the_fields_slider_range(panel: DataLakePanel) -> None:
    """The panel writes no range: each slider's ends are its field's slider range."""
    for name, c in panel.inputs.items():
        meta = field_meta(dl.Params, name)
        if meta.slider is None or not hasattr(c, "min"):
            continue
        low, high = meta.slider
        if meta.log:
            low, high = math.log10(low), math.log10(high)
        assert (c.min, c.max) == pytest.approx((low, high)), name


def test_controls_start_at_the_given_parameters(panel: DataLakePanel) -> None:
    assert panel.params() == SMALL


def test_run_redraws_the_charts_with_the_controls_values(panel: DataLakePanel) -> None:
    """A new load changes the cost chart; both arms still read the same records."""
    before = panel.fig_cost.figure.to_dict()["data"]
    panel.inputs["rate_per_s"].value = 5000.0
    panel.run_button.click()
    assert panel.message.value == ""
    assert panel.result.params.rate_per_s == 5000.0
    assert panel.fig_cost.figure.to_dict()["data"] != before
    assert "same records: yes" in panel.verdict.value
    assert panel.progress.value == panel.progress.max == 2


def test_a_bad_price_is_one_line_naming_the_item(panel: DataLakePanel) -> None:
    result = panel.result
    panel.prices_in["lambda_request"].value = -1.0
    try:
        panel.run_button.click()
        assert "lambda_request" in panel.message.value and "tipsim-error" in panel.message.value
        assert panel.result is result  # nothing half-done: the last result stays
    finally:
        panel.prices_in["lambda_request"].value = dl.price_table().usd("lambda_request")


def test_panel_source_holds_no_numeric_range_and_no_model_import() -> None:
    """Ranges come from fields; prices and runs come through the scenario."""
    import tipsim.widgets.data_lake as module

    text = Path(module.__file__).read_text()
    for literal in ("min=", "max=", "tipsim.analysis", "tipsim.sim", "tipsim.infra"):
        assert literal not in text, literal
