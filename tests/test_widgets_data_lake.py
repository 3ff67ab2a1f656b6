"""The A/B data-lake panel: every control is its scenario field, buttons rerun and redraw, and
bad input is one line under the panel, never a traceback. "Sweep loads" runs each batch of
the crossover's loads as a sweep on Dask (files in the sweep folder, the same sweep again
read back), gives the crossover the serial path gives for the same runs, and leaves no
worker process behind when the panel closes."""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tipsim.params import field_meta
from tipsim.scenarios import data_lake_ab as dl
from tipsim.sweep import run_seed
from tipsim.widgets.common import STALE, STALE_NOTE
from tipsim.widgets.data_lake import DataLakePanel

SMALL = dl.Params(duration_s=120, replications=2)


@pytest.fixture(scope="module")
def sweep_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sweeps")


@pytest.fixture(scope="module")
def panel(sweep_out: Path) -> Iterator[DataLakePanel]:
    made = DataLakePanel(SMALL, crossover_rates=(500, 20_000), crossover_replications=2,
                         sweep_out=sweep_out)
    yield made
    made.close()


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


def _note(panel: DataLakePanel) -> str:
    return panel.message.value


def test_sweep_loads_runs_on_the_sweep_engine_and_again_from_its_files(
        panel: DataLakePanel, sweep_out: Path) -> None:
    """Each load of the crossover is one configuration of a sweep: one Parquet file per
    load appears; the same sweep again computes nothing and says so."""
    panel.sweep_button.click()
    loads = len(panel.cross["rate_per_s"])
    files = sorted(sweep_out.glob("data-lake-ab-*.parquet"))
    assert len(files) == loads > 2  # the coarse loads, then narrowing pairs
    assert f"{loads} runs, {loads} computed, 0 from the cache" in _note(panel)
    assert panel.sweeper.cluster.started
    first = panel.cross
    panel.sweep_button.click()
    assert f"{loads} runs, 0 computed, {loads} from the cache" in _note(panel)
    assert sorted(sweep_out.glob("data-lake-ab-*.parquet")) == files
    assert panel.cross == first
    assert panel.sweeper.bar.bar.value == panel.sweeper.bar.bar.max == loads


def test_the_swept_crossover_is_the_serial_one_for_the_same_runs(panel: DataLakePanel) -> None:
    """A sweep's rows run with the run seed of replication 0 (tipsim.sweep.seeds); the
    serial path with that seed makes the same runs, so every number agrees. Documented
    behaviour holds too: a Spark cluster bills its instance-hours busy or not (flat), Lambda
    bills per request and GB-second (growing with load; per record only partly filled
    batches cost more at low load), and the crossover is placed within 10 %."""
    swept = panel.sweep()
    serial = dl.crossover(panel.params(), panel.crossover_rates,
                          seed=run_seed(panel.seed, 0), replications=2)
    assert swept == serial
    spark, faas, rates = swept["b"]["cost_usd_per_hour"], swept["a"]["cost_usd_per_hour"], \
        swept["rate_per_s"]
    assert max(spark) == pytest.approx(min(spark), rel=1e-9)
    per_record = [c / r for c, r in zip(faas, rates, strict=True)]
    assert faas == sorted(faas) and max(per_record) / min(per_record) < 1.5
    lo, hi = swept["crossover_bracket_per_s"]
    assert hi / lo <= 1.1 and lo <= swept["crossover_rate_per_s"] <= hi
    assert swept["cheaper"][0] == "a" and swept["cheaper"][-1] == "b"


def test_a_price_changed_in_the_panel_reaches_the_sweep(panel: DataLakePanel) -> None:
    """The workers read prices from the parameters: a dearer GB-second (the notebook's
    "Try this") is computed afresh and moves the crossover to a lower load."""
    base = panel.sweep()["crossover_rate_per_s"]
    item = "lambda_gb_second_x86"
    panel.prices_in[item].value = "0.00003"
    try:
        assert panel.params().lambda_gb_second_usd == 0.00003
        dear = panel.sweep()
        assert "0 computed" not in _note(panel)
        assert dear["crossover_rate_per_s"] < base / 1.2
    finally:
        panel.prices_in[item].set_number(dl.price_table().usd(item))


def _spawned(pids: set[int] | None = None) -> set[int]:
    """Worker processes (multiprocessing spawn children) below this test process."""
    out = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                out.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return out if pids is None else out & pids


def test_no_worker_process_is_left_after_the_panel_closes(tmp_path: Path) -> None:
    """The panel's cluster starts at its first sweep, its workers are children of this
    process, and closing the panel ends them (multiprocessing's resource tracker, which
    lives as long as the interpreter, is not a worker)."""
    before = _spawned()
    panel = DataLakePanel(SMALL, crossover_rates=(500, 20_000), sweep_out=tmp_path)
    assert not panel.sweeper.cluster.started and _spawned() == before
    panel.sweep()
    workers = set(panel.sweeper.cluster.worker_pids())
    assert workers and workers <= _spawned() - before
    panel.close()
    _, alive = psutil.wait_procs([psutil.Process(p) for p in workers if psutil.pid_exists(p)],
                                 timeout=60)
    assert not alive and _spawned() - before == set()
    assert not panel.sweeper.cluster.started
    assert os.getpid() not in workers


def test_a_sweep_error_is_one_line_in_the_panel(panel: DataLakePanel) -> None:
    """A bad price stops the sweep before anything runs: one line naming the item."""
    files = sorted(panel.sweeper.out.glob("*.parquet"))
    panel.prices_in["lambda_request"].value = "-1"
    try:
        panel.sweep_button.click()
        assert "lambda_request" in _note(panel) and "tipsim-error" in _note(panel)
        assert "Traceback" not in _note(panel)
        assert sorted(panel.sweeper.out.glob("*.parquet")) == files
    finally:
        panel.prices_in["lambda_request"].set_number(dl.price_table().usd("lambda_request"))
