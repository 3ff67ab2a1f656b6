"""Pieces every panel uses: a message line for errors, and callbacks that never show a traceback."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from tipsim.errors import TipsimError


class MessageLine(w.HTML):
    """One line under a panel: errors in red, notes in grey, cleared on success."""

    def error(self, text: str) -> None:
        self.value = f'<div class="tipsim-error" style="color:#C44E52">&#9888; {html.escape(text)}</div>'

    def note(self, text: str) -> None:
        self.value = f'<div class="tipsim-note" style="color:#555">{html.escape(text)}</div>'

    def clear(self) -> None:
        self.value = ""


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
