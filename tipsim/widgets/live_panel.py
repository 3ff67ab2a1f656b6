"""A panel that runs its scenario again at every control change.

The feature-toggle, canary and staging-or-production panels share one cycle: controls made
from the scenario's fields (:func:`~tipsim.widgets.controls.controls`), a run with the
controls' values, then figures and a summary redrawn. A value the scenario refuses leaves
the last good results on screen, marked stale, and says why on the message line
(:class:`~tipsim.widgets.common.MessageLine`); the panel's parameters change only when a run
with them worked. "Share with the room" (:class:`~tipsim.widgets.share.ShareButton`) sends
those parameters and what ``tipsim run NAME --json`` prints for them.

A subclass sets :attr:`LivePanel.scenario` and :attr:`LivePanel.params_type`, calls
``super().__init__``, builds :attr:`controls`, calls :meth:`_start` with the widgets its
summary writes to, and implements :meth:`_run`, :meth:`_figures` and :meth:`_show_summary`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar, cast

import ipywidgets as w
import plotly.graph_objects as go

from tipsim.params import Params
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.controls import values
from tipsim.widgets.live_figure import LiveFigure
from tipsim.widgets.share import ShareButton, rerun_for_board

P = TypeVar("P", bound=Params)


class LivePanel(ABC, Generic[P]):
    """Controls -> a run per change -> results redrawn (see the module).

    Parameters
    ----------
    params
        Starting parameters (the notebook's ``parameters`` cell; default: the scenario's).
    seed
        Seed of every run the panel makes.

    Attributes
    ----------
    params
        The parameters of the results on screen.
    controls
        Control widgets by field name; a change to any of them runs again.
    figures
        The charts by name (:class:`~tipsim.widgets.live_figure.LiveFigure`).
    message
        The line that shows errors and notes.
    share
        The "Share with the room" button and its status line.
    """

    scenario: ClassVar[str]
    """The scenario's name as ``tipsim run`` knows it."""
    params_type: ClassVar[type[Params]]
    running_note: ClassVar[str | None] = None
    """Shown on the message line while a run lasts (``None``: nothing)."""

    def __init__(self, params: P | None, seed: int) -> None:
        self.params: P = params if params is not None else cast(P, self.params_type())
        self.seed = seed
        self.message = MessageLine()
        self.controls: dict[str, w.ValueWidget] = {}

    def _start(self, *results: w.DOMWidget) -> None:
        """The first run, with the starting parameters: its figures and summary; then
        mark them and ``results`` stale after an error, run again on every control change,
        and make the share button."""
        self._run(self.params)
        self.figures = {name: LiveFigure(fig) for name, fig in self._figures().items()}
        self._show_summary()
        self.message.watch(*results, *self.figures.values())
        self.on_change = guarded(self.message)(self._on_change)
        for widget in self.controls.values():
            widget.observe(self.on_change, names="value")
        self.share = ShareButton(self.scenario, self.shared_run)

    def current_params(self) -> P:
        """The parameters the controls describe (validated: raises ParameterError)."""
        return self.params.replace(**values(self.controls))

    def shared_run(self) -> tuple[P, dict[str, Any]]:
        """What "Share with the room" sends: the panel's parameters and what
        ``tipsim run NAME --json`` prints for them with the panel's seed."""
        return self.params, rerun_for_board(self.scenario, self.params, self.seed)

    def _on_change(self, _change: Any = None) -> None:
        params = self.current_params()
        if self.running_note:
            self.message.note(self.running_note)
        self._run(params)
        self.params = params
        self._redraw()
        self.message.clear()

    @abstractmethod
    def _run(self, params: P) -> None:
        """Run the scenario with ``params`` and keep the results (nothing drawn yet)."""

    @abstractmethod
    def _figures(self) -> dict[str, go.Figure]:
        """The charts of the kept results, by name."""

    @abstractmethod
    def _show_summary(self) -> None:
        """Write the kept results' summary (text, tables)."""

    def _redraw(self) -> None:
        """Redraw every figure and the summary from the kept results."""
        for name, fig in self._figures().items():
            self.figures[name].show(fig)
        self._show_summary()
