"""The room board as attendees and a host use it: a real ``tipsim board serve`` on loopback.

Each test starts the board as a subprocess (``board_support.start_board``) and stops it by
pid. The issue's acceptance: 30 attendees posting 20 results each at once are all stored and
still there after a restart; refusals (401, 413, 400) store nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from board_support import Board, start_board

from tipsim.board.client import fetch, share

ATTENDEES = 30
RESULTS_EACH = 20


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Board]:
    b = start_board(tmp_path / "board.sqlite3", "room-token")
    try:
        yield b
    finally:
        b.stop()


def _attendee(board: Board, who: int, start: threading.Barrier) -> list[int]:
    start.wait()
    return [share(board.url, board.token, f"attendee-{who:02d}", "canary",
                  {"dns_ttl_s": 30 + who, "step": i}, {"decision": "promote", "step": i})
            for i in range(RESULTS_EACH)]


def test_600_concurrent_posts_from_30_clients_are_all_stored_and_survive_a_restart(
        tmp_path: Path) -> None:
    """30 clients post 20 results each at the same moment; every post answers 201 with its own
    id, all 600 are listed, and a board restarted on the same file lists the same 600."""
    db = tmp_path / "room.sqlite3"
    board = start_board(db, "room-token")
    try:
        start = threading.Barrier(ATTENDEES)
        with ThreadPoolExecutor(ATTENDEES) as pool:
            ids = [i for got in pool.map(lambda w: _attendee(board, w, start), range(ATTENDEES))
                   for i in got]
        stored = board.results("canary")
    finally:
        board.stop()
    assert len(ids) == ATTENDEES * RESULTS_EACH == len(set(ids))
    pairs = {(r["name"], r["results"]["step"]) for r in stored}
    assert pairs == {(f"attendee-{w:02d}", i) for w in range(ATTENDEES) for i in range(RESULTS_EACH)}
    assert sorted(r["id"] for r in stored) == sorted(ids)

    again = start_board(db, "room-token")
    try:
        assert again.results("canary") == stored
    finally:
        again.stop()


def test_refused_requests_get_their_status_and_store_nothing(board: Board) -> None:
    """Wrong or missing token 401, a 1 MiB body 413 (sent whole or chunked), a body that is not
    JSON or names an unknown scenario 400: each with a message, none stored."""
    good = {"name": "alice", "scenario": "canary", "params": {}, "results": {"decision": "promote"}}
    body = json.dumps(good).encode()
    status, answer = board.request("POST", "/api/results", body, token="wrong-token")
    assert status == 401 and "token" in answer["error"]
    assert board.request("POST", "/api/results", body, token="")[0] == 401
    assert board.request("GET", "/api/results", token="wrong-token")[0] == 401

    big = json.dumps({**good, "results": {"blob": "x" * (1024 * 1024)}}).encode()
    status, answer = board.request("POST", "/api/results", big)
    assert status == 413 and "65536" in answer["error"]
    chunks = iter([big[i:i + 65536] for i in range(0, len(big), 65536)])
    assert board.request("POST", "/api/results", chunks)[0] == 413  # type: ignore[arg-type]
    assert board.request("POST", "/api/results", big, token="wrong-token")[0] == 401

    status, answer = board.request("POST", "/api/results", b"name=alice&scenario=canary")
    assert status == 400 and "JSON" in answer["error"]
    status, answer = board.request("POST", "/api/results",
                                   json.dumps({**good, "scenario": "bogus"}).encode())
    assert status == 400 and "scenario" in answer["error"] and "canary" in answer["error"]
    status, answer = board.request("POST", "/api/results", json.dumps([good]).encode())
    assert status == 400
    assert board.results() == []
    # The same board still takes a good result afterwards.
    assert board.request("POST", "/api/results", body) == (201, {"id": 1})


def test_results_are_listed_per_scenario_and_after_an_id(board: Board) -> None:
    """GET /api/results?scenario=NAME lists that scenario's results, oldest first; ``after``
    lists only newer ones (what the page polls with); an unknown scenario is a 400."""
    a = share(board.url, board.token, "alice", "canary", {"defect": "none"}, {"decision": "promote"})
    b = share(board.url, board.token, "bob", "queue", {"servers": 10}, {"mean_wait_s": 0.6})
    c = share(board.url, board.token, "carol", "canary", {"defect": "blocked-port"},
              {"decision": "rollback"})
    assert [r["name"] for r in board.results("canary")] == ["alice", "carol"]
    assert [r["id"] for r in fetch(board.url, board.token)] == [a, b, c]
    assert [r["name"] for r in fetch(board.url, board.token, "canary", after_id=a)] == ["carol"]
    status, answer = board.request("GET", "/api/results?scenario=nope")
    assert status == 400 and "scenario" in answer["error"]


def test_the_board_listens_on_loopback_only_by_default(board: Board) -> None:
    """With no --host, every listening socket of the board process is on 127.0.0.1."""
    assert board.url.startswith("http://127.0.0.1:")
    listening = [c.laddr for c in psutil.Process(board.proc.pid).net_connections("inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)


def test_the_page_and_its_scripts_need_the_token_and_load_no_cdn(board: Board) -> None:
    """The page, board.js and plotly.js answer with the token and 401 without it; the page
    loads scripts from the board only and carries no attendee data in its HTML."""
    import urllib.error
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    share(board.url, board.token, "<img src=x onerror=alert(1)>", "canary", {}, {})
    with opener.open(f"{board.url}/?token={board.token}") as resp:
        page = resp.read().decode()
        csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "onerror" not in page
    assert "cdn" not in page.lower() and "https://" not in page
    for path in ("/static/plotly.min.js", "/static/board.js", "/"):
        with opener.open(f"{board.url}{path}?token={board.token}") as resp:
            assert resp.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(f"{board.url}{path}")
        assert refused.value.code == 401


def test_tipsim_run_share_appears_on_the_board(board: Board, run_cli) -> None:
    """``tipsim run canary --share URL --token T --name alice`` stores the run's parameters and
    its ``--json`` result under alice."""
    code, out, err = run_cli("run", "canary", "--json", "--share", board.url,
                             "--token", board.token, "--name", "alice")
    assert code == 0, err
    assert "shared with the room board" in err
    stored = board.results("canary")
    assert [r["name"] for r in stored] == ["alice"]
    assert stored[0]["results"] == json.loads(out)
    assert stored[0]["params"]["strategy"] == stored[0]["results"]["strategy"]
