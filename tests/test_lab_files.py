"""`make lab`'s Jupyter files: the file browser hides the notebooks' .py twins, and Voila
(standalone, or inside JupyterLab) uses the kit's template, which links nothing from a CDN."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tipsim.emulator.embedded import free_loopback_port
from tipsim.emulator.probe import port_open
from tipsim.lab import JUPYTER_FILES, REPO, jupyter_env


def test_the_kit_files_come_first_on_jupyters_paths() -> None:
    env = jupyter_env({"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(JUPYTER_FILES / "share"), "/elsewhere"]
    assert env["JUPYTER_CONFIG_PATH"] == str(JUPYTER_FILES / "config")
    voila = json.loads((JUPYTER_FILES / "config" / "voila.json").read_text())
    template = voila["VoilaConfiguration"]["template"]
    assert (JUPYTER_FILES / "share" / "voila" / "templates" / template / "index.html.j2").exists()


def test_hidden_globs_keep_jupyter_servers_defaults_and_add_the_py_twins() -> None:
    from jupyter_server.services.contents.filemanager import FileContentsManager

    cfg = json.loads((JUPYTER_FILES / "config" / "jupyter_server_config.json").read_text())
    globs = cfg["ContentsManager"]["hide_globs"]
    assert set(FileContentsManager().hide_globs) | {"*.py"} == set(globs)


@pytest.mark.slow
def test_the_file_browser_hides_the_py_twins_and_voila_links_no_cdn(tmp_path: Path) -> None:
    """A Jupyter server started as `make lab` starts it lists the notebooks without their
    .py twins, and its Voila route serves a page head with no CDN link."""
    port, token = free_loopback_port(), secrets.token_hex(8)
    env = jupyter_env(dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
                           JUPYTER_DATA_DIR=str(tmp_path / "data"),
                           JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"), IPYTHONDIR=str(tmp_path)))
    cmd = [sys.executable, "-m", "jupyter", "server", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={REPO / 'notebooks'}", "--allow-root"]
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not port_open("127.0.0.1", port, 0.3):
            assert proc.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "server.log").read_text()[-2000:]
            time.sleep(0.2)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/api/contents/?token={token}", timeout=30) as r:
            names = {item["name"] for item in json.load(r)["content"]}
        assert "00_start_here.ipynb" in names and (REPO / "notebooks" / "00_start_here.py").exists()
        assert not {n for n in names if n.endswith(".py")}, names
        with urllib.request.urlopen(f"{base}/voila/render/00_start_here.ipynb?token={token}",
                                    timeout=120) as r:
            head = r.read(200_000).decode("utf-8", "replace")
        assert "<html" in head.lower() and "cdn.jsdelivr.net" not in head
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the group this test started, by pid
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
