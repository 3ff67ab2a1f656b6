"""LocalStack's own runtime on this machine, without Docker.

``localstack-core[runtime]`` runs as a plain Python program, but only on Python 3.13
or newer. ``shared/ENVIRONMENT-NOTES.md`` says 3.12, but measured here
``localstack-core==2026.3.0`` imports ``warnings.deprecated`` (new in 3.13, PEP 702) in
``localstack/utils/tagging.py``; plux swallows that ImportError, so on 3.12 (as on
3.11) it stops with "No component plugins found in namespace
localstack.runtime.components". Its wheel's only version classifier is 3.13. This module

1. finds a Python >= 3.13 (:func:`find_python`), even where the ``python3.13`` on
   ``PATH`` is a pyenv shim that refuses to run;
2. keeps a dedicated venv (``.venv-localstack/`` at the repo root) with the pinned
   runtime, skipped when a stamp file says it already holds exactly these pins
   (:func:`ensure_runtime`);
3. starts LocalStack on a free 127.0.0.1 port, in its own process group, with a
   temporary ``FILESYSTEM_ROOT`` and a log file, and waits for ``/_localstack/health``
   (:func:`start_localstack`);
4. stops it by pid: SIGTERM, SIGKILL after a grace period, then whatever is left of
   the process group it created, by that group id, never by name
   (:func:`stop_process_group`).

:func:`running_localstack` wraps all four for tests and scripts.

Example
-------
>>> with running_localstack() as ls:                       # doctest: +SKIP
...     print(ls.endpoint_url, ls.version)
http://127.0.0.1:40123 2026.3.0
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tipsim.data import data_path
from tipsim.emulator.embedded import AMIS_FILE, free_loopback_port
from tipsim.emulator.guard import check_endpoint, is_loopback
from tipsim.errors import EmulatorError

MIN_PYTHON: tuple[int, int] = (3, 13)  # see the module docstring
# Measured working set (ENVIRONMENT-NOTES.md): newer cbor2 / pyopenssl / cryptography break it.
LOCALSTACK_PINS: tuple[str, ...] = (
    "localstack-core[runtime]==2026.3.0",
    "cbor2<6",
    "pyopenssl==25.3.0",
    "cryptography>=45.0.7,<47",
)
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VENV_DIR = REPO_ROOT / ".venv-localstack"
STAMP_NAME = "tipsim-localstack-stamp.json"
PYTHON_ENV = "TIPSIM_LOCALSTACK_PYTHON"  # names the interpreter to use, if set
START_TIMEOUT_S = 90.0
STOP_GRACE_S = 15.0  # measured: LocalStack shuts down in 0.7-9.5 s after SIGTERM
INSTALL_TIMEOUT_S = 900.0
SYSTEM_DIRS = ("/usr/local/bin", "/usr/bin", "/opt/homebrew/bin")

# Without these, LocalStack binds DNS on 0.0.0.0:53, listens on all addresses, sends
# analytics events and downloads a TLS certificate (ENVIRONMENT-NOTES.md).
_FIXED_ENV: dict[str, str] = {
    "OVERRIDE_IN_DOCKER": "0",
    "GATEWAY_SERVER": "hypercorn",
    "DNS_ADDRESS": "0",
    "DISABLE_EVENTS": "1",
    "SKIP_SSL_CERT_DOWNLOAD": "1",
    "PERSISTENCE": "0",
}
# Never handed to LocalStack: credentials, endpoints and auth of the person running it.
_DROP_ENV_PREFIXES = ("AWS_", "LOCALSTACK_", "TIPSIM_TEST_ENDPOINT")
# TMPDIR: LocalStack reads it as its deprecated pre-1.0 setting and warns; FILESYSTEM_ROOT rules.
_DROP_ENV = {"DOCKER_HOST", "HOSTNAME_EXTERNAL", "EDGE_PORT", "GATEWAY_LISTEN", "TMPDIR"}

_VERSION_SNIPPET = (
    "import sys, importlib.util as u; "
    "print('%d.%d.%d' % sys.version_info[:3], int(u.find_spec('ensurepip') is not None))"
)


# ----------------------------------------------------------------------------- discovery
def dotted_version(version: Sequence[int]) -> str:
    """(3, 13, 0) -> "3.13.0"."""
    return ".".join(str(v) for v in version)


@dataclass(frozen=True)
class PythonCandidate:
    """One interpreter looked at, and what was found."""

    path: Path
    version: tuple[int, int, int] | None
    reason: str  # "" when usable, else why not

    @property
    def usable(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class PythonSearch:
    """The result of :func:`find_python`: the interpreter chosen, and every one looked at."""

    python: PythonCandidate | None
    tried: tuple[PythonCandidate, ...]

    def why_none(self) -> str:
        """One line saying why no interpreter was chosen (empty when one was)."""
        if self.python is not None:
            return ""
        want = f"Python >= {dotted_version(MIN_PYTHON)}"
        if not self.tried:
            return (f"no {want} found (looked for python3.13+ on PATH and in pyenv; "
                    f"set {PYTHON_ENV} to name one)")
        seen = "; ".join(f"{c.path}: {c.reason}" for c in self.tried)
        return f"no {want} found (LocalStack's runtime needs it); tried {seen}"


def _pyenv_root(env: dict[str, str]) -> Path:
    return Path(env.get("PYENV_ROOT") or Path(env.get("HOME", str(Path.home()))) / ".pyenv")


def candidate_pythons(env: dict[str, str] | None = None,
                      minors: Iterable[int] = range(MIN_PYTHON[1], 17),
                      system_dirs: Sequence[str] = SYSTEM_DIRS) -> list[Path]:
    """Interpreters that may be a new enough Python 3, best first, without running any.

    Looks at ``TIPSIM_LOCALSTACK_PYTHON``, then ``python3.N`` on ``PATH`` (oldest
    N >= 13 first: 3.13 is the version the pins were measured with), then pyenv's ``versions/*/bin/python3.N``, then the usual system folders.
    A pyenv shim is listed too; :func:`inspect_python` finds out whether it runs.

    Parameters
    ----------
    env
        The environment to read ``PATH``, ``PYENV_ROOT``, ``HOME`` from (default ``os.environ``).
    minors
        Minor versions of Python 3 to look for.
    system_dirs
        Folders looked in last.
    """
    env = dict(os.environ) if env is None else env
    minors = list(minors)
    found: list[Path] = []
    if env.get(PYTHON_ENV):
        found.append(Path(env[PYTHON_ENV]))
    for minor in minors:
        hit = shutil.which(f"python3.{minor}", path=env.get("PATH", ""))
        if hit:
            found.append(Path(hit))
    versions = _pyenv_root(env) / "versions"
    if versions.is_dir():
        def _key(p: Path) -> tuple[int, ...]:
            return tuple(int(x) for x in re.findall(r"\d+", p.name)[:3]) or (0,)

        vdirs = sorted(versions.iterdir(), key=_key, reverse=True)  # newest patch first
        for minor in minors:
            for vdir in vdirs:
                exe = vdir / "bin" / f"python3.{minor}"
                if exe.is_file():
                    found.append(exe)
    for folder in system_dirs:
        for minor in minors:
            exe = Path(folder) / f"python3.{minor}"
            if exe.is_file():
                found.append(exe)
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def inspect_python(path: Path, timeout_s: float = 15.0) -> PythonCandidate:
    """Run ``path`` once to learn its version and whether it can make venvs.

    A pyenv shim for a version that is not selected exits with status 127: that
    candidate is reported as not runnable rather than trusted by its name.
    """
    try:
        out = subprocess.run(  # noqa: S603 - an interpreter we located ourselves
            [str(path), "-c", _VERSION_SNIPPET], capture_output=True, text=True,
            timeout=timeout_s, stdin=subprocess.DEVNULL, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return PythonCandidate(path, None, f"does not run ({type(exc).__name__})")
    if out.returncode != 0:
        first = (out.stderr or out.stdout).strip().splitlines()[:1]
        why = f": {first[0][:80]}" if first else ""
        return PythonCandidate(path, None, f"does not run (exit {out.returncode}{why})")
    match = re.match(r"(\d+)\.(\d+)\.(\d+)\s+([01])", out.stdout.strip())
    if not match:
        return PythonCandidate(path, None, f"unexpected answer {out.stdout.strip()[:40]!r}")
    version = (int(match[1]), int(match[2]), int(match[3]))
    if version[:2] < MIN_PYTHON:
        return PythonCandidate(path, version, f"is Python {dotted_version(version)}, too old")
    if match[4] != "1":
        return PythonCandidate(path, version,
                               f"has no ensurepip (install python3.{version[1]}-venv)")
    return PythonCandidate(path, version, "")


def find_python(candidates: Sequence[Path] | None = None) -> PythonSearch:
    """Find the first runnable Python >= :data:`MIN_PYTHON` that can create a venv.

    Parameters
    ----------
    candidates
        Interpreters to try in order (default :func:`candidate_pythons`).
    """
    paths = candidate_pythons() if candidates is None else list(candidates)
    tried: list[PythonCandidate] = []
    for path in paths:
        cand = inspect_python(path)
        tried.append(cand)
        if cand.usable:
            return PythonSearch(cand, tuple(tried))
    return PythonSearch(None, tuple(tried))


# ----------------------------------------------------------------------------- the venv
def venv_python(venv_dir: Path) -> Path:
    """The interpreter inside a venv."""
    return venv_dir / "bin" / "python"


def stamp_record(python: PythonCandidate, pins: Sequence[str]) -> dict[str, Any]:
    """What the stamp file records: the pins and the base interpreter's version."""
    if python.version is None:
        raise EmulatorError(f"{python.path} has no known version")
    return {"pins": list(pins), "python_minor": dotted_version(python.version[:2]),
            "python": str(python.path), "python_version": dotted_version(python.version)}


def runtime_up_to_date(venv_dir: Path, python: PythonCandidate, pins: Sequence[str]) -> bool:
    """True when ``venv_dir`` holds exactly ``pins`` installed for this Python minor version.

    The stamp is written only after a successful install, so a failed or
    interrupted install is never taken as done.
    """
    stamp = venv_dir / STAMP_NAME
    if not venv_python(venv_dir).exists():
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    want = stamp_record(python, pins)
    return (isinstance(recorded, dict) and recorded.get("pins") == want["pins"]
            and recorded.get("python_minor") == want["python_minor"])


@dataclass(frozen=True)
class RuntimeInstall:
    """Where the runtime lives and whether this call had to install it."""

    venv_dir: Path
    python: Path
    installed: bool
    install_s: float


Runner = Callable[..., subprocess.CompletedProcess]


def ensure_runtime(python: PythonCandidate, venv_dir: Path = DEFAULT_VENV_DIR,
                   pins: Sequence[str] = LOCALSTACK_PINS, *, runner: Runner = subprocess.run,
                   log: Callable[[str], None] = lambda _msg: None) -> RuntimeInstall:
    """Create or update the LocalStack venv; do nothing when its stamp matches.

    Parameters
    ----------
    python
        A usable interpreter from :func:`find_python`.
    venv_dir
        The venv's folder (default ``.venv-localstack/`` at the repo root).
    pins
        Requirements handed to pip.
    runner
        Runs one command (``subprocess.run`` signature); tests pass a recorder.
    log
        Receives one line per step, for people watching.

    Raises
    ------
    EmulatorError
        When creating the venv or installing fails (the message ends with pip's output).
    """
    if runtime_up_to_date(venv_dir, python, pins):
        log(f"LocalStack runtime in {venv_dir} is up to date")
        return RuntimeInstall(venv_dir, venv_python(venv_dir), False, 0.0)
    started = time.monotonic()
    stamp = venv_dir / STAMP_NAME
    stamp.unlink(missing_ok=True)
    steps: list[tuple[str, list[str]]] = [
        ("creating venv", [str(python.path), "-m", "venv", "--clear", str(venv_dir)]),
        ("installing " + " ".join(pins),
         [str(venv_python(venv_dir)), "-m", "pip", "install", "--disable-pip-version-check",
          "--no-input", "-q", *pins]),
    ]
    for what, cmd in steps:
        log(f"LocalStack runtime: {what}")
        try:
            done = runner(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S,
                          stdin=subprocess.DEVNULL, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EmulatorError(f"LocalStack runtime: {what} failed: {exc}") from exc
        if done.returncode != 0:
            tail = ((done.stdout or "") + (done.stderr or ""))[-3000:]
            raise EmulatorError(f"LocalStack runtime: {what} failed (exit "
                                f"{done.returncode}):\n{tail}")
    stamp.write_text(json.dumps(stamp_record(python, pins), indent=2))
    return RuntimeInstall(venv_dir, venv_python(venv_dir), True, time.monotonic() - started)


# ----------------------------------------------------------------------------- processes
def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, process group id) of ``pid`` from ``/proc``, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()
    return fields[0], int(fields[2])


def pid_gone(pid: int) -> bool:
    """True when ``pid`` has exited (reaping it if it is our child)."""
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return True
    except ChildProcessError:
        pass  # not our child, or already reaped
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    stat = _proc_stat(pid)
    return stat is not None and stat[0] == "Z"  # a zombie waiting for another parent


def group_pids(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``, read from ``/proc``."""
    if not Path("/proc/self/stat").exists():  # no procfs: ask the kernel if any member is left
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [pgid]
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat and stat[1] == pgid and stat[0] != "Z":
                pids.append(int(entry.name))
    return sorted(pids)


def _wait_until(done: Callable[[], bool], timeout_s: float, step_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while True:
        if done():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step_s)


def _check_group_is_ours(pgid: int) -> None:
    if pgid <= 1 or pgid == os.getpgrp():
        raise EmulatorError(f"refusing to signal process group {pgid}: it is not a group "
                            "this module created")


@dataclass(frozen=True)
class StopReport:
    """How a stop went: which signals were needed, and whether anything survived."""

    pid: int
    pgid: int
    signals: tuple[str, ...]
    leftover_pids: tuple[int, ...]
    stop_s: float

    @property
    def clean(self) -> bool:
        """True when no process of the group is left."""
        return not self.leftover_pids


def _send(sent: list[str], label: str, fn: Callable[[], None]) -> None:
    with contextlib.suppress(ProcessLookupError):
        fn()
        sent.append(label)


def stop_process_group(pid: int, pgid: int, grace_s: float = STOP_GRACE_S,
                       popen: subprocess.Popen | None = None) -> StopReport:
    """Stop the process ``pid`` we started as leader of group ``pgid``, and its group.

    SIGTERM goes to ``pid``; after ``grace_s`` without exiting it gets SIGKILL. Then
    the remaining members of the group (helpers it spawned) get SIGTERM and, after
    half the grace period, SIGKILL, sent with ``killpg(pgid)``. Linux never hands
    out a pid that is still in use as a process group id, so the group id cannot
    name anyone else's processes while members remain.

    Parameters
    ----------
    pid, pgid
        The process and the group it leads (``start_new_session=True`` makes them equal).
    grace_s
        Seconds between SIGTERM and SIGKILL.
    popen
        The ``Popen`` of ``pid`` when we have it: it then reaps the process and keeps
        its exit status.

    Raises
    ------
    EmulatorError
        If ``pgid`` is 0, 1 or this process's own group.
    """
    _check_group_is_ours(pgid)
    started = time.monotonic()
    sent: list[str] = []

    def gone() -> bool:
        return popen.poll() is not None if popen is not None else pid_gone(pid)

    if not gone():
        _send(sent, "SIGTERM pid", lambda: os.kill(pid, signal.SIGTERM))
        if not _wait_until(gone, grace_s):
            _send(sent, "SIGKILL pid", lambda: os.kill(pid, signal.SIGKILL))
            _wait_until(gone, 5.0)
    if group_pids(pgid):
        _send(sent, "SIGTERM group", lambda: os.killpg(pgid, signal.SIGTERM))
        if not _wait_until(lambda: not group_pids(pgid), grace_s / 2):
            _send(sent, "SIGKILL group", lambda: os.killpg(pgid, signal.SIGKILL))
            _wait_until(lambda: not group_pids(pgid), 5.0)
    return StopReport(pid, pgid, tuple(sent), tuple(group_pids(pgid)),
                      time.monotonic() - started)


def group_rss_mb(pgid: int) -> float:
    """Resident memory of all processes in group ``pgid``, in MB (from ``/proc``)."""
    total_kb = 0
    for pid in group_pids(pgid):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024.0


# ----------------------------------------------------------------------------- sockets
@dataclass(frozen=True)
class Listener:
    """A socket a process listens on (TCP) or is bound to (UDP)."""

    proto: str
    address: str
    port: int
    pid: int

    @property
    def loopback(self) -> bool:
        return is_loopback(self.address)

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.proto} {host}:{self.port} (pid {self.pid})"


def decode_proc_address(hex_addr: str) -> tuple[str, int]:
    """Decode ``/proc/net/tcp*`` ``ADDR:PORT`` hex (address in host byte order words).

    >>> decode_proc_address("0100007F:1F90")
    ('127.0.0.1', 8080)
    """
    import ipaddress

    addr_hex, port_hex = hex_addr.split(":")
    raw = bytes.fromhex(addr_hex)
    # Each 32-bit word is stored little-endian on the machines this runs on.
    fixed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(fixed)), int(port_hex, 16)


def listening_sockets(pids: Iterable[int]) -> list[Listener]:
    """TCP listening and UDP bound sockets owned by ``pids`` (Linux ``/proc``)."""
    owner: dict[str, int] = {}
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        with contextlib.suppress(OSError):
            for fd in fd_dir.iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        owner[target[8:-1]] = pid
    out: list[Listener] = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/net/{proto}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) < 10 or cols[9] not in owner:
                continue
            if proto.startswith("tcp") and cols[3] != "0A":  # 0A = LISTEN
                continue
            address, port = decode_proc_address(cols[1])
            out.append(Listener(proto, address, port, owner[cols[9]]))
    return out


# ----------------------------------------------------------------------------- LocalStack
def localstack_env(port: int, filesystem_root: Path,
                   base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment LocalStack runs with: loopback only, no Docker, no DNS, no events.

    Its EC2 (moto inside) serves the kit's machine images, as the embedded emulator does
    (``MOTO_AMIS_PATH``, read when moto's image module is imported): the talk's stack
    looks its images up by name and owner (Ubuntu xenial/bionic, bitnami nginx).
    """
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.startswith(_DROP_ENV_PREFIXES) and k not in _DROP_ENV}
    env.update(_FIXED_ENV)
    env.update({
        "MOTO_AMIS_PATH": str(data_path(AMIS_FILE)),
        "FILESYSTEM_ROOT": str(filesystem_root),
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "LOCALSTACK_HOST": f"127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def health(endpoint_url: str, timeout_s: float = 2.0) -> dict[str, Any] | None:
    """LocalStack's ``/_localstack/health`` document, or None if it does not answer yet."""
    try:
        with urllib.request.urlopen(f"{endpoint_url}/_localstack/health",  # noqa: S310
                                    timeout=timeout_s) as resp:
            doc = json.loads(resp.read().decode() or "{}")
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and "services" in doc else None


def lambda_runtime_problem(session: Any, timeout_s: float = 10.0) -> str:
    """Why the LocalStack behind ``session`` cannot prepare Lambda functions ("" if it can).

    LocalStack prepares every new function by installing its Lambda runtime-init
    binary (then runs it in Docker); ``GET /_aws/lambda/init`` asks for that same
    binary, so it fails exactly where a new function would. Measured with 2026.3.0
    without Docker: ``create_function`` answers, the function turns ``Failed``
    ("Installation of lambda-runtime ... failed"), and ``delete_function`` then fails
    with an internal error ("Unable to find version manager"): the function can never
    be removed. The infrastructure layer therefore treats Lambda as missing there.
    """
    url = check_endpoint(f"{session.endpoint_url.rstrip('/')}/_aws/lambda/init")
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # noqa: S310 - guarded
            resp.read(1)
            return ""
    except urllib.error.HTTPError as exc:
        try:
            detail = str(json.loads(exc.read().decode() or "{}").get("message") or exc.reason)
        except ValueError:
            detail = str(exc.reason)
    except (urllib.error.URLError, OSError) as exc:
        detail = str(exc)
    return (f"LocalStack cannot prepare Lambda functions here ({detail}): a new function "
            "would end in state Failed and could not be deleted")


def log_tail(path: Path, chars: int = 3000) -> str:
    """The end of a log file (empty if unreadable)."""
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


@dataclass
class LocalStackProcess:
    """A LocalStack this module started; stop it with :meth:`stop`."""

    popen: subprocess.Popen
    port: int
    workdir: Path
    log_path: Path
    start_s: float
    health: dict[str, Any] = field(default_factory=dict)
    stop_report: StopReport | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def pgid(self) -> int:
        # start_new_session=True makes the child a session and group leader: pgid == pid.
        return self.popen.pid

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def version(self) -> str:
        return str(self.health.get("version", ""))

    @property
    def edition(self) -> str:
        return str(self.health.get("edition", ""))

    def rss_mb(self) -> float:
        """Resident memory of LocalStack and its helpers, MB."""
        return group_rss_mb(self.pgid)

    def listeners(self) -> list[Listener]:
        """Sockets its process group listens on."""
        return listening_sockets(group_pids(self.pgid))

    def stop(self, grace_s: float = STOP_GRACE_S, keep_files: bool = False) -> StopReport:
        """Stop it by pid and group id; remove its temporary folder unless ``keep_files``."""
        if self.stop_report is None:
            self.stop_report = stop_process_group(self.pid, self.pgid, grace_s, self.popen)
        if not keep_files:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return self.stop_report


def start_localstack(python: Path, port: int | None = None,
                     timeout_s: float = START_TIMEOUT_S,
                     base_dir: Path | None = None) -> LocalStackProcess:
    """Start ``python -m localstack.runtime.main`` on 127.0.0.1 and wait until healthy.

    Parameters
    ----------
    python
        The LocalStack venv's interpreter (:func:`ensure_runtime`).
    port
        Loopback port for the gateway (default: a free one).
    timeout_s
        How long to wait for ``/_localstack/health``.
    base_dir
        Where its temporary folder (filesystem root and log) is made (default the
        system's temp folder). The folder is removed by :meth:`LocalStackProcess.stop`,
        and kept when the start fails, so that the log can be read.

    Raises
    ------
    EmulatorError
        When it exits or does not answer in time; the message ends with the log's tail.
        The process group is stopped before raising.
    """
    port = port or free_loopback_port()
    workdir = Path(tempfile.mkdtemp(prefix="tipsim-localstack-", dir=base_dir))
    fs_root = workdir / "filesystem"
    fs_root.mkdir()
    log_path = workdir / "localstack.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        popen = subprocess.Popen(  # noqa: S603 - our own venv's interpreter
            [str(python), "-m", "localstack.runtime.main"], cwd=workdir,
            env=localstack_env(port, fs_root), stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    proc = LocalStackProcess(popen, port, workdir, log_path, 0.0)
    deadline = started + timeout_s
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            proc.stop(keep_files=True)
            raise EmulatorError(f"LocalStack exited at start (code {popen.returncode}); "
                                f"log {log_path}:\n{log_tail(log_path)}")
        doc = health(proc.endpoint_url, timeout_s=1.0)
        if doc is not None:
            proc.health = doc
            proc.start_s = time.monotonic() - started
            return proc
        time.sleep(0.2)
    proc.stop(keep_files=True)
    raise EmulatorError(f"LocalStack did not answer on {proc.endpoint_url}/_localstack/health "
                        f"within {timeout_s:.0f} s; log {log_path}:\n{log_tail(log_path)}")


@contextlib.contextmanager
def running_localstack(python: PythonCandidate | None = None, *,
                       venv_dir: Path = DEFAULT_VENV_DIR, port: int | None = None,
                       log: Callable[[str], None] = lambda _msg: None,
                       ) -> Iterator[LocalStackProcess]:
    """Install if needed, start LocalStack, yield it, and stop it whatever happens.

    Raises
    ------
    EmulatorError
        When no Python >= 3.13 is found, the install fails, or it does not start.
    """
    if python is None:
        search = find_python()
        if search.python is None:
            raise EmulatorError(search.why_none())
        python = search.python
    runtime = ensure_runtime(python, venv_dir, log=log)
    proc = start_localstack(runtime.python, port=port)
    try:
        yield proc
    finally:
        proc.stop()


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - thin wrapper
    """``python -m tipsim.emulator.localstack_runtime``: say which Python would be used."""
    search = find_python()
    for cand in search.tried:
        print(f"{cand.path}: {cand.reason or 'usable'}")
    if search.python is None:
        print(search.why_none())
        return 1
    print(f"would use {search.python.path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
