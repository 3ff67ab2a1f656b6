"""Installing LocalStack's pinned runtime, checked with a recording runner (nothing is
downloaded): the stamp decides whether to install, and a failed install leaves none."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fake_interpreters import answers, candidate, fake_python

from tipsim.emulator import localstack_install as li
from tipsim.errors import EmulatorError

PINS = ("localstack-core[runtime]==2026.3.0", "cbor2<6")


def make_venv(venv: Path, stamp: dict[str, Any] | str | None) -> None:
    fake_python(li.venv_python(venv), answers("3.13.0"))
    if stamp is not None:
        text = stamp if isinstance(stamp, str) else json.dumps(stamp)
        (venv / li.STAMP_NAME).write_text(text)


def test_stamp_matches_only_same_pins_and_same_python_minor(tmp_path: Path) -> None:
    """Up to date = venv python exists and the stamp holds these pins for this minor version."""
    py = candidate((3, 13, 0))
    venv = tmp_path / "venv"
    assert not li.runtime_up_to_date(venv, py, PINS)  # nothing there
    make_venv(venv, li.stamp_record(py, PINS))
    assert li.runtime_up_to_date(venv, py, PINS)
    assert li.runtime_up_to_date(venv, candidate((3, 13, 7)), PINS)  # a patch release is fine
    assert not li.runtime_up_to_date(venv, candidate((3, 14, 0)), PINS)
    assert not li.runtime_up_to_date(venv, py, (*PINS[:1], "cbor2<7"))
    assert not li.runtime_up_to_date(venv, py, PINS[:1])
    (venv / li.STAMP_NAME).write_text("{not json")
    assert not li.runtime_up_to_date(venv, py, PINS)
    make_venv(venv, li.stamp_record(py, PINS))
    li.venv_python(venv).unlink()
    assert not li.runtime_up_to_date(venv, py, PINS)


class RecordingRunner:
    """Stands in for ``subprocess.run``: records commands, makes the venv's python."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.commands: list[list[str]] = []
        self.fail_at = fail_at

    def __call__(self, cmd: list[str], **_kw: Any) -> subprocess.CompletedProcess:
        self.commands.append(cmd)
        if self.fail_at == len(self.commands) - 1:
            return subprocess.CompletedProcess(cmd, 1, "", "ERROR: No matching distribution")
        if cmd[1:3] == ["-m", "venv"]:
            fake_python(li.venv_python(Path(cmd[-1])), answers("3.13.0"))
        return subprocess.CompletedProcess(cmd, 0, "", "")


def test_install_creates_venv_installs_pins_then_is_skipped_until_pins_change(
        tmp_path: Path) -> None:
    """First call: venv + pip install of exactly the pins; second: nothing; new pins: again."""
    py = candidate((3, 13, 0), "/opt/py/python3.13")
    venv = tmp_path / "venv"
    runner = RecordingRunner()
    first = li.ensure_runtime(py, venv, PINS, runner=runner)
    assert first.installed and first.python == li.venv_python(venv)
    assert runner.commands[0] == ["/opt/py/python3.13", "-m", "venv", "--clear", str(venv)]
    assert runner.commands[1][:4] == [str(li.venv_python(venv)), "-m", "pip", "install"]
    assert runner.commands[1][-len(PINS):] == list(PINS)
    assert json.loads((venv / li.STAMP_NAME).read_text())["pins"] == list(PINS)

    second = li.ensure_runtime(py, venv, PINS, runner=runner)
    assert not second.installed and len(runner.commands) == 2

    li.ensure_runtime(py, venv, (*PINS, "pyopenssl==25.3.0"), runner=runner)
    assert len(runner.commands) == 4 and runner.commands[3][-1] == "pyopenssl==25.3.0"


def test_failed_install_raises_with_pip_output_and_leaves_no_stamp(tmp_path: Path) -> None:
    """A pip failure is an EmulatorError ending with pip's words; the next run retries."""
    py = candidate((3, 13, 0))
    venv = tmp_path / "venv"
    make_venv(venv, li.stamp_record(py, ("old-pin",)))
    with pytest.raises(EmulatorError, match="No matching distribution"):
        li.ensure_runtime(py, venv, PINS, runner=RecordingRunner(fail_at=1))
    assert not (venv / li.STAMP_NAME).exists()
    assert not li.runtime_up_to_date(venv, py, PINS)

