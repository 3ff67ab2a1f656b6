"""Starting LocalStack's own runtime on 127.0.0.1, checking it, and stopping it by pid.

With the runtime installed (:mod:`tipsim.emulator.localstack_install`),
:func:`start_localstack` runs ``python -m localstack.runtime.main`` on a free loopback
port, in its own session and process group, with a temporary ``FILESYSTEM_ROOT`` and a
log file, and waits for ``/_localstack/health``. :meth:`LocalStackProcess.stop` stops it
by pid and then the helpers it spawned (:func:`tipsim.emulator.processes.stop_process`);
:meth:`LocalStackProcess.listeners` says which sockets they hold, so a caller can check
that nothing listens outside loopback.

The settings that keep it on loopback, without Docker, DNS or analytics are LocalStack's
documented configuration (https://docs.localstack.cloud/references/configuration/):
``GATEWAY_LISTEN``, ``LOCALSTACK_HOST``, ``DNS_ADDRESS=0`` (else it serves DNS on
0.0.0.0:53), ``DISABLE_EVENTS``, ``SKIP_SSL_CERT_DOWNLOAD``, ``PERSISTENCE``.

Example
-------
>>> ls = start_localstack(ensure_runtime(find_python().python).python)  # doctest: +SKIP
>>> ls.endpoint_url, ls.version, ls.stop().clean                          # doctest: +SKIP
('http://127.0.0.1:40123', '2026.3.0', True)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tipsim.data import data_path
from tipsim.emulator import processes
from tipsim.emulator.embedded import AMIS_FILE, free_loopback_port
from tipsim.emulator.guard import check_endpoint
from tipsim.emulator.processes import Listener, StopReport
from tipsim.errors import EmulatorError

START_TIMEOUT_S = 90.0
# Measured with 2026.3.0: it exits 2 s after SIGTERM when idle, 14-16 s once EC2, S3 and SQS
# have answered; SIGKILL only after that.
STOP_GRACE_S = 30.0

# Without these, LocalStack binds DNS on 0.0.0.0:53, listens on all addresses, sends
# analytics events and downloads a TLS certificate.
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
        return processes.rss_mb(processes.family(self.pid, self.pgid))

    def listeners(self) -> list[Listener]:
        """Sockets it and its helpers listen on (or are bound to, for UDP)."""
        return processes.listening_sockets(processes.family_pids(self.pid, self.pgid))

    def stop(self, grace_s: float = STOP_GRACE_S, keep_files: bool = False) -> StopReport:
        """Stop it by pid, then its helpers; remove its temporary folder unless ``keep_files``."""
        if self.stop_report is None:
            self.stop_report = processes.stop_process(self.pid, grace_s, pgid=self.pgid,
                                                      popen=self.popen)
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
        The LocalStack venv's interpreter
        (:func:`tipsim.emulator.localstack_install.ensure_runtime`).
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
        What it started is stopped by pid before raising.
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
