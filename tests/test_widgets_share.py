"""A panel's "Share with the room" button: hidden without a board, shares the panel's run with one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from board_support import Board, start_board

from tipsim.params import Params
from tipsim.widgets.share import ShareButton


class DemoParams(Params):
    dns_ttl_s: float = 60.0


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Board]:
    b = start_board(tmp_path / "board.sqlite3", "room-token")
    try:
        yield b
    finally:
        b.stop()


def test_the_button_is_hidden_when_no_board_is_configured(monkeypatch) -> None:
    monkeypatch.delenv("TIPSIM_BOARD_URL", raising=False)
    monkeypatch.setenv("TIPSIM_BOARD_TOKEN", "t")
    button = ShareButton("canary", lambda: ({}, {}))
    assert not button.visible and button.widget.layout.display == "none"


def test_clicking_shares_the_panels_current_run_under_the_attendees_name(board, monkeypatch) -> None:
    monkeypatch.setenv("TIPSIM_BOARD_URL", board.url)
    monkeypatch.setenv("TIPSIM_BOARD_TOKEN", board.token)
    monkeypatch.setenv("TIPSIM_ATTENDEE", "alice")
    state = {"params": DemoParams(dns_ttl_s=30.0), "results": {"decision": "rollback"}}
    button = ShareButton("canary", lambda: (state["params"], state["results"]))
    assert button.visible and button.widget.layout.display == "flex"
    button.click()
    state["params"] = DemoParams(dns_ttl_s=300.0)
    button.click()
    stored = board.results("canary")
    assert [(r["name"], r["params"]["dns_ttl_s"]) for r in stored] == [("alice", 30.0),
                                                                       ("alice", 300.0)]
    assert stored[0]["results"] == {"decision": "rollback"}
    assert "alice" in button.message.value and str(button.last_id) in button.message.value


def test_a_refused_share_is_one_line_in_the_panel_not_a_traceback(board, monkeypatch) -> None:
    monkeypatch.setenv("TIPSIM_BOARD_URL", board.url)
    monkeypatch.setenv("TIPSIM_BOARD_TOKEN", "not-the-room-token")
    button = ShareButton("canary", lambda: ({}, {"decision": "promote"}))
    button.click()
    assert "tipsim-error" in button.message.value and "401" in button.message.value
    assert not button.button.disabled
    assert board.results() == []
