"""Pieces every panel uses: a message line for errors, callbacks that never show a
traceback, results marked stale while they no longer match the controls, and buttons as
wide as their labels."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as w

from tipsim.errors import TipsimError

STALE = "tipsim-stale"
"""CSS class of a result drawn by a run whose inputs the controls no longer show."""
STALE_NOTE = "the results below are from the last run that worked"
_STALE_CSS = (f"<style>.{STALE}{{opacity:0.45;filter:grayscale(0.6)}}"
              f".{STALE}::before{{content:'stale: {STALE_NOTE}';color:#C44E52;"
              "font-size:12px}</style>")


class MessageLine(w.HTML):
    """One line under a panel: errors in red, notes in grey, cleared on success.

    Results registered with :meth:`watch` are marked stale (greyed, and the error says
    so) from an error until the next success (:meth:`clear`): after a bad value a learner
    never reads the old charts as the answer to the new one.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._watched: list[w.DOMWidget] = []

    def watch(self, *results: w.DOMWidget) -> None:
        """Widgets that show the results of the last run (charts, summaries, tables)."""
        self._watched.extend(results)

    @property
    def stale(self) -> bool:
        """True while the watched results are marked stale."""
        return any(STALE in r._dom_classes for r in self._watched)

    def error(self, text: str) -> None:
        for result in self._watched:
            result.add_class(STALE)
        note, css = (f" ({STALE_NOTE})", _STALE_CSS) if self._watched else ("", "")
        self.value = (f'{css}<div class="tipsim-error" style="color:#C44E52">&#9888; '
                      f"{html.escape(text)}{html.escape(note)}</div>")

    def note(self, text: str) -> None:
        self.value = f'<div class="tipsim-note" style="color:#555">{html.escape(text)}</div>'

    def clear(self) -> None:
        """A run worked: no message, and the results are current again."""
        for result in self._watched:
            result.remove_class(STALE)
        self.value = ""

    def check_numbers(self, boxes: Iterable[w.Widget]) -> None:
        """Say at once why a number box refuses what was typed (letters, out of range):
        each box with a ``number`` property (:class:`~tipsim.widgets.controls.NumberText`)
        is read when it changes, and its error, if any, shows here."""
        for box in boxes:
            if hasattr(type(box), "number"):
                box.observe(functools.partial(self._check_number, box), names="value")

    def _check_number(self, box: Any, _change: Any = None) -> None:
        try:
            box.number  # noqa: B018 - reading it checks it
        except TipsimError as exc:
            self.error(str(exc).splitlines()[0])
            return
        if "tipsim-error" in self.value and f"{box.field}=" in self.value:
            # that box is fine now; what is shown stays stale until a run works
            self.value = "" if not self.stale else (
                f'{_STALE_CSS}<div class="tipsim-note" style="color:#555">'
                f"{html.escape(box.field)} is fine now; {STALE_NOTE}</div>")


def guarded(message: MessageLine) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a widget callback: the kit's errors (bad input, emulator trouble) go to
    ``message`` as one line, and the kernel keeps running."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                result = fn(*args, **kwargs)
            except TipsimError as exc:
                message.error(str(exc).splitlines()[0])
                return None
            except Exception as exc:  # noqa: BLE001 - a widget must not show a traceback wall
                message.error(f"{type(exc).__name__}: {exc}")
                return None
            return result

        return wrapper

    return deco


def button(description: str, *, css: str | None = None, **kwargs: Any) -> w.Button:
    """A button as wide as its label (ipywidgets' fixed 148 px cut "Run the three
    strategies" to "Run the three strate...")."""
    widget = w.Button(description=description, layout=w.Layout(width="auto"), **kwargs)
    if css:
        widget.add_class(css)
    return widget
