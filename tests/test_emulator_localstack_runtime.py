"""Starting and stopping LocalStack's runtime, and the ``make test-localstack`` script,
checked without LocalStack.

Starting runs against a tiny health server standing in for LocalStack (it serves
``/_localstack/health`` on ``GATEWAY_LISTEN``); the script's reading of pytest's
report runs against a real pytest run of a few demo tests.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fake_interpreters import answers, fake_python

from tipsim.emulator import localstack_python, processes
from tipsim.emulator import localstack_runtime as lsr
from tipsim.errors import EmulatorError


def test_localstack_env_is_loopback_only_and_carries_no_credentials(tmp_path: Path) -> None:
    """The child's environment pins the gateway to 127.0.0.1, turns DNS off and drops AWS_*."""
    base = {"PATH": "/usr/bin", "AWS_SECRET_ACCESS_KEY": "real", "AWS_PROFILE": "prod",
            "LOCALSTACK_AUTH_TOKEN": "tok", "GATEWAY_LISTEN": "0.0.0.0:4566",
            "TIPSIM_TEST_ENDPOINT": "http://x"}
    env = lsr.localstack_env(45123, tmp_path, base)
    assert env["GATEWAY_LISTEN"] == "127.0.0.1:45123"
    assert env["LOCALSTACK_HOST"] == "127.0.0.1:45123"
    assert env["DNS_ADDRESS"] == "0" and env["OVERRIDE_IN_DOCKER"] == "0"
    assert env["FILESYSTEM_ROOT"] == str(tmp_path) and env["PATH"] == "/usr/bin"
    assert not {k for k in env if k.startswith(("AWS_", "LOCALSTACK_AUTH", "TIPSIM_"))}



# ----------------------------------------------------------------------------- starting
HEALTH_SERVER = r'''
import json, os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
host, port = os.environ["GATEWAY_LISTEN"].rsplit(":", 1)
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"services": {"ec2": "available", "elb": "disabled"},
                           "edition": "community", "version": "0.0-fake",
                           "dns": os.environ["DNS_ADDRESS"]}).encode()
        self.send_response(200 if self.path == "/_localstack/health" else 404)
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
if os.environ.get("FAKE_LS_HELPER"):  # a helper that binds UDP and ignores SIGTERM
    import subprocess
    subprocess.Popen([sys.executable, "-c", "import signal, socket, time; "
                      "signal.signal(signal.SIGTERM, signal.SIG_IGN); s = socket.socket("
                      "socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0)); "
                      "time.sleep(60)"])
print("fake localstack on", port, flush=True)
HTTPServer((host, int(port)), H).serve_forever()
'''


def test_start_waits_for_health_then_stop_ends_it_and_removes_its_folder(
        tmp_path: Path) -> None:
    """Against a stand-in that serves /_localstack/health on GATEWAY_LISTEN."""
    script = tmp_path / "fake_runtime.py"
    script.write_text(HEALTH_SERVER)
    python = fake_python(tmp_path / "venv/bin/python", f'exec "{sys.executable}" "{script}"')
    proc = lsr.start_localstack(python, timeout_s=30, base_dir=tmp_path)
    try:
        assert proc.version == "0.0-fake" and proc.edition == "community"
        assert proc.health["dns"] == "0"
        socks = proc.listeners()
        assert [(s.address, s.port) for s in socks if s.proto == "tcp"] == [("127.0.0.1",
                                                                             proc.port)]
        assert proc.rss_mb() > 1.0
        assert "fake localstack on" in lsr.log_tail(proc.log_path)
    finally:
        report = proc.stop()
    assert report.clean and report.signals == ("SIGTERM pid",)
    assert not proc.workdir.exists() and lsr.health(proc.endpoint_url, 0.5) is None


def test_a_helper_it_spawned_is_listed_and_stopped_with_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its helpers' sockets count as its own; a helper deaf to SIGTERM is killed after it."""
    script = tmp_path / "fake_runtime.py"
    script.write_text(HEALTH_SERVER)
    python = fake_python(tmp_path / "venv/bin/python", f'exec "{sys.executable}" "{script}"')
    monkeypatch.setenv("FAKE_LS_HELPER", "1")
    proc = lsr.start_localstack(python, timeout_s=30, base_dir=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not [s for s in proc.listeners()
                                                   if s.proto == "udp"]:
            time.sleep(0.1)
        (udp,) = [s for s in proc.listeners() if s.proto == "udp"]
        assert udp.pid != proc.pid and udp.loopback
    finally:
        report = proc.stop(grace_s=1.0)
    assert report.signals == ("SIGTERM pid", "SIGTERM children", "SIGKILL children")
    assert report.clean and processes.pid_gone(udp.pid)


def test_start_failure_raises_with_the_log_tail_and_leaves_nothing_running(
        tmp_path: Path) -> None:
    """A runtime that dies at start: the error quotes its last words."""
    python = fake_python(tmp_path / "venv/bin/python",
                         'echo "ERROR: No component plugins found"; exit 3')
    with pytest.raises(EmulatorError, match="(?s)exited at start.*No component plugins"):
        lsr.start_localstack(python, timeout_s=30, base_dir=tmp_path)
    kept = list(tmp_path.glob("tipsim-localstack-*/localstack.log"))
    assert len(kept) == 1 and "No component plugins" in kept[0].read_text()


def test_start_timeout_stops_the_silent_process(tmp_path: Path) -> None:
    """A runtime that never answers is stopped by pid when the wait runs out."""
    pid_file = tmp_path / "pid"
    python = fake_python(tmp_path / "venv/bin/python", f'echo $$ > "{pid_file}"; exec sleep 60')
    with pytest.raises(EmulatorError, match="did not answer"):
        lsr.start_localstack(python, timeout_s=1.0, base_dir=tmp_path)
    assert processes.pid_gone(int(pid_file.read_text()))



# ----------------------------------------------------------------------------- the script
def load_script() -> Any:
    """``scripts/test_localstack.py`` as a module (it is run as a file, not imported)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "test_localstack.py"
    spec = importlib.util.spec_from_file_location("tipsim_test_localstack_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_script_skips_with_the_reason_and_exit_0_when_no_python_fits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    """No Python >= 3.13: one 'skipped: <why>' line, exit 0, nothing installed or started."""
    script = load_script()
    old = fake_python(tmp_path / "python3.12", answers("3.12.1"))
    search = localstack_python.find_python([old])
    monkeypatch.setattr(script.localstack_python, "find_python", lambda: search)
    monkeypatch.setattr(script.localstack_install, "ensure_runtime",
                        lambda *a, **k: pytest.fail("must not install"))
    assert script.main(["--venv", str(tmp_path / "venv")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("test-localstack: skipped: no Python >= 3.13")
    assert "is Python 3.12.1, too old" in out[0]


DEMO_TESTS = '''
import pytest

def test_on_localstack(record_property):
    record_property("emulator", "LocalStack 9.9")

def test_not_in_edition():
    pytest.skip("elb is not in this LocalStack edition (HTTP 501)")

class TestGroup:
    def test_breaks(self):
        assert 1 == 2

@pytest.fixture
def bad_teardown():
    yield
    raise RuntimeError("teardown broke")

def test_fails_then_teardown_errors(bad_teardown):
    assert False, "call broke"
'''


def test_script_summary_reads_pytest_junit_report_of_ran_skipped_and_failed_tests(
        tmp_path: Path) -> None:
    """A real pytest run's xunit1 report: node ids, emulator property, skip reason, tally."""
    script = load_script()
    (tmp_path / "test_demo.py").write_text(DEMO_TESTS)
    junit = tmp_path / "junit.xml"
    done = subprocess.run([sys.executable, "-m", "pytest", "test_demo.py", "-q",
                           "-p", "no:cacheprovider", f"--junitxml={junit}",
                           "-o", "junit_family=xunit1"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 1, done.stdout
    outcomes = {o.nodeid: o for o in script.read_junit(junit, "LocalStack 9.9")}
    assert set(outcomes) == {"test_demo.py::test_on_localstack",
                             "test_demo.py::test_not_in_edition",
                             "test_demo.py::TestGroup::test_breaks",
                             "test_demo.py::test_fails_then_teardown_errors"}
    # pytest writes two test cases for it (call failed, teardown errored): one outcome stays
    assert outcomes["test_demo.py::test_fails_then_teardown_errors"].outcome == "error"
    assert outcomes["test_demo.py::test_on_localstack"].outcome == "passed"
    skipped = outcomes["test_demo.py::test_not_in_edition"]
    assert skipped.outcome == "skipped" and skipped.reason == (
        "elb is not in this LocalStack edition (HTTP 501)")
    assert outcomes["test_demo.py::TestGroup::test_breaks"].outcome == "failed"
    lines = script.summary_lines(list(outcomes.values()), "LocalStack 9.9")
    assert lines[0] == "ran with the emulator fixture on LocalStack 9.9: 3 test(s)"
    assert "  skip test_demo.py::test_not_in_edition: elb is not in this LocalStack edition " \
           "(HTTP 501)" in lines
    assert script.closing_line(list(outcomes.values())) == (
        "localstack: 1 passed, 2 failed, 1 skipped")

