"""Offline install: a fresh clone with a wheelhouse runs `make lab` with no network at all.

The wheelhouse is built once per test session (`make wheelhouse WHEELHOUSE=<tmp>`), copied into
a `git clone` of this repository, and `make lab` runs inside a new network namespace
(`unshare -n`: only a loopback interface, no route anywhere). The test then checks, from inside
that namespace (`nsenter`), that JupyterLab answers and that the internet does not, and stops
the lab by its process group (SIGTERM, as Ctrl-C would).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 900.0
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

# Brings the namespace's loopback interface up (it starts down) without needing iproute2.
LO_UP = (
    "import fcntl, socket, struct\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    "req = struct.pack('16sH', b'lo', 0)\n"
    "flags = struct.unpack('16sH', fcntl.ioctl(s, 0x8913, req))[1]\n"  # SIOCGIFFLAGS
    "fcntl.ioctl(s, 0x8914, struct.pack('16sH', b'lo', flags | 1))\n"  # SIOCSIFFLAGS, IFF_UP
)
INSIDE_CHECK = (
    "import socket, sys, urllib.request\n"
    "url = sys.argv[1]\n"
    "opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))\n"
    "print('lab', opener.open(url, timeout=60).status)\n"
    "try:\n"
    "    socket.create_connection(('151.101.0.223', 443), timeout=5)\n"  # pypi.org's CDN
    "    print('internet reachable')\n"
    "except OSError as exc:\n"
    "    print('internet unreachable:', exc)\n"
)


def _unshare_prefix() -> list[str] | None:
    """``unshare -n`` (root) or ``unshare -rn`` (a user namespace), whichever works here."""
    if shutil.which("unshare") is None or shutil.which("nsenter") is None:
        return None
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        ok = subprocess.run([*prefix, "--", sys.executable, "-c", LO_UP],  # noqa: S603
                            capture_output=True, timeout=30).returncode == 0
        if ok:
            return prefix
    return None


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every wheel the kit needs for this machine, built once per session."""
    dest = tmp_path_factory.mktemp("wheelhouse")
    done = subprocess.run(["make", "-s", "wheelhouse", f"WHEELHOUSE={dest}"], cwd=REPO,  # noqa: S603, S607
                          capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "make lab` and `make test` now install from it" in done.stdout
    return dest


@pytest.fixture
def clone(tmp_path: Path, wheelhouse: Path) -> Iterator[Path]:
    """A fresh clone of this repository's committed HEAD, with the wheelhouse copied in."""
    work = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(work)],  # noqa: S603, S607
                   check=True, timeout=120)
    shutil.copytree(wheelhouse, work / "wheelhouse")
    yield work
    for proc in psutil.process_iter(["pid", "cmdline"]):  # anything of ours still running
        try:
            if any(str(work) in part for part in proc.info["cmdline"] or []):
                proc.kill()  # by pid: a process whose command line names this test's clone
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass


def test_a_fresh_clone_with_a_wheelhouse_installs_and_starts_the_lab_with_no_network(
        clone: Path, tmp_path: Path) -> None:
    prefix = _unshare_prefix()
    if prefix is None:
        pytest.skip("cannot make a network namespace here (unshare/nsenter missing, or "
                    "neither `unshare -n` nor `unshare -rn` is permitted)")
    env = dict(os.environ, PYTHONUNBUFFERED="1", TIPSIM_STATE_DIR=str(tmp_path / "state"))
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[var] = str(tmp_path / var.lower())
    env.pop("LOCALSTACK_HOST", None)  # the lab starts its own emulator in the namespace
    script = f'{sys.executable} -c "$LO_UP" && exec make lab'
    proc = subprocess.Popen([*prefix, "--", "sh", "-c", script], cwd=clone,  # noqa: S603
                            env={**env, "LO_UP": LO_UP}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),  # type: ignore[union-attr]
                              daemon=True)
    reader.start()
    try:
        url = None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while url is None and proc.poll() is None and time.monotonic() < deadline:
            url = next((m.group(0) for m in map(
                re.compile(r"http://127\.0\.0\.1:\d+/lab\?token=\w+").search, list(lines)) if m),
                None)
            time.sleep(0.5)
        output = "".join(lines)
        assert url, output[-4000:]
        assert "from wheelhouse/ (offline: no network used)" in output
        inside = subprocess.run(["nsenter", "-t", str(proc.pid), "-n", *(["-U", "--preserve-credentials"]  # noqa: S603, S607
                                 if prefix[-1] == "-rn" else []), sys.executable, "-c",
                                 INSIDE_CHECK, url.replace("/lab?", "/api/status?")],
                                capture_output=True, text=True, timeout=120)
        assert "lab 200" in inside.stdout, inside.stdout + inside.stderr
        assert "internet unreachable" in inside.stdout, inside.stdout
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # make and the lab launcher: as Ctrl-C
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        reader.join(5)
    assert "stopping JupyterLab" in "".join(lines)
    assert not list((tmp_path / "state").glob("emulator-*.json")), "the lab left its emulator"
