"""``make lab``: make sure an AWS emulator answers, then run JupyterLab on ``notebooks/``.

JupyterLab binds to 127.0.0.1 with a fresh token and the URL is printed as soon as it
answers. Ctrl-C stops JupyterLab and the emulator this launcher started (an emulator or
LocalStack that was already running is left alone, and the ready message says so).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tipsim.emulator import processes
from tipsim.emulator.embedded import free_loopback_port
from tipsim.emulator.probe import port_open
from tipsim.errors import TipsimError

REPO = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 120.0
JUPYTER_FILES = Path(__file__).resolve().parent / "jupyter_files"
"""The kit's Jupyter files: ``share/`` (Voila's "tipsim" template) and ``config/`` (Voila's
default template; the file browser's hidden files)."""


def jupyter_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with the kit's Jupyter files first on Jupyter's search paths.

    * ``JUPYTER_PATH`` finds Voila's "tipsim" template: Voila's lab template without the
      Font Awesome links to a public CDN (Voila's bundle carries the icons), so Voila pages,
      in JupyterLab or standalone, load with no internet;
    * ``JUPYTER_CONFIG_PATH`` makes it Voila's default (``voila.json``, which also keeps
      the jupytext extension, built for JupyterLab and failing to load in Voila's page, out
      of Voila pages) and hides the notebooks' jupytext ``.py`` twins from the file browser
      (``jupyter_server_config.json``: ``ContentsManager.hide_globs`` with ``*.py`` added to
      jupyter_server's defaults; the files stay in git and on disk).
    """
    out = dict(env)
    for var, path in (("JUPYTER_PATH", JUPYTER_FILES / "share"),
                      ("JUPYTER_CONFIG_PATH", JUPYTER_FILES / "config")):
        out[var] = os.pathsep.join([str(path), *filter(None, [out.get(var, "")])])
    return out


STARTED, EXISTING, NONE = "started", "existing", "none"  # what became of the emulator


def _ensure_emulator(port: int) -> str:
    """Start the shared emulator unless one answers; say which. Returns :data:`STARTED`,
    :data:`EXISTING` (one answered already) or :data:`NONE` (the port is held by
    something that is not an AWS emulator: notebooks fall back to their own)."""
    from tipsim.emulator import server
    from tipsim.emulator.status import describe_kit_emulator

    where = f"127.0.0.1:{port}"
    found = server.recognise(f"http://{where}")
    if found.kind == "localstack":
        print(f"[tipsim] LocalStack {found.version} answers on {where}: using it.")
        return EXISTING
    if found.kind == "tipsim":
        print(f"[tipsim] {describe_kit_emulator(found)} already answers on {where}: "
              "using it.")
        return EXISTING
    if found.kind == "moto":
        print(f"[tipsim] a moto server that tipsim did not start answers on {where}: "
              "using it.")
        return EXISTING
    try:
        state = server.start(port)
    except TipsimError as exc:
        print(f"[tipsim] {exc}\n[tipsim] no shared emulator: each notebook starts its own "
              "inside its kernel, and they do not see each other's resources.")
        return NONE
    print(f"[tipsim] started the embedded AWS emulator (moto {state['version']}) on "
          f"{where}, pid {state['pid']}.")
    return STARTED


def ctrl_c_line(emulator: str, port: int) -> str:
    """What Ctrl-C will stop, as the ready message says it."""
    if emulator == STARTED:
        return "Press Ctrl-C to stop JupyterLab and the emulator it started."
    if emulator == EXISTING:
        return (f"Press Ctrl-C to stop JupyterLab (the emulator on 127.0.0.1:{port} was "
                "running before and keeps running).")
    return "Press Ctrl-C to stop JupyterLab."


def serve(cmd: list[str], env: Mapping[str, str], host: str, port: int, what: str,
          ready: Callable[[], None]) -> int:
    """Run a Jupyter server (``cmd``) until Ctrl-C or its exit; call ``ready`` once
    ``host:port`` answers. The server leads its own process group; it is stopped by its pid,
    with its kernels (its children). Returns 1 when it did not answer within
    :data:`READY_TIMEOUT_S`, else 0."""
    proc = subprocess.Popen(cmd, env=dict(env), start_new_session=True)  # noqa: S603
    stopping = False

    def _interrupt(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not stopping and not port_open(host, port, 0.3):
            if proc.poll() is not None or time.monotonic() > deadline:
                print(f"[tipsim] {what} did not start; see the messages above.")
                return 1
            time.sleep(0.2)
        if not stopping:
            ready()
        while not stopping and proc.poll() is None:
            time.sleep(0.3)
    finally:
        print(f"[tipsim] stopping {what}...", flush=True)
        processes.stop_process(proc.pid, 15.0, pgid=proc.pid, popen=proc)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tipsim.lab", description=__doc__)
    parser.add_argument("--port", type=int, default=8888, help="JupyterLab port (default 8888, "
                        "or a free one if taken)")
    parser.add_argument("--emulator-port", type=int, default=4566)
    args = parser.parse_args(argv)

    emulator = _ensure_emulator(args.emulator_port)

    port = args.port if not port_open("127.0.0.1", args.port, 0.3) else free_loopback_port()
    token = secrets.token_hex(16)
    env = jupyter_env(dict(os.environ, LOCALSTACK_HOST=f"127.0.0.1:{args.emulator_port}"))
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={REPO / 'notebooks'}", f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    url = f"http://127.0.0.1:{port}/lab?token={token}"

    def ready() -> None:
        print(f"\n[tipsim] JupyterLab is ready. Open this URL in your browser:\n\n    {url}\n\n"
              f"[tipsim] {ctrl_c_line(emulator, args.emulator_port)}\n", flush=True)

    try:
        return serve(cmd, env, "127.0.0.1", port, "JupyterLab", ready)
    finally:
        if emulator == STARTED:
            from tipsim.emulator import server

            server.stop(args.emulator_port)
            print(f"[tipsim] stopped the emulator on 127.0.0.1:{args.emulator_port}.")


if __name__ == "__main__":
    raise SystemExit(main())
