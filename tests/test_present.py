"""`make present`: one server with every notebook as a Voilà dashboard and a landing page of the
scenarios, on 127.0.0.1 with a token, stopped by pid."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tipsim.emulator.embedded import free_loopback_port
from tipsim.emulator.probe import port_open
from tipsim.present import NOTEBOOKS, dashboards, landing_html

START_TIMEOUT_S = 180.0


def test_the_landing_page_has_one_line_per_notebook_titled_by_its_heading(tmp_path: Path) -> None:
    for name, heading in (("01_b.ipynb", "# 01 · <Toggles> & images"), ("00_a.ipynb", "# 00 · Start")):
        cells = [{"cell_type": "code", "source": ["x = 1"]},
                 {"cell_type": "markdown", "source": [heading + "\n", "\n", "text"]}]
        (tmp_path / name).write_text(json.dumps({"cells": cells}))
    (tmp_path / "scratch.ipynb").write_text(json.dumps({"cells": []}))  # not a numbered notebook
    items = dashboards(tmp_path)
    assert [(d.path, d.title) for d in items] == [("00_a.ipynb", "00 · Start"),
                                                  ("01_b.ipynb", "01 · <Toggles> & images")]
    page = landing_html(items, "/base/")
    assert '<a href="/base/voila/render/01_b.ipynb">01 · &lt;Toggles&gt; &amp; images</a>' in page
    assert page.count("<li>") == 2


@pytest.mark.slow
def test_make_present_serves_the_landing_page_and_a_dashboard_on_loopback(tmp_path: Path) -> None:
    """The launcher prints a 127.0.0.1 URL with a token; the landing page lists every notebook
    (one line each, linking its dashboard) and needs the token; a dashboard renders; SIGTERM to
    the launcher's pid stops the server."""
    port = free_loopback_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1", TIPSIM_STATE_DIR=str(tmp_path / "state"))
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[var] = str(tmp_path / var.lower())
    proc = subprocess.Popen([sys.executable, "-m", "tipsim.present", "--port", str(port)],  # noqa: S603
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),  # type: ignore[union-attr]
                              daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        url = None
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            url = next((m.group(1) for m in map(re.compile(r"Open: (\S+)").search, list(lines))
                        if m), None)
            time.sleep(0.1)
        assert url, "".join(lines)[-3000:]
        assert url.startswith(f"http://127.0.0.1:{port}/tipsim?token=")

        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPCookieProcessor(
                                                 http.cookiejar.CookieJar()))
        anonymous = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with anonymous.open(f"http://127.0.0.1:{port}/tipsim", timeout=60) as resp:
            assert "/login" in resp.url  # no token: sent to the login page, no list
            assert "voila/render" not in resp.read().decode()
        with opener.open(url, timeout=60) as resp:
            page = resp.read().decode()
        expected = dashboards(NOTEBOOKS)
        assert len(expected) >= 5
        items = re.findall(r'<li><a href="/voila/render/([^"]+)">([^<]+)</a></li>', page)
        assert [p for p, _ in items] == [d.path for d in expected]
        assert all(title.strip() for _, title in items)

        with opener.open(f"http://127.0.0.1:{port}/voila/render/{expected[0].path}",
                         timeout=170) as resp:
            dashboard = resp.read().decode()
        assert resp.status == 200 and "Start here" in dashboard
        assert "cdn.jsdelivr.net" not in dashboard  # the kit's Voila template: works offline
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)  # the launcher, by pid; it stops its server
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(5)
    assert not port_open("127.0.0.1", port, 0.5), "".join(lines)[-2000:]
    assert "presenter mode stopped" in "".join(lines)
