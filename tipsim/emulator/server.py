"""The shared embedded emulator: one moto server in a background process.

``tipsim emulator start`` runs it on 127.0.0.1:4566 (LocalStack's port), so that
several notebooks see the same state, as they would with LocalStack. A state file
(pid, port, start time, version) in ``TIPSIM_STATE_DIR`` (default
``~/.cache/tipsim``) lets ``stop`` end exactly that process, by pid.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from tipsim.emulator import processes
from tipsim.emulator.embedded import moto_version
from tipsim.emulator.probe import probe
from tipsim.errors import EmulatorError

DEFAULT_PORT = 4566
SERVE_MODULE = "tipsim.emulator.serve"
START_TIMEOUT_S = 30.0


def state_dir() -> Path:
    """Where pid and log files live."""
    return Path(os.environ.get("TIPSIM_STATE_DIR", Path.home() / ".cache" / "tipsim"))


def state_file(port: int) -> Path:
    return state_dir() / f"emulator-{port}.json"


def read_state(port: int) -> dict[str, Any] | None:
    """The state of the emulator the kit started on ``port``, if its process still runs."""
    path = state_file(port)
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not _is_our_process(int(state.get("pid", 0))):
        path.unlink(missing_ok=True)
        return None
    return state


def _is_our_process(pid: int) -> bool:
    """True if ``pid`` runs and is a tipsim emulator (guards against pid reuse)."""
    if pid <= 0 or processes.pid_gone(pid):
        return False
    try:
        return SERVE_MODULE in psutil.Process(pid).cmdline()
    except psutil.AccessDenied:
        return True  # another user's process we may not inspect: trust the pid file
    except psutil.Error:
        return False


def start(port: int = DEFAULT_PORT, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
    """Start the shared emulator on 127.0.0.1:``port``, or return the one already running.

    Raises
    ------
    EmulatorError
        When the port is held by something that is not an AWS emulator, or the
        server does not come up in ``timeout_s``.
    """
    url = f"http://127.0.0.1:{port}"
    state = read_state(port)
    found = probe(url)
    if state and found.kind == "moto":
        return {**state, "already_running": True}
    if found.kind == "localstack":
        return {"kind": "localstack", "endpoint_url": url, "version": found.version,
                "already_running": True}
    if found.kind != "none":
        raise EmulatorError(
            f"port {port} on 127.0.0.1 is held by something that is not a tipsim emulator "
            f"({found.kind}). Stop that program, or start the emulator on another port with "
            f"`tipsim emulator start --port {port + 1}` and set LOCALSTACK_HOST=127.0.0.1:{port + 1}."
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
             "started_at": time.time(), "version": moto_version(), "log": str(log_path)}
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text()[-2000:]
            raise EmulatorError(f"the emulator on port {port} exited at start:\n{tail}")
        if probe(url, timeout_s=0.5).kind == "moto":
            state_file(port).write_text(json.dumps(state))
            return {**state, "already_running": False}
        time.sleep(0.1)
    processes.stop_process(proc.pid, 5.0, popen=proc)
    raise EmulatorError(f"the emulator on port {port} did not answer within {timeout_s:.0f} s; "
                        f"see {log_path}")


def stop(port: int = DEFAULT_PORT, timeout_s: float = 10.0) -> bool:
    """Stop the emulator the kit started on ``port`` (by its pid). False if none ran."""
    state = read_state(port)
    if not state:
        return False
    processes.stop_process(int(state["pid"]), timeout_s)
    state_file(port).unlink(missing_ok=True)
    return True
