"""``make check`` / ``tipsim doctor --preflight``: the day before a workshop, one line: ready or not.

An attendee runs it once the kit is installed. It checks what a workshop needs from their
laptop, in this order, and stops at nothing: Python, the kit's packages (installed *and*
importable: a wheel for the wrong machine fails here, not in the first notebook), the AWS
emulator, the JupyterLab widget extensions, a short simulation, and, when the room board is
configured (``TIPSIM_BOARD_URL`` / ``TIPSIM_BOARD_TOKEN``), that the board answers. Chromium
(for the kit's own browser tests) is not an attendee's concern and is left out.

The answer is one line: ``ready`` with what was checked and how long it took, or
``not ready`` with the first problem and its fix (and how many more ``tipsim doctor`` lists).
Exit code 0 when ready, 1 when not.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict

from tipsim.doctor import (
    REQUIRED_PACKAGES,
    Check,
    check_emulator,
    check_lab_extensions,
    check_namespace,
    check_packages,
    check_python,
)
from tipsim.errors import TipsimError

# Distribution name -> module to import, where they differ.
_MODULES = {"localstack-client": "localstack_client"}


def check_imports() -> list[Check]:
    """Each required package imports (catches wheels built for another machine or Python)."""
    out = []
    for name in REQUIRED_PACKAGES:
        module = _MODULES.get(name, name)
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - any import failure is the finding
            out.append(Check(f"import {module}", "fail", f"{type(exc).__name__}: {exc}",
                             "reinstall the kit: `make clean lab` (or `pip install -e .`)"))
    return out


def check_simulation() -> Check:
    """The queue scenario runs (simpy, numpy and scipy working together); two replications
    of its defaults, the fewest its confidence interval takes."""
    from tipsim import scenarios

    module = scenarios.load("queue")
    result = module.run_cli(module.Params(), seed=1, replications=2)
    customers = int(result.get("customers", 0))
    ok = customers > 0
    return Check("simulation", "ok" if ok else "fail", f"queue scenario, {customers} customers",
                 "" if ok else "run `tipsim doctor` and report the output to the host")


def check_board() -> list[Check]:
    """The room board answers the configured token (only when one is configured)."""
    from tipsim.board.client import board_from_env, fetch

    board = board_from_env()
    if board is None:
        return []
    url, token = board
    try:
        fetch(url, token, "queue", after_id=2**62)  # answers, and accepts the token
    except TipsimError as exc:
        return [Check("room board", "fail", str(exc).splitlines()[0].rstrip("."),
                      "set TIPSIM_BOARD_URL and TIPSIM_BOARD_TOKEN to what the host's `tipsim "
                      "board serve` printed (and TIPSIM_ALLOW_HOSTS=<its host> if it is not "
                      "this machine)")]
    return [Check("room board", "ok", url)]


def _guarded(name: str, check: Callable[[], Check | list[Check]]) -> list[Check]:
    try:
        got = check()
    except Exception as exc:  # noqa: BLE001 - a check that breaks is a finding, not a crash
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Check(name, "fail", first, "run `tipsim doctor` for details")]
    return got if isinstance(got, list) else [got]


def preflight_checks() -> list[Check]:
    checks = _guarded("python", check_python) + _guarded("packages", check_packages)
    if any(c.status == "fail" for c in checks):
        return checks  # nothing further can run
    checks += _guarded("imports", check_imports)
    checks += _guarded("aws emulator", check_emulator)
    checks += _guarded("attendee namespace", check_namespace)
    checks += _guarded("lab extensions", check_lab_extensions)
    checks += _guarded("simulation", check_simulation)
    checks += _guarded("room board", check_board)
    return checks


def verdict(checks: list[Check], elapsed_s: float) -> tuple[bool, str]:
    """(ready?, the one line)."""
    failed = [c for c in checks if c.status == "fail"]
    if not failed:
        board = " and the room board" if any(c.name == "room board" for c in checks) else ""
        ns = [c.detail.split(":")[0] for c in checks if c.name == "attendee namespace"]
        return True, (f"ready: Python, the kit's packages, the AWS emulator, the JupyterLab "
                      f"widgets, a simulation{board} all work ({elapsed_s:.1f} s)."
                      + "".join(f" Your {n}." for n in ns))
    first = failed[0]
    more = (f" ({len(failed) - 1} more problem{'s' if len(failed) > 2 else ''}: "
            "`tipsim doctor` lists them)") if len(failed) > 1 else ""
    return False, f"not ready: {first.name}: {first.detail}. Fix: {first.fix}{more}"


def run_preflight(as_json: bool = False) -> int:
    t0 = time.perf_counter()
    checks = preflight_checks()
    ok, line = verdict(checks, time.perf_counter() - t0)
    if as_json:
        print(json.dumps({"ready": ok, "line": line, "checks": [asdict(c) for c in checks]},
                         indent=2))
    else:
        print(line)
    return 0 if ok else 1
