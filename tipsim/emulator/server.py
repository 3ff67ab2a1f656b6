"""The shared embedded emulator: one moto server in a background process.

``tipsim emulator start`` runs it on 127.0.0.1:4566 (LocalStack's port), so that
several notebooks see the same state, as they would with LocalStack.

The kit knows its own emulator by two things it controls, never by a route a moto
backend serves:

* its health route (``/_tipsim/health``, :mod:`tipsim.emulator.health_route`), which
  answers ``role: shared`` and the server's pid before any backend is asked;
* its state file (pid, process start time, port, version) in ``TIPSIM_STATE_DIR``
  (default ``~/.cache/tipsim``), checked against the running process with psutil: the
  pid runs ``python -m tipsim.emulator.serve --port PORT``, started at the recorded time
  (so a reused pid is not taken for it), and listens on the port. That alone recognises
  it when it is too busy to answer the route in time.

``stop`` ends exactly that process, by pid.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

from tipsim.emulator import processes
from tipsim.emulator.embedded import moto_version
from tipsim.emulator.guard import check_endpoint, is_loopback
from tipsim.emulator.health_route import HEALTH_PATH
from tipsim.emulator.probe import (
    IDENTIFY_TIMEOUT_S,
    PROBE_TIMEOUT_S,
    ProbeResult,
    probe,
    read_kit_health,
)
from tipsim.errors import EmulatorError

DEFAULT_PORT = 4566
SERVE_MODULE = "tipsim.emulator.serve"
START_TIMEOUT_S = 30.0


def state_dir() -> Path:
    """Where pid and log files live."""
    return Path(os.environ.get("TIPSIM_STATE_DIR", Path.home() / ".cache" / "tipsim"))


def state_file(port: int) -> Path:
    return state_dir() / f"emulator-{port}.json"


def is_serve_process(pid: int, port: int, create_time: float | None = None) -> bool:
    """True if ``pid`` runs the kit's shared emulator for ``port`` (and, when given,
    started at ``create_time``: a pid reused by another program is not taken for it)."""
    if pid <= 0 or processes.pid_gone(pid):
        return False
    try:
        proc = psutil.Process(pid)
        cmdline = proc.cmdline()
        if create_time is not None and abs(proc.create_time() - create_time) > 1.0:
            return False
    except psutil.AccessDenied:
        return True  # another user's process we may not inspect: trust the pid file
    except psutil.Error:
        return False
    return any(cmdline[i:i + 4] == ["-m", SERVE_MODULE, "--port", str(port)]
               for i in range(len(cmdline)))


def read_state(port: int) -> dict[str, Any] | None:
    """The state of the emulator the kit started on ``port``, if its process still runs."""
    path = state_file(port)
    try:
        state = json.loads(path.read_text())
        pid, created = int(state.get("pid", 0)), state.get("create_time")
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    if not is_serve_process(pid, port, float(created) if created else None):
        path.unlink(missing_ok=True)
        return None
    return dict(state)


def recognise(endpoint_url: str, timeout_s: float = PROBE_TIMEOUT_S,
              identify_timeout_s: float = IDENTIFY_TIMEOUT_S) -> ProbeResult:
    """What answers at ``endpoint_url``, knowing the kit's own emulator by its state file
    and its health route.

    On a loopback port whose state file names a live ``tipsim.emulator.serve`` for that
    port, holding the listening socket, the answer is the kit's emulator: with its health
    document when the route answers within ``identify_timeout_s``, else from the state
    file, with a note that it did not answer in time. Anywhere else,
    :func:`~tipsim.emulator.probe.probe` asks over HTTP.
    """
    url = check_endpoint(endpoint_url).rstrip("/")
    parts = urlsplit(url)
    state = (read_state(parts.port) if parts.port and is_loopback(parts.hostname or "")
             else None)
    if state is None or not processes.listens_on(int(state["pid"]), int(parts.port or 0)):
        return probe(url, timeout_s, identify_timeout_s)
    kit = read_kit_health(url, identify_timeout_s)
    if kit is not None:
        return ProbeResult(url, "tipsim", str(kit.get("moto_version", "")), identity=kit)
    identity = {"role": "shared", "pid": int(state["pid"]), "port": parts.port,
                "moto_version": state.get("version", ""),
                "started_at": state.get("started_at")}
    return ProbeResult(url, "tipsim", str(state.get("version", "")), identity=identity,
                       note=f"known by its state file and pid {state['pid']}; it did not "
                            f"answer {HEALTH_PATH} within {identify_timeout_s:g} s (busy?)")


def start(port: int = DEFAULT_PORT, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
    """Start the shared emulator on 127.0.0.1:``port``, or return what already answers.

    The result has ``kind`` (``"moto-server"``: the kit's; ``"localstack"``; ``"moto"``:
    a moto server the kit did not start), ``endpoint_url``, ``version``,
    ``already_running`` and, for the kit's, ``pid``.

    Raises
    ------
    EmulatorError
        When the port is held by something that is not an AWS emulator, or the
        server does not come up in ``timeout_s``.
    """
    url = f"http://127.0.0.1:{port}"
    found = recognise(url)
    if found.kind == "tipsim":
        state = read_state(port) or {"kind": "moto-server", "pid": found.pid, "port": port,
                                     "endpoint_url": url, "version": found.version}
        return {**state, "already_running": True}
    if found.kind in ("localstack", "moto"):
        return {"kind": found.kind, "endpoint_url": url, "version": found.version,
                "already_running": True}
    if found.kind != "none":
        raise EmulatorError(
            f"port {port} on 127.0.0.1 is held by something that is not an AWS emulator "
            f"(no answer on {HEALTH_PATH}, /_localstack/health or /moto-api/config). Stop "
            f"that program, or start the emulator on another port with `tipsim emulator "
            f"start --port {port + 1}` and set LOCALSTACK_HOST=127.0.0.1:{port + 1}."
        )
    state_dir().mkdir(parents=True, exist_ok=True)
    log_path = state_dir() / f"emulator-{port}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", SERVE_MODULE, "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal does not reach it; stop() does
        )
    state = {"kind": "moto-server", "pid": proc.pid, "port": port, "endpoint_url": url,
             "started_at": time.time(), "create_time": psutil.Process(proc.pid).create_time(),
             "version": moto_version(), "log": str(log_path)}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text()[-2000:]
            raise EmulatorError(f"the emulator on port {port} exited at start:\n{tail}")
        answered = probe(url, timeout_s=0.5)
        if answered.kind == "tipsim" and answered.pid == proc.pid:
            state_file(port).write_text(json.dumps(state))
            return {**state, "already_running": False}
        time.sleep(0.1)
    processes.stop_process(proc.pid, 5.0, popen=proc)
    raise EmulatorError(f"the emulator on port {port} did not answer within {timeout_s:.0f} s; "
                        f"see {log_path}")


def stop(port: int = DEFAULT_PORT, timeout_s: float = 10.0) -> bool:
    """Stop the emulator the kit started on ``port``, by its pid. False if none ran.

    The pid comes from the state file, or, when the emulator was started with another
    ``TIPSIM_STATE_DIR``, from its health route once psutil confirms that pid runs the
    kit's emulator for this port.
    """
    state = read_state(port)
    pid = int(state["pid"]) if state else None
    if pid is None:
        found = probe(f"http://127.0.0.1:{port}")
        if found.kind == "tipsim" and found.role == "shared" and found.pid \
                and is_serve_process(found.pid, port):
            pid = found.pid
    if pid is None:
        return False
    processes.stop_process(pid, timeout_s)
    state_file(port).unlink(missing_ok=True)
    return True
