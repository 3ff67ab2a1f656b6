"""The A/B data-lake panel: every control is its scenario field, buttons rerun and redraw, and
bad input is one line under the panel, never a traceback."""

from __future__ import annotations

import html
import math
from pathlib import Path

import pytest

from tipsim.params import field_meta
from tipsim.scenarios import data_lake_ab as dl
from tipsim.widgets.common import STALE, STALE_NOTE
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
    panel.prices_in["lambda_request"].value = "-1"
    try:
        panel.run_button.click()
        assert "lambda_request" in panel.message.value and "tipsim-error" in panel.message.value
        assert panel.result is result  # nothing half-done: the last result stays
    finally:
        panel.prices_in["lambda_request"].set_number(dl.price_table().usd("lambda_request"))
        panel.message.clear()


def test_an_absurd_price_is_refused_at_once_instead_of_inf_usd(panel: DataLakePanel) -> None:
    """1e308 USD per GB-second is a number, and made every cost "inf USD": the box says
    the ceiling as soon as it is typed, and Run changes nothing."""
    result = panel.result
    box = panel.prices_in["lambda_gb_second_x86"]
    box.value = "1e308"
    try:
        line = html.unescape(panel.message.value)
        assert "lambda_gb_second_x86='1e308' is not allowed" not in line  # parsed: a number
        assert "lambda_gb_second_x86=1e+308 is not allowed: a price in USD per GB-second " \
            "from 0 to 0.0167" in line
        panel.run_button.click()
        assert panel.result is result and "inf" not in panel.verdict.value
    finally:
        box.set_number(dl.price_table().usd("lambda_gb_second_x86"))
        panel.message.clear()


def test_letters_in_a_number_box_say_why_instead_of_reverting(panel: DataLakePanel) -> None:
    """ipywidgets' number boxes drop letters in the browser without a word; the panel's
    boxes are text, and the message line says what the field accepts."""
    box = panel.inputs["memory_mb"]
    before = box.value
    box.value = "12a"
    try:
        line = html.unescape(panel.message.value)
        assert "memory_mb='12a' is not allowed: a whole number >= 128 and <= 10,240 (MB)" in line
        box.value = before  # fixed: that error goes
        assert "memory_mb=" not in panel.message.value
    finally:
        box.value = before
        panel.message.clear()


def test_after_a_bad_value_the_old_results_are_marked_stale_until_a_run_works(
        panel: DataLakePanel) -> None:
    """The charts under an error are the last good run's: they are greyed and the error
    says so; a run that works makes them current again."""
    panel.inputs["batch_size"].value = "0"
    try:
        panel.run_button.click()
        assert panel.message.stale and STALE in panel.fig_cost._dom_classes
        assert STALE_NOTE in panel.message.value
    finally:
        panel.inputs["batch_size"].value = str(SMALL.batch_size)
    panel.run_button.click()
    assert not panel.message.stale and panel.message.value == ""
    assert STALE not in panel.verdict._dom_classes


def test_panel_source_holds_no_numeric_range_and_no_model_import() -> None:
    """Ranges come from fields; prices and runs come through the scenario."""
    import tipsim.widgets.data_lake as module

    text = Path(module.__file__).read_text()
    for literal in ("min=", "max=", "tipsim.analysis", "tipsim.sim", "tipsim.infra"):
        assert literal not in text, literal
