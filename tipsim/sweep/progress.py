"""How far a sweep has got: a snapshot passed to a progress callback, and a terminal bar.

The engine calls ``progress(SweepProgress)`` once before the first task and after every
task that ends. Any callable works: :class:`TerminalBar` draws a bar with an ETA on
stderr; ``tipsim.widgets.sweep_progress.SweepProgressBar`` is the notebook's.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class SweepProgress:
    """Counts in runs (configuration x replication).

    ``eta_s`` is the time left at the rate runs were computed so far in this session
    (``None`` until the first task ends).
    """

    total: int
    computed: int
    skipped: int
    failed: int
    elapsed_s: float
    eta_s: float | None

    @property
    def done(self) -> int:
        return self.computed + self.skipped + self.failed

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


def clock(seconds: float | None) -> str:
    """``83.4`` -> ``'1:23'``; ``None`` -> ``'?'``."""
    if seconds is None:
        return "?"
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def describe(p: SweepProgress) -> str:
    """``'12/32 runs (8 skipped, 1 failed), 0:05 elapsed, ETA 0:08'``."""
    extra = [f"{n} {w}" for n, w in ((p.skipped, "skipped"), (p.failed, "failed")) if n]
    note = f" ({', '.join(extra)})" if extra else ""
    eta = "done" if p.done >= p.total else f"ETA {clock(p.eta_s)}"
    return f"{p.done}/{p.total} runs{note}, {clock(p.elapsed_s)} elapsed, {eta}"


class TerminalBar:
    """A one-line progress bar with ETA, redrawn in place on a terminal.

    When ``stream`` is not a terminal (a log file, CI), a line is printed at most every
    ``every_s`` seconds and at the end instead.
    """

    def __init__(self, stream: TextIO | None = None, width: int = 30, every_s: float = 5.0):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.every_s = every_s
        self._last = -1e9
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, p: SweepProgress) -> None:
        now = time.monotonic()
        finished = p.done >= p.total
        if not finished and now - self._last < (0.1 if self._tty else self.every_s):
            return
        self._last = now
        filled = int(round(self.width * p.fraction))
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {describe(p)}"
        if self._tty:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
