"""Stand-ins for Python interpreters: small shell scripts that answer like ``python -c``
would, or fail like a pyenv shim for a version that is not selected."""

from __future__ import annotations

import stat
from pathlib import Path

from tipsim.emulator.localstack_python import PythonCandidate

SHIM_BODY = ('echo "pyenv: $(basename $0): command not found" >&2\n'
             'echo "The command exists in these Python versions: 3.13.0" >&2\nexit 127')


def fake_python(path: Path, body: str) -> Path:
    """An executable shell script at ``path`` (parents made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def answers(version: str, ensurepip: int = 1) -> str:
    """The body of a fake interpreter that reports ``version`` (and ensurepip or not)."""
    return f'echo "{version} {ensurepip}"'


def candidate(version: tuple[int, int, int], path: str = "/x/python3") -> PythonCandidate:
    """A usable interpreter of ``version`` that is never run."""
    return PythonCandidate(Path(path), version, "")
