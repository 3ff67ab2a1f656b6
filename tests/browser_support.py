"""Real-browser fixtures: Voilà and JupyterLab on free loopback ports, driven by Playwright in Debian's Chromium.

Jupyter's config, data and runtime dirs are isolated in a temp dir. Servers are started in
their own process group and stopped by pid. Waits are on states (a port accepting
connections, chart data present, kernel idle), never fixed sleeps.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tipsim.lab import jupyter_env as kit_jupyter_env

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SERVER_START_TIMEOUT_S = 90.0


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen, timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port} in {timeout_s} s:\n{log.read_text()[-3000:]}")


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group we created; by pid
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment with Jupyter dirs in a temp dir (nothing of the user's is read or written)."""
    root = tmp_path_factory.mktemp("jupyter")
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        path = root / var.lower()
        path.mkdir()
        env[var] = str(path)
    # Notebooks' kernels get an emulator of their own (nothing listens on this port).
    env["LOCALSTACK_HOST"] = f"127.0.0.1:{_free_port()}"
    env["PYTHONUNBUFFERED"] = "1"
    env["TIPSIM_CACHE_DIR"] = str(root / "cache")  # sweeps computed afresh, nothing kept
    return env


def _start(cmd: list[str], port: int, env: dict[str, str], log: Path, url: str) -> Server:
    fh = log.open("w")
    proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT,  # noqa: S603
                            stdin=subprocess.DEVNULL, cwd=NOTEBOOKS, start_new_session=True)
    server = Server(url, proc, log)
    try:
        _wait_port(port, proc, SERVER_START_TIMEOUT_S, log)
    except Exception:
        server.stop()
        raise
    return server


@pytest.fixture
def voila(jupyter_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Serve one notebook with Voilà; returns a function notebook name -> URL."""
    servers: list[Server] = []

    def serve(notebook: str) -> str:
        port = _free_port()
        cmd = [sys.executable, "-m", "voila", str(NOTEBOOKS / notebook), "--no-browser",
               f"--port={port}", "--Voila.ip=127.0.0.1", "--ServerApp.port_retries=0"]
        # As `make lab` runs Jupyter: the kit's Voila template (no CDN) and config.
        server = _start(cmd, port, kit_jupyter_env(jupyter_env), tmp_path / f"voila-{port}.log",
                        f"http://127.0.0.1:{port}/")
        servers.append(server)
        return server.url

    yield serve
    for s in servers:
        s.stop()


@pytest.fixture
def jupyterlab(jupyter_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A JupyterLab server on notebooks/ (a copy, so runs leave no outputs); yields base URL with token."""
    work = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns("*.py", ".ipynb_checkpoints"))
    port, token = _free_port(), secrets.token_hex(8)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0", f"--ServerApp.root_dir={work}",
           f"--IdentityProvider.token={token}", "--allow-root",
           "--LabApp.news_url=", "--LabApp.collaborative=False"]
    server = _start(cmd, port, kit_jupyter_env(jupyter_env), tmp_path / "lab.log",
                    f"http://127.0.0.1:{port}")
    try:
        yield f"{server.url}|{token}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (skipped with the reason when missing)."""
    path = chromium_path()
    if path is None:
        pytest.skip("chromium not installed (make test installs it with apt-get when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    # Shown by pytest only when a test fails: what the page said, and its kernel connection.
    errors: list[str] = []
    pg.tipsim_console_errors = errors  # type: ignore[attr-defined]

    def _console(m: object) -> None:
        if m.type in ("error", "warning"):  # type: ignore[attr-defined]
            print(f"[console {m.type}] {m.text[:300]}")  # type: ignore[attr-defined]
        if m.type == "error":  # type: ignore[attr-defined]
            errors.append(m.text)  # type: ignore[attr-defined]

    pg.on("console", _console)
    pg.on("websocket", lambda ws: (print(f"[websocket open] {ws.url[:80]}"),
                                   ws.on("close", lambda _ws: print("[websocket closed]"))))
    try:
        yield pg
    finally:
        context.close()


# --- helpers used by the browser tests --------------------------------------------------------
_PLOTS = "(scope) => Array.from(document.querySelectorAll((scope ? scope + ' ' : '') + '.js-plotly-plot'))"
PLOT_DATA_JS = f"""([idx, scope]) => {{
  const plots = ({_PLOTS})(scope);
  if (plots.length <= idx || !plots[idx].data || plots[idx].data.length === 0) return null;
  return JSON.stringify(plots[idx].data.map(t => [t.x, t.y, t.cells ? t.cells.values : null]));
}}"""


def plot_data(page: object, index: int = 0, scope: str = "") -> str | None:
    """The data of the index-th plotly chart (inside ``scope``, a CSS selector), as JSON;
    None while it is not rendered."""
    return page.evaluate(PLOT_DATA_JS, [index, scope])  # type: ignore[attr-defined]


def wait_plot_data(page: object, index: int = 0, scope: str = "",
                   timeout_ms: int = 120_000) -> str:
    """Wait until the chart has data (the kernel ran and the widget rendered); return it."""
    page.wait_for_function(f"(a) => ({PLOT_DATA_JS})(a) !== null",  # type: ignore[attr-defined]
                           arg=[index, scope], timeout=timeout_ms)
    data = plot_data(page, index, scope)
    assert data is not None
    return data


def wait_plot_change(page: object, before: str, index: int = 0, scope: str = "",
                     timeout_ms: int = 120_000) -> str:
    """Wait until the chart's data differs from ``before``; return the new data."""
    page.wait_for_function(  # type: ignore[attr-defined]
        f"([a, before]) => {{ const d = ({PLOT_DATA_JS})(a); return d !== null && d !== before; }}",
        arg=[[index, scope], before], timeout=timeout_ms)
    data = plot_data(page, index, scope)
    assert data is not None
    return data


def open_rendered(page: object, url: str, *, index: int, scope: str,
                  timeout_ms: int = 120_000) -> str:
    """Open a Voila page, wait for its checks line and for the chart to have data.

    No reload. A panel that never renders is a bug a learner would see: the one seen here
    ("Error displaying widget: model not found", about 1 load in 5 on a busy 2-core machine)
    was jupyterlab_widgets 3.0.17's 2 s wait for a model giving up for good when the kernel's
    widget state arrived during its last 100 ms sleep; pyproject.toml keeps it below 3.0.17.
    """
    page.goto(url, wait_until="commit")  # type: ignore[attr-defined]
    wait_notebook_done(page)
    return wait_plot_data(page, index=index, scope=scope, timeout_ms=timeout_ms)


def open_and_change(page: object, url: str, action: Callable[[], None], *, index: int,
                    scope: str, timeout_ms: int = 120_000) -> tuple[str, str]:
    """Open a Voila page, wait until every cell ran and the chart has data, do ``action``
    once, and wait until the chart's data changes; returns (before, after).

    No retries and no reload: a chart that does not answer one action is the bug these
    tests exist to catch (plotly ``FigureWidget``s in Voila used to miss updates; see
    ``tipsim/widgets/live_figure.py``). Each step waits on a state, never a sleep.
    """
    # Voila fires "load" only once every cell has run (a slow notebook on a busy laptop
    # takes longer than the default 60 s): wait for the first bytes, then for the checks.
    before = open_rendered(page, url, index=index, scope=scope, timeout_ms=timeout_ms)
    page.locator(scope).first.scroll_into_view_if_needed()  # type: ignore[attr-defined]
    action()
    after = wait_plot_change(page, before, index=index, scope=scope, timeout_ms=timeout_ms)
    return before, after


def wait_notebook_done(page: object, timeout_ms: int = 240_000) -> None:
    """Wait until the notebook's last cell (its checks) printed its success line.

    Voila renders outputs as cells finish, so a chart can be on screen while later cells
    still run; a widget change sent then waits in the kernel's queue. Interact only after
    this: the kernel is then idle.
    """
    import re

    page.get_by_text(re.compile(r"all checks passed", re.I)).first.wait_for(  # type: ignore[attr-defined]
        timeout=timeout_ms)


def nudge_slider(page: object, css_class: str, presses: int = 5, key: str = "ArrowRight") -> None:
    """Move an ipywidgets slider (found by its CSS class) with the keyboard, as a user can."""
    handle = page.locator(f".{css_class} .noUi-handle").first  # type: ignore[attr-defined]
    handle.focus()
    for _ in range(presses):
        handle.press(key)


def click_toggle(page: object, css_class: str, label: str) -> None:
    """Click one option of an ipywidgets ToggleButtons (found by its CSS class)."""
    page.locator(f".{css_class} button", has_text=label).first.click()  # type: ignore[attr-defined]
