"""A panel's "Share with the room" button: sends the panel's current run to the room board.

It shows only when the facilitator's board is configured in the kernel's environment
(``TIPSIM_BOARD_URL`` and ``TIPSIM_BOARD_TOKEN``, as ``tipsim board serve`` prints them);
otherwise the panel leaves it out (:attr:`ShareButton.widgets` is empty) and looks as before. The board gets the same record as
``tipsim run NAME --share``: the parameters and the results as ``tipsim run --json`` prints
them, under the attendee's name (``TIPSIM_ATTENDEE``, else the login name).

A panel adds it with one line and puts ``*share.widgets`` at its bottom::

    self.share = ShareButton("canary", lambda: (self.params, self.last_result))

where the callable returns the panel's current parameters (a ``Params`` or a dict) and the
result dict of the same run; :func:`rerun_for_board` makes that dict when the panel holds
a richer result object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
from pydantic import BaseModel

from tipsim.board.client import board_from_env, default_name, share
from tipsim.errors import ParameterError
from tipsim.widgets.common import MessageLine, button, guarded

Snapshot = Callable[[], tuple[BaseModel | Mapping[str, Any], Mapping[str, Any]]]


def _as_dict(params: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(params, BaseModel):
        return params.model_dump(mode="json")
    return dict(params)


def rerun_for_board(scenario: str, params: BaseModel, seed: int) -> dict[str, Any]:
    """The scenario's ``run_cli`` result for ``params`` and ``seed`` (what ``tipsim run
    --json`` prints), for panels whose own result is not that dict."""
    from tipsim import scenarios

    return dict(scenarios.load(scenario).run_cli(params, seed=seed))


class ShareButton:
    """"Share with the room" and one message line; hidden when no board is configured."""

    def __init__(self, scenario: str, snapshot: Snapshot) -> None:
        self.scenario = scenario
        self.snapshot = snapshot
        self.board = board_from_env()
        self.name = default_name()
        self.button = button("Share with the room", css="tipsim-share-button", icon="users",
                             tooltip=f"send this run to the room board as {self.name}")
        self.message = MessageLine()
        self.widget = w.HBox([self.button, self.message])
        self.widget.add_class("tipsim-share")
        self.widget.layout.display = "flex" if self.visible else "none"
        self.button.on_click(guarded(self.message)(self._on_click))
        self.last_id: int | None = None

    @property
    def visible(self) -> bool:
        return self.board is not None

    @property
    def widgets(self) -> list[w.Widget]:
        """What a panel puts at its bottom: the button's row, or nothing without a board."""
        return [self.widget] if self.visible else []

    def _on_click(self, _button: object = None) -> None:
        if self.board is None:
            raise ParameterError("TIPSIM_BOARD_URL", None,
                                 "the room board's URL, with TIPSIM_BOARD_TOKEN its token")
        url, token = self.board
        params, results = self.snapshot()
        self.button.disabled = True
        self.message.note("sharing...")
        try:
            self.last_id = share(url, token, self.name, self.scenario, _as_dict(params),
                                 dict(results))
        finally:
            self.button.disabled = False
        self.message.note(f"shared with the room as {self.name} (result {self.last_id})")

    def click(self) -> None:
        """What the button does (for tests and notebooks' checks cells)."""
        self.button.click()
