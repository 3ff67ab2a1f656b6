"""The panels' shared pieces: a message line that marks old results stale after an error
and current again after a success, and buttons as wide as their labels."""

from __future__ import annotations

import ipywidgets as w

from tipsim.errors import ParameterError
from tipsim.widgets.common import STALE, STALE_NOTE, MessageLine, button, guarded


def test_an_error_marks_the_watched_results_stale_until_a_success() -> None:
    message = MessageLine()
    chart, summary = w.Output(), w.HTML("42 failed requests")
    message.watch(chart, summary)

    @guarded(message)
    def run(ok: bool) -> str:
        if not ok:
            raise ParameterError("dns_ttl_s", -5, "a number >= 0")
        message.clear()
        return "ran"

    assert run(False) is None
    assert STALE in chart._dom_classes and STALE in summary._dom_classes and message.stale
    assert "dns_ttl_s=-5 is not allowed" in message.value and STALE_NOTE in message.value
    assert run(True) == "ran"
    assert not message.stale and message.value == ""


def test_a_line_with_nothing_watched_says_nothing_about_stale_results() -> None:
    message = MessageLine()
    message.error("bad")
    assert STALE_NOTE not in message.value and not message.stale


def test_buttons_are_as_wide_as_their_labels() -> None:
    """ipywidgets' default 148 px cut "Run the three strategies"."""
    b = button("Run the three strategies", css="tipsim-x")
    assert b.layout.width == "auto" and "tipsim-x" in b._dom_classes
