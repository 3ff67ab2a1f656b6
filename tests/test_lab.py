"""`make lab`'s launcher: a 127.0.0.1 JupyterLab URL with a token, the emulator answering, and
both gone after Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tipsim.emulator.embedded import free_loopback_port
from tipsim.emulator.probe import port_open, probe

pytestmark = pytest.mark.slow


def _start_lab(tmp_path: Path, lab_port: int, emu_port: int) -> subprocess.Popen[str]:
    """``python -m tipsim.lab`` on the given ports, with state and Jupyter dirs in tmp_path."""
    env = dict(os.environ, TIPSIM_STATE_DIR=str(tmp_path / "state"), PYTHONUNBUFFERED="1",
               JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    return subprocess.Popen(
        [sys.executable, "-m", "tipsim.lab", "--port", str(lab_port), "--emulator-port",
         str(emu_port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)


def test_lab_prints_a_loopback_url_and_ctrl_c_stops_lab_and_emulator(tmp_path: Path) -> None:
    lab_port, emu_port = free_loopback_port(), free_loopback_port()
    proc = _start_lab(tmp_path, lab_port, emu_port)
    url = None
    t0 = time.monotonic()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            m = re.search(r"(http://\S+/lab\?token=\w+)", line)
            if m:
                url = m.group(1)
                break
        elapsed_s = time.monotonic() - t0
        assert url is not None, "no URL printed"
        assert url.startswith(f"http://127.0.0.1:{lab_port}/lab?token=")
        assert elapsed_s < 60
        assert port_open("127.0.0.1", lab_port)
        assert probe(f"http://127.0.0.1:{emu_port}").kind == "tipsim"
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert not port_open("127.0.0.1", lab_port, 0.5)
    assert not port_open("127.0.0.1", emu_port, 0.5)
    assert "stopped the emulator" in out


def test_the_ready_message_names_only_what_ctrl_c_stops() -> None:
    """Ctrl-C stops an emulator only if this launcher started it; the message says so."""
    from tipsim.lab import EXISTING, NONE, STARTED, ctrl_c_line

    assert ctrl_c_line(STARTED, 4566) == ("Press Ctrl-C to stop JupyterLab and the emulator "
                                          "it started.")
    assert "127.0.0.1:4566 was running before and keeps running" in ctrl_c_line(EXISTING, 4566)
    assert ctrl_c_line(NONE, 4566) == "Press Ctrl-C to stop JupyterLab."


def test_lab_with_the_emulator_port_held_by_another_program_starts_no_emulator(
        tmp_path: Path) -> None:
    """The port is held by a plain HTTP server: lab says so, starts no emulator, never says
    Ctrl-C stops "the emulator", and leaves that server alone."""
    import http.server
    import threading

    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    emu_port, lab_port = int(httpd.server_address[1]), free_loopback_port()
    proc = _start_lab(tmp_path, lab_port, emu_port)
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if "Press Ctrl-C" in line:
                break
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        out, _ = proc.communicate(timeout=60)
        httpd.shutdown()
        httpd.server_close()
    text = "".join(seen) + out
    assert proc.returncode == 0, text
    assert f"port {emu_port} on 127.0.0.1 is held by something that is not an AWS emulator" \
        in text
    assert "no shared emulator: each notebook starts its own" in text
    assert "[tipsim] Press Ctrl-C to stop JupyterLab.\n" in text
    assert "the emulator" not in text.split("Press Ctrl-C", 1)[1]
    assert not list((tmp_path / "state").glob("*.json"))  # nothing started
