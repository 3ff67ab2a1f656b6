"""Finding a Python that can run LocalStack's own runtime (3.13 or newer).

``localstack-core[runtime]`` runs as a plain Python program, but only on Python 3.13
or newer: measured here, ``localstack-core==2026.3.0`` imports ``warnings.deprecated``
(new in 3.13, PEP 702) in ``localstack/utils/tagging.py``; plux swallows that
ImportError, so on 3.12 (as on 3.11) it stops with "No component plugins found in
namespace localstack.runtime.components". Its wheel's only version classifier is 3.13.

:func:`find_python` looks at ``TIPSIM_LOCALSTACK_PYTHON``, ``python3.N`` on ``PATH``,
pyenv's versions and the usual system folders, and runs each candidate once: a pyenv
shim for a version that is not selected exits 127 and is passed over rather than
trusted by its name.

Example
-------
>>> find_python().python.path                 # doctest: +SKIP
PosixPath('/root/.pyenv/versions/3.13.0/bin/python3.13')
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

MIN_PYTHON: tuple[int, int] = (3, 13)  # see the module docstring
PYTHON_ENV = "TIPSIM_LOCALSTACK_PYTHON"  # names the interpreter to use, if set
SYSTEM_DIRS = ("/usr/local/bin", "/usr/bin", "/opt/homebrew/bin")

_VERSION_SNIPPET = (
    "import sys, importlib.util as u; "
    "print('%d.%d.%d' % sys.version_info[:3], int(u.find_spec('ensurepip') is not None))"
)


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
