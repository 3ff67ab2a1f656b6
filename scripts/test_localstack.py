"""``make test-localstack``: run the ``infra`` tests against a real LocalStack, no Docker.

Run as ``.venv/bin/python scripts/test_localstack.py [-- extra pytest args]``.

1. Find a Python >= 3.13 (LocalStack's runtime needs it; see
   ``tipsim.emulator.localstack_python`` for why not 3.12). None: print
   ``test-localstack: skipped: <why>`` and exit 0.
2. Create or update ``.venv-localstack/`` with the pinned ``localstack-core``
   (``tipsim.emulator.localstack_install``; skipped when its stamp matches).
3. Start LocalStack on a free 127.0.0.1 port in its own process group
   (``tipsim.emulator.localstack_runtime``); check that nothing it runs listens
   outside loopback.
4. Run ``pytest -m infra -v`` with ``TIPSIM_TEST_ENDPOINT`` pointing at it.
5. Stop it by pid (then the helpers it spawned), whatever happened; print which tests
   ran against LocalStack (and its version) and which were skipped and why.

Exit code: pytest's, except 5 ("no tests collected"), which is reported as a
failure with the reason; 1 when the install or the start fails or something
listens outside loopback.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tipsim.emulator import localstack_install, localstack_python
from tipsim.emulator import localstack_runtime as lsr
from tipsim.errors import EmulatorError

REPO = Path(__file__).resolve().parents[1]

PREFIX = "test-localstack:"
PYTEST_NO_TESTS = 5


def say(msg: str) -> None:
    print(f"{PREFIX} {msg}", flush=True)


@dataclass(frozen=True)
class TestOutcome:
    """One test case of the JUnit report."""

    nodeid: str
    outcome: str  # passed, failed, error, skipped
    emulator: str
    reason: str


def _nodeid(file: str, classname: str, name: str) -> str:
    """pytest's node id back from a JUnit test case (``file`` is written by xunit1)."""
    if not file:
        return f"{classname.replace('.', '/')}.py::{name}" if classname else name
    module = file[:-3].replace("/", ".") if file.endswith(".py") else file
    cls = classname[len(module) + 1:] if classname.startswith(module + ".") else ""
    return f"{file}::{cls}::{name}" if cls else f"{file}::{name}"


def read_junit(path: Path, default_emulator: str) -> list[TestOutcome]:
    """Test outcomes from a JUnit XML report (``pytest --junitxml``, family xunit1).

    ``emulator`` comes from the test's ``record_property("emulator", ...)`` when it
    recorded one, else ``default_emulator`` (every test of the run used that endpoint).
    """
    root = ET.parse(path).getroot()
    outcomes: list[TestOutcome] = []
    for case in root.iter("testcase"):
        nodeid = _nodeid(case.get("file", ""), case.get("classname", ""), case.get("name", ""))
        props = {p.get("name"): p.get("value", "") for p in case.iter("property")}
        outcome, reason = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                outcome = {"failure": "failed", "error": "error"}.get(tag, tag)
                reason = (node.get("message") or "").strip()
                break
        if reason.startswith("Skipped: "):
            reason = reason[len("Skipped: "):]
        outcomes.append(TestOutcome(nodeid, outcome, props.get("emulator") or default_emulator,
                                    reason.splitlines()[0][:200] if reason else ""))
    return merge_phases(outcomes)


_SEVERITY = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}


def merge_phases(outcomes: list[TestOutcome]) -> list[TestOutcome]:
    """One outcome per test: pytest writes a second test case for a teardown error after a
    failure; the worse of the two stands (error > failed > skipped > passed)."""
    merged: dict[str, TestOutcome] = {}
    for o in outcomes:
        old = merged.get(o.nodeid)
        if old is None or _SEVERITY[o.outcome] > _SEVERITY[old.outcome]:
            emulator = old.emulator if old is not None else o.emulator  # the call phase's
            merged[o.nodeid] = TestOutcome(o.nodeid, o.outcome, emulator, o.reason)
    return list(merged.values())


def summary_lines(outcomes: list[TestOutcome], localstack: str) -> list[str]:
    """People's summary: which tests ran on which emulator, which were skipped and why."""
    lines = []
    ran = [o for o in outcomes if o.outcome != "skipped"]
    skipped = [o for o in outcomes if o.outcome == "skipped"]
    by_emulator = Counter(o.emulator for o in ran)
    lines.append(f"ran with the emulator fixture on {localstack}: {len(ran)} test(s)"
                 + (f" ({', '.join(f'{n} on {e}' for e, n in by_emulator.items())})"
                    if set(by_emulator) - {localstack} else ""))
    for o in ran:
        mark = "ok  " if o.outcome == "passed" else o.outcome.upper()
        why = f": {o.reason}" if o.reason and o.outcome != "passed" else ""
        lines.append(f"  {mark} {o.nodeid}  [{o.emulator}]{why}")
    lines.append(f"skipped: {len(skipped)} test(s)")
    for o in skipped:
        lines.append(f"  skip {o.nodeid}: {o.reason}")
    return lines


def closing_line(outcomes: list[TestOutcome]) -> str:
    """The run's closing tally, in the plain 'N passed, N failed, N skipped' form."""
    counts = Counter(o.outcome for o in outcomes)
    failed = counts["failed"] + counts["error"]
    return f"localstack: {counts['passed']} passed, {failed} failed, {counts['skipped']} skipped"


def check_loopback(proc: lsr.LocalStackProcess, when: str) -> bool:
    """Print LocalStack's listening sockets; False if any is outside loopback."""
    listeners = proc.listeners()
    outside = [str(sock) for sock in listeners if not sock.loopback]
    say(f"listening sockets {when}: " + (", ".join(map(str, listeners)) or "none"))
    if outside:
        say(f"ERROR: LocalStack listens outside loopback {when}: {', '.join(outside)}")
    return not outside


def service_report(endpoint_url: str) -> str:
    """One line: which services answered a read on this LocalStack (or why not)."""
    from tipsim.emulator.session import EmulatorSession
    from tipsim.emulator.status import service_counts

    counts = service_counts(EmulatorSession(endpoint_url))
    return ", ".join(f"{name}: {'ok' if isinstance(v, int) else v}"
                     for name, v in counts.items() if name != "ec2_instances")


def simulated_only_report(endpoint_url: str) -> str:
    """One line: what the infrastructure layer leaves to the simulation here, and why."""
    from tipsim.emulator import EmulatorInfo
    from tipsim.emulator.session import EmulatorSession
    from tipsim.infra.capabilities import detect

    caps = detect(EmulatorSession(endpoint_url, info=EmulatorInfo("localstack", endpoint_url)))
    missing = caps.to_dict()["simulated_only"]
    return "; ".join(f"{k} ({v})" for k, v in missing.items()) or "nothing"


def run_pytest(endpoint_url: str, junit: Path, extra: list[str]) -> int:
    env = dict(os.environ)
    env["TIPSIM_TEST_ENDPOINT"] = endpoint_url
    cmd = [sys.executable, "-m", "pytest", "-m", "infra", "-v", "-p", "no:cacheprovider",
           f"--junitxml={junit}", "-o", "junit_family=xunit1", *extra]
    say("running " + " ".join(cmd[2:]) + f" with TIPSIM_TEST_ENDPOINT={endpoint_url}")
    return subprocess.run(cmd, cwd=REPO, env=env, check=False).returncode  # noqa: S603


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/test_localstack.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", type=Path, default=localstack_install.DEFAULT_VENV_DIR,
                        help="LocalStack's venv (default .venv-localstack/)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    args = parser.parse_args(argv)

    # A SIGTERM (CI's time limit, a closed terminal) still runs the `finally` that stops
    # LocalStack: it lives in its own session and would not get the signal itself.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    search = localstack_python.find_python()
    if search.python is None:
        say(f"skipped: {search.why_none()}")
        return 0
    version = localstack_python.dotted_version(search.python.version or ())
    say(f"using {search.python.path} (Python {version})")
    try:
        runtime = localstack_install.ensure_runtime(search.python, args.venv, log=say)
    except EmulatorError as exc:
        say(f"FAILED to install LocalStack's runtime: {exc}")
        return 1
    if runtime.installed:
        say(f"installed in {runtime.install_s:.0f} s")
    try:
        proc = lsr.start_localstack(runtime.python)
    except EmulatorError as exc:
        say(f"FAILED to start LocalStack: {exc}")
        return 1

    name = f"LocalStack {proc.version}".strip()
    code, outside_ok, keep = 1, True, False
    with tempfile.TemporaryDirectory(prefix="tipsim-ls-junit-") as tmp:
        junit = Path(tmp) / "junit.xml"
        try:
            say(f"{name} ({proc.edition or 'unknown'} edition) answers at {proc.endpoint_url}, "
                f"pid {proc.pid}, ready in {proc.start_s:.1f} s, {proc.rss_mb():.0f} MB resident")
            outside_ok = check_loopback(proc, "after start")
            say("services: " + service_report(proc.endpoint_url))
            say("simulated only by tipsim.infra: " + simulated_only_report(proc.endpoint_url))
            started = time.monotonic()
            code = run_pytest(proc.endpoint_url, junit, args.pytest_args)
            say(f"pytest exited {code} after {time.monotonic() - started:.1f} s; "
                f"LocalStack now {proc.rss_mb():.0f} MB resident")
            outside_ok = check_loopback(proc, "after the tests") and outside_ok
        finally:
            keep = code not in (0,)
            report = proc.stop(keep_files=keep)
            say(f"stopped pid {report.pid} and its helpers in {report.stop_s:.1f} s with "
                f"{', '.join(report.signals) or 'no signal (already gone)'}"
                + ("" if report.clean else f"; STILL RUNNING: {report.leftover_pids}"))
            if keep:
                say(f"LocalStack's log is kept at {proc.log_path}")
        outcomes = read_junit(junit, name) if junit.exists() else []

    print()
    for line in summary_lines(outcomes, name):
        say(line)
    if code == PYTEST_NO_TESTS:
        say("FAILED: pytest collected no test marked `infra` (exit 5): the run checked nothing "
            "against LocalStack")
    if not outside_ok:
        say("FAILED: LocalStack listened outside loopback (see above)")
        code = code or 1
    if not report.clean:
        code = code or 1
    print(closing_line(outcomes), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
