"""The notebook's sweep progress bar and the terminal's: counts, ETA, colour on failure."""

from __future__ import annotations

import io

from tipsim.sweep import SweepProgress, TerminalBar
from tipsim.sweep.progress import clock, describe
from tipsim.widgets.sweep_progress import SweepProgressBar


def test_the_widget_counts_skipped_and_computed_runs_and_shows_the_time_left() -> None:
    bar = SweepProgressBar()
    bar(SweepProgress(total=32, computed=0, skipped=8, failed=0, elapsed_s=0.5, eta_s=None))
    assert (bar.bar.value, bar.bar.max) == (8, 32)
    assert bar.label.value == "8/32 runs (8 skipped), 0:00 elapsed, ETA ?"
    bar(SweepProgress(total=32, computed=12, skipped=8, failed=0, elapsed_s=65.0, eta_s=75.0))
    assert bar.bar.value == 20 and bar.label.value.endswith("1:05 elapsed, ETA 1:15")
    assert bar.bar.bar_style == "info"
    bar(SweepProgress(total=32, computed=24, skipped=8, failed=0, elapsed_s=90.0, eta_s=0.0))
    assert bar.bar.bar_style == "success" and bar.label.value.endswith("done")
    assert "tipsim-sweep-progress" in bar.widget._dom_classes


def test_a_failed_run_turns_the_bar_red() -> None:
    bar = SweepProgressBar()
    bar(SweepProgress(total=4, computed=2, skipped=0, failed=2, elapsed_s=3.0, eta_s=None))
    assert bar.bar.bar_style == "danger"
    assert "2 failed" in bar.label.value


def test_the_terminal_bar_prints_progress_and_a_last_line_when_not_a_terminal() -> None:
    stream = io.StringIO()
    tb = TerminalBar(stream, width=10, every_s=3600)
    tb(SweepProgress(total=10, computed=0, skipped=0, failed=0, elapsed_s=0.0, eta_s=None))
    tb(SweepProgress(total=10, computed=5, skipped=0, failed=0, elapsed_s=5.0, eta_s=5.0))
    tb(SweepProgress(total=10, computed=10, skipped=0, failed=0, elapsed_s=9.0, eta_s=0.0))
    lines = stream.getvalue().splitlines()
    assert lines == ["[..........] 0/10 runs, 0:00 elapsed, ETA ?",
                     "[##########] 10/10 runs, 0:09 elapsed, done"]


def test_clock_and_description_read_as_people_write_durations() -> None:
    assert [clock(s) for s in (0, 59.6, 83.4, 3725, None)] == ["0:00", "1:00", "1:23",
                                                              "1:02:05", "?"]
    p = SweepProgress(total=3, computed=1, skipped=1, failed=1, elapsed_s=2, eta_s=1)
    assert describe(p) == "3/3 runs (1 skipped, 1 failed), 0:02 elapsed, done"
