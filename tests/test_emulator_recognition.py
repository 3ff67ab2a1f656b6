"""The kit knows its own emulator by what it controls, and never falls back silently.

moto's ``/moto-api/data.json`` answers HTTP 500 once a Lambda function exists (its Lambda
backend reaches for Docker, which this machine does not have; notebook 04's data-lake
stack creates one). Before, the kit identified moto by that route and then took its own
shared emulator for "something that is not an AWS emulator": status exited 1, new
processes fell back to a private emulator and planned the applied stack as new. Here a
real shared emulator is broken that way and must still be recognised, through its health
route (``/_tipsim/health``) and its state file and pid. Every server runs on a free
loopback port (never 4566) and is stopped by pid.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tipsim.emulator import connect, find, processes, reset_embedded, server
from tipsim.emulator.embedded import InProcessEmulator, free_loopback_port
from tipsim.emulator.health_route import HEALTH_PATH
from tipsim.emulator.probe import port_open, probe
from tipsim.emulator.session import EmulatorSession
from tipsim.emulator.status import status


def _tipsim(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tipsim", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _status_code(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - loopback
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def create_lambda_function(session: Any) -> None:
    """A Lambda function (and the role it needs), as the data-lake stack makes one."""
    role = session.client("iam").create_role(
        RoleName="tipsim-test-fn", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    session.client("lambda").create_function(
        FunctionName="tipsim-test-fn", Runtime="python3.11", Role=role,
        Handler="handler.handler", Code={"ZipFile": code.getvalue()})


@dataclass
class Shared:
    """A shared emulator started by ``tipsim emulator start`` for one test."""

    port: int
    pid: int
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Shared]:
    port = free_loopback_port()
    env = dict(os.environ, TIPSIM_STATE_DIR=str(tmp_path / "state"), PYTHONUNBUFFERED="1",
               LOCALSTACK_HOST=f"127.0.0.1:{port}")
    started = _tipsim("emulator", "start", "--port", str(port), env=env)
    assert started.returncode == 0, started.stdout + started.stderr
    state = json.loads((tmp_path / "state" / f"emulator-{port}.json").read_text())
    try:
        yield Shared(port, int(state["pid"]), env)
    finally:
        if not processes.pid_gone(state["pid"]):
            os.kill(state["pid"], signal.SIGCONT)  # a test may have paused it
        _tipsim("emulator", "stop", "--port", str(port), env=env)
        if not processes.pid_gone(state["pid"]):  # by pid, whatever the stop command did
            processes.stop_process(state["pid"], 5.0)


@pytest.mark.slow
def test_a_shared_emulator_whose_data_json_fails_is_still_recognised_and_shared(
        shared: Shared) -> None:
    """After the data-lake stack (a Lambda function) breaks moto's data.json: status exits
    0 and names the kit's emulator, a new process plans the applied stack as unchanged
    without a fallback line, the doctor finds it, and a second start reuses it."""
    applied = _tipsim("infra", "apply", "--stack", "datalake", env=shared.env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert _status_code(f"{shared.url}/moto-api/data.json") == 500  # the bug's trigger

    status_run = _tipsim("emulator", "status", "--port", str(shared.port), "--json",
                         env=shared.env)
    assert status_run.returncode == 0, status_run.stdout + status_run.stderr
    info = json.loads(status_run.stdout)
    assert info["name"].startswith("tipsim's shared emulator") and info["pid"] == shared.pid
    assert info["kind"] == "moto-server (tipsim shared)" and info["resources"]["lambda"] == 1

    plan = _tipsim("infra", "plan", "--stack", "datalake", "--json", env=shared.env)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    summary = json.loads(plan.stdout)["summary"]
    assert summary["create"] == 0 and summary["replace"] == 0, summary
    assert not [line for line in plan.stderr.splitlines() if line.startswith("tipsim:")]

    again = _tipsim("emulator", "start", "--port", str(shared.port), env=shared.env)
    assert again.returncode == 0 and f"already running at {shared.url} (pid {shared.pid})" \
        in again.stdout

    doctor = _tipsim("doctor", "--json", env=shared.env)
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["aws emulator"]["detail"] == (
        f"shared moto server {info['version']} at {shared.url} (started by tipsim, "
        f"pid {shared.pid})")
    assert "shared emulator" not in checks  # no warning that none answers


def test_a_paused_shared_emulator_is_known_by_its_state_file_and_pid(
        shared: Shared, monkeypatch: pytest.MonkeyPatch) -> None:
    """Too busy to answer its route (here: paused with SIGSTOP), it is still the kit's:
    recognised through the state file, the pid's command line and the socket it holds."""
    monkeypatch.setenv("TIPSIM_STATE_DIR", shared.env["TIPSIM_STATE_DIR"])
    monkeypatch.setenv("LOCALSTACK_HOST", f"127.0.0.1:{shared.port}")
    os.kill(shared.pid, signal.SIGSTOP)
    try:
        assert probe(shared.url, identify_timeout_s=0.5).kind == "other"  # HTTP cannot tell
        found = server.recognise(shared.url, identify_timeout_s=0.5)
        assert found.kind == "tipsim" and found.pid == shared.pid
        assert "state file" in found.note
        info = find(allow_embedded=False)
        assert info.kind == "moto-server" and info.shared and info.pid == shared.pid
        assert server.start(shared.port)["already_running"]
    finally:
        os.kill(shared.pid, signal.SIGCONT)


def test_stop_finds_the_pid_through_the_route_when_the_state_file_is_elsewhere(
        shared: Shared, tmp_path: Path) -> None:
    """Started with one TIPSIM_STATE_DIR, stopped with another: the route's pid is used
    once psutil confirms it runs the kit's emulator for that port."""
    other = dict(shared.env, TIPSIM_STATE_DIR=str(tmp_path / "elsewhere"))
    status_run = _tipsim("emulator", "status", "--port", str(shared.port), "--json", env=other)
    assert json.loads(status_run.stdout)["state_file"].startswith("none in ")
    stopped = _tipsim("emulator", "stop", "--port", str(shared.port), env=other)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert processes.pid_gone(shared.pid) and not port_open("127.0.0.1", shared.port, 0.5)


def test_the_health_route_answers_before_moto_even_once_data_json_fails() -> None:
    """The route is answered in front of moto's backends: a Lambda function (which breaks
    data.json) leaves it unchanged, and every other request still reaches moto."""
    emu = InProcessEmulator()
    try:
        session = EmulatorSession(emu.endpoint_url)
        create_lambda_function(session)
        assert _status_code(f"{emu.endpoint_url}/moto-api/data.json") == 500
        with urllib.request.urlopen(f"{emu.endpoint_url}{HEALTH_PATH}",  # noqa: S310
                                    timeout=10) as resp:
            doc = json.loads(resp.read())
        assert doc["emulator"] == "tipsim" and doc["role"] == "embedded"
        assert doc["pid"] == os.getpid() and doc["port"] == emu.port
        found = probe(emu.endpoint_url)
        assert found.kind == "tipsim" and found.pid == os.getpid()
        fns = session.client("lambda").list_functions()["Functions"]
        assert [f["FunctionName"] for f in fns] == ["tipsim-test-fn"]
        out = session.client("lambda").invoke(FunctionName="tipsim-test-fn", Payload=b"{}")
        assert out["StatusCode"] == 200  # use_docker false: no Docker asked
    finally:
        emu.stop()
    assert not port_open("127.0.0.1", emu.port, 0.5)


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    """A loopback port held by an HTTP server that is not an AWS emulator."""
    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


def _fallback_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("tipsim:")]


def test_falling_back_because_the_port_is_held_says_so_in_one_line(
        plain_http_port: int, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LOCALSTACK_HOST", f"127.0.0.1:{plain_http_port}")
    try:
        session = connect()
        assert session.info.kind == "embedded"
        (line,) = _fallback_lines(capsys)
        assert f"127.0.0.1:{plain_http_port} (LOCALSTACK_HOST) is held by something that is " \
               "not an AWS emulator: using embedded moto" in line
        assert session.endpoint_url in line and "not seen by other notebooks" in line
        connect()
        assert _fallback_lines(capsys) == []  # once per process and endpoint
    finally:
        reset_embedded()
    assert status(plain_http_port)["kind"] == "other"


def test_falling_back_because_nothing_answers_says_so_in_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_loopback_port()
    monkeypatch.setenv("LOCALSTACK_HOST", f"127.0.0.1:{port}")
    try:
        session = connect()
        (line,) = _fallback_lines(capsys)
        assert line.startswith(f"tipsim: nothing answers at http://127.0.0.1:{port} "
                               f"(LOCALSTACK_HOST): using embedded moto")
        assert session.endpoint_url in line
    finally:
        reset_embedded()


@pytest.mark.infra
def test_the_shared_emulator_is_used_without_a_word(
        emulator: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The run's emulator answers at LOCALSTACK_HOST: no line on stderr."""
    session = connect()
    assert session.endpoint_url == emulator.endpoint_url and session.info.shared
    assert _fallback_lines(capsys) == []


def test_a_moto_server_tipsim_did_not_start_is_used_and_named_as_such(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Plain moto (no kit route) is recognised by ``/moto-api/config``, even after a Lambda
    function broke its data.json, and said to be someone else's."""
    from moto.server import ThreadedMotoServer

    port = free_loopback_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        url = f"http://127.0.0.1:{port}"
        create_lambda_function(EmulatorSession(url))
        assert _status_code(f"{url}/moto-api/data.json") == 500
        monkeypatch.setenv("LOCALSTACK_HOST", f"127.0.0.1:{port}")
        info = find(allow_embedded=False)
        assert info.kind == "moto-server" and not info.by_kit and info.shared
        assert info.describe() == f"shared moto server at {url} (not started by tipsim)"
        assert status(port)["kind"] == "moto-server (not started by tipsim)"
        assert server.start(port) == {"kind": "moto", "endpoint_url": url, "version": "",
                                      "already_running": True}
        connect()
        assert _fallback_lines(capsys) == []
    finally:
        moto.stop()
