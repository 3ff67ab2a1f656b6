"""`make check` / `tipsim doctor --preflight`: one line, ready or not ready with the fix."""

from __future__ import annotations

import pytest

import tipsim.doctor
from tipsim.doctor import Check
from tipsim.preflight import verdict


def test_preflight_says_ready_in_one_line_on_a_set_up_machine(emulator, run_cli) -> None:
    code, out, err = run_cli("doctor", "--preflight")
    assert code == 0, out + err
    assert out.count("\n") == 1 and out.startswith("ready: ")


def test_preflight_names_the_first_problem_and_its_fix(monkeypatch, run_cli) -> None:
    monkeypatch.setattr(tipsim.doctor, "REQUIRED_PACKAGES", ("simpy", "tipsim-no-such-package"))
    code, out, _ = run_cli("doctor", "--preflight")
    assert code == 1 and out.count("\n") == 1
    assert out.startswith("not ready: package tipsim-no-such-package: not installed. Fix: ")
    assert "make lab" in out


def test_a_configured_room_board_that_does_not_answer_makes_the_laptop_not_ready(
        emulator, run_cli, monkeypatch) -> None:
    from tipsim.emulator.embedded import free_loopback_port

    monkeypatch.setenv("TIPSIM_BOARD_URL", f"http://127.0.0.1:{free_loopback_port()}")
    monkeypatch.setenv("TIPSIM_BOARD_TOKEN", "t")
    code, out, _ = run_cli("doctor", "--preflight")
    assert code == 1 and out.startswith("not ready: room board: no board answers at")


def test_the_verdict_counts_the_other_problems() -> None:
    checks = [Check("a", "fail", "broken", "fix a"), Check("b", "warn", "meh"),
              Check("c", "fail", "broken too", "fix c"), Check("d", "fail", "x", "fix d")]
    ok, line = verdict(checks, 1.0)
    assert not ok and line == ("not ready: a: broken. Fix: fix a (2 more problems: "
                               "`tipsim doctor` lists them)")
    assert verdict([Check("a", "ok", "")], 2.5) == (
        True, "ready: Python, the kit's packages, the AWS emulator, the JupyterLab widgets, "
              "a simulation all work (2.5 s).")


def test_a_bad_attendee_name_makes_the_laptop_not_ready_naming_the_variable(
        emulator, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("TIPSIM_ATTENDEE", "Alice Smith")
    code, out, _ = run_cli("doctor", "--preflight")
    assert code == 1 and out.startswith(
        "not ready: attendee namespace: TIPSIM_ATTENDEE='Alice Smith' is not allowed: 1-20 ")
    assert "Fix: export TIPSIM_ATTENDEE=" in out


def test_the_ready_line_names_the_namespace(emulator, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("TIPSIM_ATTENDEE", "alice")
    code, out, _ = run_cli("doctor", "--preflight")
    assert code == 0 and "Your namespace 'alice' (from TIPSIM_ATTENDEE)." in out


@pytest.fixture(autouse=True)
def _no_board(monkeypatch) -> None:
    for var in ("TIPSIM_BOARD_URL", "TIPSIM_BOARD_TOKEN"):
        monkeypatch.delenv(var, raising=False)


