"""``make lab``: make sure an AWS emulator answers, then run JupyterLab on ``notebooks/``.

JupyterLab binds to 127.0.0.1 with a fresh token and the URL is printed as soon as it
answers. Ctrl-C stops JupyterLab and the emulator this launcher started (an emulator or
LocalStack that was already running is left alone).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from tipsim.emulator import processes
from tipsim.emulator.embedded import free_loopback_port
from tipsim.emulator.probe import port_open, probe
from tipsim.errors import TipsimError

REPO = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 120.0


def _ensure_emulator(port: int) -> bool:
    """Start the shared emulator unless one answers. True if this call started it."""
    from tipsim.emulator import server

    found = probe(f"http://127.0.0.1:{port}")
    if found.kind == "localstack":
        print(f"[tipsim] LocalStack {found.version} answers on 127.0.0.1:{port}: using it.")
        return False
    if found.kind == "moto":
        print(f"[tipsim] a tipsim emulator already answers on 127.0.0.1:{port}: using it.")
        return False
    state = server.start(port)
    print(f"[tipsim] started the embedded AWS emulator (moto {state['version']}) on "
          f"127.0.0.1:{port}, pid {state['pid']}.")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tipsim.lab", description=__doc__)
    parser.add_argument("--port", type=int, default=8888, help="JupyterLab port (default 8888, "
                        "or a free one if taken)")
    parser.add_argument("--emulator-port", type=int, default=4566)
    args = parser.parse_args(argv)

    try:
        started_emulator = _ensure_emulator(args.emulator_port)
    except TipsimError as exc:
        print(f"[tipsim] {exc}\n[tipsim] notebooks will use an emulator inside their own kernel.")
        started_emulator = False

    port = args.port if not port_open("127.0.0.1", args.port, 0.3) else free_loopback_port()
    token = secrets.token_hex(16)
    env = dict(os.environ, LOCALSTACK_HOST=f"127.0.0.1:{args.emulator_port}")
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={REPO / 'notebooks'}", f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)  # noqa: S603
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    stopping = False

    def _interrupt(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not stopping and not port_open("127.0.0.1", port, 0.3):
            if proc.poll() is not None or time.monotonic() > deadline:
                print("[tipsim] JupyterLab did not start; see the messages above.")
                return 1
            time.sleep(0.2)
        if not stopping:
            print(f"\n[tipsim] JupyterLab is ready. Open this URL in your browser:\n\n    {url}\n\n"
                  "[tipsim] Press Ctrl-C to stop JupyterLab and the emulator.\n", flush=True)
        while not stopping and proc.poll() is None:
            time.sleep(0.3)
    finally:
        print("[tipsim] stopping JupyterLab...", flush=True)
        # By pid, then its kernels (its children, in the group it leads since start).
        processes.stop_process(proc.pid, 15.0, pgid=proc.pid, popen=proc)
        if started_emulator:
            from tipsim.emulator import server

            server.stop(args.emulator_port)
            print(f"[tipsim] stopped the emulator on 127.0.0.1:{args.emulator_port}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
