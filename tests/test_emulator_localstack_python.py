"""Finding a Python >= 3.13 for LocalStack's runtime, checked against fake interpreters."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fake_interpreters import SHIM_BODY, answers, fake_python

from tipsim.emulator import localstack_python as lp


def test_candidates_come_from_override_then_path_then_pyenv_newest_patch_first(
        tmp_path: Path) -> None:
    """The order: the named override, PATH, then pyenv versions (3.13.5 before 3.13.0)."""
    bin_dir = tmp_path / "bin"
    on_path = fake_python(bin_dir / "python3.14", answers("3.14.0"))
    root = tmp_path / "pyenv"
    old = fake_python(root / "versions/3.13.0/bin/python3.13", answers("3.13.0"))
    new = fake_python(root / "versions/3.13.5/bin/python3.13", answers("3.13.5"))
    fake_python(root / "versions/3.11.7/bin/python3.11", answers("3.11.7"))
    override = fake_python(tmp_path / "mine/python", answers("3.13.1"))
    env = {"PATH": str(bin_dir), "PYENV_ROOT": str(root), lp.PYTHON_ENV: str(override)}
    assert lp.candidate_pythons(env, system_dirs=()) == [override, on_path, new, old]


def test_inspect_tells_usable_old_shim_and_venvless_interpreters_apart(tmp_path: Path) -> None:
    """Each interpreter is run once; the reason says what is wrong with it."""
    good = lp.inspect_python(fake_python(tmp_path / "a/python3.13", answers("3.13.2")))
    assert good.usable and good.version == (3, 13, 2)
    old = lp.inspect_python(fake_python(tmp_path / "b/python3.12", answers("3.12.1")))
    assert not old.usable and "too old" in old.reason and old.version == (3, 12, 1)
    shim = lp.inspect_python(fake_python(tmp_path / "c/python3.13", SHIM_BODY))
    assert not shim.usable and "exit 127" in shim.reason and shim.version is None
    no_venv = lp.inspect_python(fake_python(tmp_path / "d/python3.13", answers("3.13.2", 0)))
    assert not no_venv.usable and "python3.13-venv" in no_venv.reason
    missing = lp.inspect_python(tmp_path / "nowhere/python3.13")
    assert not missing.usable and "does not run" in missing.reason


def test_find_python_skips_a_refusing_shim_and_takes_the_real_interpreter(
        tmp_path: Path) -> None:
    """pyenv's shim for an unselected version exits 127: the versions/ binary is used."""
    shim = fake_python(tmp_path / "shims/python3.13", SHIM_BODY)
    real = fake_python(tmp_path / "versions/3.13.0/bin/python3.13", answers("3.13.0"))
    search = lp.find_python([shim, real])
    assert search.python is not None and search.python.path == real
    assert [c.path for c in search.tried] == [shim, real]
    assert search.why_none() == ""


def test_no_usable_python_gives_one_line_naming_every_candidate(tmp_path: Path) -> None:
    """The skip message names each interpreter tried and why it was refused."""
    old = fake_python(tmp_path / "a/python3.12", answers("3.12.1"))
    shim = fake_python(tmp_path / "b/python3.13", SHIM_BODY)
    why = lp.find_python([old, shim]).why_none()
    assert "Python >= 3.13" in why and "\n" not in why
    assert f"{old}: is Python 3.12.1, too old" in why and f"{shim}: does not run" in why
    assert "TIPSIM_LOCALSTACK_PYTHON" in lp.find_python([]).why_none()


def test_the_python_found_on_this_machine_really_is_new_enough() -> None:
    """Whatever discovery picks here, running it reports a version >= 3.13."""
    search = lp.find_python()
    if search.python is None:
        pytest.skip(search.why_none())
    out = subprocess.run([str(search.python.path), "-c", "import sys; print(sys.version_info[:2])"],
                         capture_output=True, text=True, check=True, timeout=30)
    assert eval(out.stdout) >= lp.MIN_PYTHON  # noqa: S307 - a tuple we printed

