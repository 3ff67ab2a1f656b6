"""Every exception tipsim raises on purpose, in one place.

All derive from :class:`TipsimError`, so a notebook or the CLI can catch the
kit's own errors and show them as one clear line instead of a traceback.
"""

from __future__ import annotations

from typing import Any


class TipsimError(Exception):
    """Base class of the kit's own errors."""


class ParameterError(TipsimError, ValueError):
    """A parameter is unknown, of the wrong type or out of range.

    The message names the field, the value given and what is allowed; ``hint`` (the
    valid parameters, one per line) follows on later lines. :attr:`line` is the first line
    alone, for places with room for one (the CLI, a widget's message line).
    """

    def __init__(self, field: str, value: Any, allowed: str, *, hint: str = "") -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"{field}={value!r} is not allowed: {allowed}"
        if hint:
            msg += f"\n{hint}"
        super().__init__(msg)

    @property
    def line(self) -> str:
        """The message's first line (``field=value is not allowed: what is allowed``, or a
        subclass's own), without the hint."""
        return str(self).partition("\n")[0]


class EndpointRefused(TipsimError):
    """The never-real-AWS guard refused an endpoint before any traffic was sent."""


class EmulatorError(TipsimError):
    """No AWS emulator could be found or started, or it answered badly."""


class InfraError(TipsimError):
    """Planning, applying or destroying a stack failed."""


class StackSourceError(ParameterError, InfraError):
    """A stack's ``.tf`` files cannot be read: a syntax error, or a construct outside the
    HCL subset the kit evaluates (``for`` expressions, ``dynamic`` blocks, module calls,
    unknown functions). The message names the file, the line and the construct; the CLI
    exits 2 and nothing is applied."""

    def __init__(self, file: str, line: int, what: str) -> None:
        self.file, self.lineno, self.what = file, line, what
        self.field, self.value, self.allowed = "stack", f"{file}:{line}", what
        self.hint = ""
        Exception.__init__(self, f"{file}:{line}: {what}")  # .line: this, the one line shown


class BoardError(TipsimError):
    """The room board refused a result, or could not be reached."""


class SweepError(TipsimError):
    """A sweep could not run: no Dask scheduler at the address given, or results unreadable."""


class SweepFailed(SweepError):
    """Some runs of a sweep failed after their retries.

    ``report`` is the sweep's report (``failures`` lists each failed task with its
    configuration, replications and error); the configurations that completed are written
    and a re-run computes only what is missing.
    """

    def __init__(self, message: str, report: Any) -> None:
        self.report = report
        super().__init__(message)
