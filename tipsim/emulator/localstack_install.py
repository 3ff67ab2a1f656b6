"""Installing LocalStack's pinned runtime into its own venv (``.venv-localstack/``).

The venv is made with a Python from :mod:`tipsim.emulator.localstack_python` and holds
exactly :data:`LOCALSTACK_PINS`. A stamp file, written only after a successful install,
records the pins and the Python minor version: :func:`ensure_runtime` does nothing
while it matches, so ``make test-localstack`` installs once (~1.5 min, ~500 MB) and
then starts in seconds. A failed or interrupted install leaves no stamp and is redone.

Example
-------
>>> ensure_runtime(find_python().python, log=print).python     # doctest: +SKIP
PosixPath('.../.venv-localstack/bin/python')
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipsim.emulator.localstack_python import PythonCandidate, dotted_version
from tipsim.errors import EmulatorError

# The working set measured with localstack-core 2026.3.0: a newer cbor2, pyopenssl or
# cryptography than these breaks its start.
LOCALSTACK_PINS: tuple[str, ...] = (
    "localstack-core[runtime]==2026.3.0",
    "cbor2<6",
    "pyopenssl==25.3.0",
    "cryptography>=45.0.7,<47",
)
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VENV_DIR = REPO_ROOT / ".venv-localstack"
STAMP_NAME = "tipsim-localstack-stamp.json"
INSTALL_TIMEOUT_S = 900.0


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


