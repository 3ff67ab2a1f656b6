"""The room board in a real browser: results posted show on a chart that follows new results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from board_support import Board, start_board
from browser_support import wait_plot_change, wait_plot_data

from tipsim.board.client import share

pytestmark = [pytest.mark.browser]

SCOPE = ".tipsim-board-canary"
HOSTILE_NAME = '<img src=x onerror="document.title=\'pwned\'">mallory'


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Board]:
    b = start_board(tmp_path / "board.sqlite3", "room-token")
    try:
        yield b
    finally:
        b.stop()


def _canary(board: Board, name: str, ttl_s: float, decision: str, failed: int) -> int:
    return share(board.url, board.token, name, "canary", {"dns_ttl_s": ttl_s, "defect": "none"},
                 {"decision": decision, "failed_requests": failed, "affected_users": failed})


def test_the_board_chart_follows_a_new_result_and_shows_names_as_text(board: Board, page) -> None:
    """Three results are on the chart (grouped by the parameter people changed); a fourth,
    posted while the page is open, changes the chart without a reload; a name carrying HTML
    shows as text and runs nothing."""
    _canary(board, "alice", 30.0, "promote", 10)
    _canary(board, "bob", 300.0, "rollback", 900)
    _canary(board, HOSTILE_NAME, 300.0, "rollback", 700)
    page.goto(f"{board.url}/?token={board.token}")
    before_raw = wait_plot_data(page, index=0, scope=SCOPE)
    before = json.loads(before_raw)
    # The first key metric of canary is the judge's decision: counts per TTL, per decision.
    assert sorted(sum(trace[1]) for trace in before) == [1, 2]
    assert {x for trace in before for x in trace[0]} == {"30", "300"}
    page.locator(f"{SCOPE} td", has_text="mallory").first.wait_for()

    _canary(board, "carol", 30.0, "rollback", 800)
    after_raw = wait_plot_change(page, before_raw, index=0, scope=SCOPE, timeout_ms=30_000)
    after = json.loads(after_raw)
    assert sorted(sum(trace[1]) for trace in after) == [1, 3]

    # The hostile name is text in the table and in the chart's hover text, never an element.
    cell = page.locator(f"{SCOPE} td", has_text="mallory").first
    assert cell.inner_text() == HOSTILE_NAME
    assert page.locator(f"{SCOPE} img").count() == 0
    assert page.title() != "pwned"

    # The facilitator picks a number instead of the decision: a box of failed requests per TTL.
    page.locator(f"{SCOPE} select.metric").select_option("failed_requests")
    boxes = json.loads(wait_plot_change(page, after_raw, index=0, scope=SCOPE,
                                        timeout_ms=30_000))
    assert len(boxes) == 1 and sorted(boxes[0][1]) == [10, 700, 800, 900]
