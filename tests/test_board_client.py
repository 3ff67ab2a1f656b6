"""Sharing rules checked before anything is sent: where results may go, and what a result is."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tipsim.board.client import check_board_url, share
from tipsim.board.payload import MAX_BODY_BYTES, encode, make_result, parse_body
from tipsim.board.serve import BoardAddress, announce
from tipsim.errors import EndpointRefused, ParameterError


def test_a_board_on_another_host_is_refused_unless_named_in_tipsim_allow_hosts(monkeypatch) -> None:
    """Like the emulator guard: loopback always, another host only when the attendee named it,
    a real AWS host never."""
    monkeypatch.delenv("TIPSIM_ALLOW_HOSTS", raising=False)
    assert check_board_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert check_board_url("http://localhost:8765") == "http://localhost:8765"
    with pytest.raises(EndpointRefused, match="TIPSIM_ALLOW_HOSTS=10.0.0.5"):
        check_board_url("http://10.0.0.5:8765")
    with pytest.raises(EndpointRefused):  # refused before any traffic: nothing listens there
        share("http://10.0.0.5:8765", "t", "alice", "canary", {}, {})
    monkeypatch.setenv("TIPSIM_ALLOW_HOSTS", "10.0.0.5, board.example")
    assert check_board_url("http://10.0.0.5:8765") == "http://10.0.0.5:8765"
    assert check_board_url("https://board.example") == "https://board.example"
    monkeypatch.setenv("TIPSIM_ALLOW_HOSTS", "s3.amazonaws.com")
    with pytest.raises(EndpointRefused):
        check_board_url("http://s3.amazonaws.com")
    with pytest.raises(ParameterError, match="share"):
        check_board_url("ftp://127.0.0.1/")


def test_tipsim_run_refuses_a_foreign_board_before_running(run_cli, monkeypatch) -> None:
    """A refused URL or a missing token stops ``tipsim run`` before the simulation runs."""
    monkeypatch.delenv("TIPSIM_ALLOW_HOSTS", raising=False)
    monkeypatch.delenv("TIPSIM_BOARD_TOKEN", raising=False)
    code, out, err = run_cli("run", "canary", "--share", "http://192.0.2.7:8765", "--token", "t")
    assert code == 1 and "TIPSIM_ALLOW_HOSTS" in err and out == ""
    code, out, err = run_cli("run", "canary", "--share", "http://127.0.0.1:8765")
    assert code == 2 and "token" in err and out == ""
    code, out, err = run_cli("run", "canary", "--share", "http://127.0.0.1:8765", "--token", "t",
                             "--name", "   ")
    assert code == 2 and "name" in err


def test_a_result_needs_a_printable_name_a_known_scenario_and_objects() -> None:
    ok = make_result(" alice ", "canary", {}, {})
    assert ok.name == "alice"
    for bad in ("", "a" * 65, "line\nbreak", None):
        with pytest.raises(ParameterError, match="name"):
            make_result(bad, "canary", {}, {})
    with pytest.raises(ParameterError, match="scenario=.*canary"):
        make_result("alice", "Canary", {}, {})
    with pytest.raises(ParameterError, match="params"):
        make_result("alice", "canary", [1, 2], {})
    with pytest.raises(ParameterError, match="results"):
        make_result("alice", "canary", {}, "promote")


def test_bodies_that_are_not_a_json_object_are_refused_with_the_field() -> None:
    for body, field in ((b"not json", "body"), (b"[1]", "body"), (b"\xff\xfe", "body"),
                        (b'{"name": "a", "scenario": "canary", "params": {}}', "results"),
                        (b'{"name": "a", "scenario": "canary", "params": {}, "results": NaN}',
                         "body")):
        with pytest.raises(ParameterError, match=field):
            parse_body(body)


def test_numpy_values_and_nan_are_sent_as_plain_json() -> None:
    """A scenario's numpy numbers become JSON numbers; NaN (not JSON) becomes null."""
    result = make_result("alice", "queue", {"servers": np.int64(10)},
                         {"wait_s": np.float64(0.5), "ci": np.array([0.1, np.nan]),
                          "x": math.inf, "f32": np.float32(2.0)})
    decoded = parse_body(encode(result))
    assert decoded.params == {"servers": 10}
    assert decoded.results == {"wait_s": 0.5, "ci": [0.1, None], "x": None, "f32": 2.0}


def test_a_result_over_64_kib_is_refused_by_the_client_before_sending() -> None:
    big = make_result("alice", "queue", {}, {"blob": "x" * MAX_BODY_BYTES})
    with pytest.raises(ParameterError, match="65536"):
        encode(big)


def test_the_board_warns_when_it_listens_beyond_loopback() -> None:
    """On loopback: URL and token, no warning. On another address: a warning that the network
    can reach it, and the TIPSIM_ALLOW_HOSTS line attendees need."""
    lines: list[str] = []
    announce(BoardAddress("127.0.0.1", 8765), "tok", Path("b.db"), lines.append)
    assert not any("WARNING" in line for line in lines)
    assert any("http://127.0.0.1:8765/?token=tok" in line for line in lines)
    lines.clear()
    announce(BoardAddress("10.0.0.5", 8765), "tok", Path("b.db"), lines.append)
    assert "WARNING" in lines[0] and "TIPSIM_ALLOW_HOSTS=10.0.0.5" in lines[0]
    assert any("--share http://10.0.0.5:8765 --token tok" in line for line in lines)


def test_the_board_page_names_key_metrics_for_every_scenario_tipsim_run_knows() -> None:
    """A scenario added to the registry gets its own first metrics on the board (else the
    page falls back to every number in alphabetical order)."""
    from tipsim.board.page import KEY_METRICS
    from tipsim.scenarios import SCENARIOS

    assert set(KEY_METRICS) == set(SCENARIOS)
