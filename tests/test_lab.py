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


def test_lab_prints_a_loopback_url_and_ctrl_c_stops_lab_and_emulator(tmp_path: Path) -> None:
    lab_port, emu_port = free_loopback_port(), free_loopback_port()
    env = dict(os.environ, TIPSIM_STATE_DIR=str(tmp_path / "state"), PYTHONUNBUFFERED="1",
               JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tipsim.lab", "--port", str(lab_port), "--emulator-port",
         str(emu_port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
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
        assert probe(f"http://127.0.0.1:{emu_port}").kind == "moto"
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert not port_open("127.0.0.1", lab_port, 0.5)
    assert not port_open("127.0.0.1", emu_port, 0.5)
    assert "stopped the emulator" in out
