"""Shared fixtures.

Tests never touch port 4566 (a learner's LocalStack may live there): one in-process
moto server on a free loopback port serves the whole run, and ``LOCALSTACK_HOST``
points at it so that every ``tipsim.emulator.connect()`` in a test finds it.
``make test-localstack`` sets ``TIPSIM_TEST_ENDPOINT`` to a real LocalStack instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

# No real credentials or endpoints leak into tests.
for _var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
             "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "TIPSIM_ALLOW_HOSTS"):
    os.environ.pop(_var, None)


# Until a test asks for the emulator fixture, LOCALSTACK_HOST names a loopback port where nothing
# listens: notebooks run by nbmake then start an emulator in their own kernel, and nothing in a
# test run ever reaches a learner's LocalStack on 4566.
if not os.environ.get("TIPSIM_TEST_ENDPOINT"):
    import socket as _socket

    with _socket.socket() as _s:
        _s.bind(("127.0.0.1", 0))
        os.environ["LOCALSTACK_HOST"] = f"127.0.0.1:{_s.getsockname()[1]}"


@dataclass
class TestEmulator:
    """The run's emulator: a session on it, and how to clear it between tests."""

    session: object
    endpoint_url: str
    kind: str  # "embedded" (moto) or "localstack"

    def reset(self) -> None:
        if self.kind == "embedded":
            from tipsim.emulator.embedded import reset_moto

            reset_moto(self.endpoint_url)


@pytest.fixture(scope="session")
def _emulator_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestEmulator]:
    from tipsim.emulator import EmulatorInfo, EmulatorSession

    external = os.environ.get("TIPSIM_TEST_ENDPOINT")
    if external:
        host = external.split("://", 1)[-1]
        os.environ["LOCALSTACK_HOST"] = host
        info = EmulatorInfo("localstack", external)
        yield TestEmulator(EmulatorSession(external, info=info), external, "localstack")
        return
    from tipsim.emulator.embedded import InProcessEmulator

    server = InProcessEmulator()
    os.environ["LOCALSTACK_HOST"] = f"127.0.0.1:{server.port}"
    os.environ["TIPSIM_STATE_DIR"] = str(tmp_path_factory.mktemp("tipsim-state"))
    info = EmulatorInfo("embedded", server.endpoint_url)
    try:
        yield TestEmulator(EmulatorSession(server.endpoint_url, info=info),
                           server.endpoint_url, "embedded")
    finally:
        server.stop()


@pytest.fixture
def emulator(_emulator_run: TestEmulator) -> TestEmulator:
    """A clean emulator for one test (moto state reset before it)."""
    _emulator_run.reset()
    return _emulator_run


@pytest.fixture
def run_cli():
    """Run the ``tipsim`` CLI in-process; returns (exit code, stdout, stderr)."""
    import contextlib
    import io

    from tipsim.cli import main

    def _run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
        return code, out.getvalue(), err.getvalue()

    return _run




def _kind(report: pytest.TestReport) -> str:
    if "browser" in report.keywords:  # before the name: a browser test's may hold "NN.ipynb"
        return "browser"
    if report.nodeid.split("::")[0].endswith(".ipynb"):
        return "notebook"
    return "unit"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    """Count notebook and browser tests apart, so `make test` says which ran."""
    from collections import Counter

    counts: dict[str, Counter] = {"unit": Counter(), "notebook": Counter(), "browser": Counter()}
    for outcome in ("passed", "failed", "skipped", "error"):
        for rep in terminalreporter.stats.get(outcome, []):
            if not isinstance(rep, pytest.TestReport):
                continue
            if outcome in ("passed", "failed") and rep.when != "call":
                continue
            counts[_kind(rep)][outcome] += 1
    terminalreporter.section("tipsim test counts")
    for kind, c in counts.items():
        terminalreporter.write_line(
            f"{kind} tests: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped"
            + (f", {c['error']} errors" if c["error"] else ""))

pytest_plugins = ["browser_support"]
