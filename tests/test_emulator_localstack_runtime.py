"""The LocalStack runtime manager, checked without LocalStack.

Python discovery runs against fake interpreters (small shell scripts that answer
like ``python -c`` would, or fail like a pyenv shim); the install step against a
recording runner; stopping by pid and process group against dummy child
processes; starting against a tiny health server standing in for LocalStack.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tipsim.emulator import localstack_runtime as lsr
from tipsim.errors import EmulatorError

PINS = ("localstack-core[runtime]==2026.3.0", "cbor2<6")


def fake_python(path: Path, body: str) -> Path:
    """An executable shell script at ``path`` (parents made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def answers(version: str, ensurepip: int = 1) -> str:
    return f'echo "{version} {ensurepip}"'


SHIM_BODY = ('echo "pyenv: $(basename $0): command not found" >&2\n'
             'echo "The command exists in these Python versions: 3.13.0" >&2\nexit 127')


def candidate(version: tuple[int, int, int], path: str = "/x/python3") -> lsr.PythonCandidate:
    return lsr.PythonCandidate(Path(path), version, "")


# ----------------------------------------------------------------------------- discovery
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
    env = {"PATH": str(bin_dir), "PYENV_ROOT": str(root), lsr.PYTHON_ENV: str(override)}
    assert lsr.candidate_pythons(env, system_dirs=()) == [override, on_path, new, old]


def test_inspect_tells_usable_old_shim_and_venvless_interpreters_apart(tmp_path: Path) -> None:
    """Each interpreter is run once; the reason says what is wrong with it."""
    good = lsr.inspect_python(fake_python(tmp_path / "a/python3.13", answers("3.13.2")))
    assert good.usable and good.version == (3, 13, 2)
    old = lsr.inspect_python(fake_python(tmp_path / "b/python3.12", answers("3.12.1")))
    assert not old.usable and "too old" in old.reason and old.version == (3, 12, 1)
    shim = lsr.inspect_python(fake_python(tmp_path / "c/python3.13", SHIM_BODY))
    assert not shim.usable and "exit 127" in shim.reason and shim.version is None
    no_venv = lsr.inspect_python(fake_python(tmp_path / "d/python3.13", answers("3.13.2", 0)))
    assert not no_venv.usable and "python3.13-venv" in no_venv.reason
    missing = lsr.inspect_python(tmp_path / "nowhere/python3.13")
    assert not missing.usable and "does not run" in missing.reason


def test_find_python_skips_a_refusing_shim_and_takes_the_real_interpreter(
        tmp_path: Path) -> None:
    """pyenv's shim for an unselected version exits 127: the versions/ binary is used."""
    shim = fake_python(tmp_path / "shims/python3.13", SHIM_BODY)
    real = fake_python(tmp_path / "versions/3.13.0/bin/python3.13", answers("3.13.0"))
    search = lsr.find_python([shim, real])
    assert search.python is not None and search.python.path == real
    assert [c.path for c in search.tried] == [shim, real]
    assert search.why_none() == ""


def test_no_usable_python_gives_one_line_naming_every_candidate(tmp_path: Path) -> None:
    """The skip message names each interpreter tried and why it was refused."""
    old = fake_python(tmp_path / "a/python3.12", answers("3.12.1"))
    shim = fake_python(tmp_path / "b/python3.13", SHIM_BODY)
    why = lsr.find_python([old, shim]).why_none()
    assert "Python >= 3.13" in why and "\n" not in why
    assert f"{old}: is Python 3.12.1, too old" in why and f"{shim}: does not run" in why
    assert "TIPSIM_LOCALSTACK_PYTHON" in lsr.find_python([]).why_none()


def test_the_python_found_on_this_machine_really_is_new_enough() -> None:
    """Whatever discovery picks here, running it reports a version >= 3.13."""
    search = lsr.find_python()
    if search.python is None:
        pytest.skip(search.why_none())
    out = subprocess.run([str(search.python.path), "-c", "import sys; print(sys.version_info[:2])"],
                         capture_output=True, text=True, check=True, timeout=30)
    assert eval(out.stdout) >= lsr.MIN_PYTHON  # noqa: S307 - a tuple we printed


# ----------------------------------------------------------------------------- stamp
def make_venv(venv: Path, stamp: dict[str, Any] | str | None) -> None:
    fake_python(lsr.venv_python(venv), answers("3.13.0"))
    if stamp is not None:
        text = stamp if isinstance(stamp, str) else json.dumps(stamp)
        (venv / lsr.STAMP_NAME).write_text(text)


def test_stamp_matches_only_same_pins_and_same_python_minor(tmp_path: Path) -> None:
    """Up to date = venv python exists and the stamp holds these pins for this minor version."""
    py = candidate((3, 13, 0))
    venv = tmp_path / "venv"
    assert not lsr.runtime_up_to_date(venv, py, PINS)  # nothing there
    make_venv(venv, lsr.stamp_record(py, PINS))
    assert lsr.runtime_up_to_date(venv, py, PINS)
    assert lsr.runtime_up_to_date(venv, candidate((3, 13, 7)), PINS)  # a patch release is fine
    assert not lsr.runtime_up_to_date(venv, candidate((3, 14, 0)), PINS)
    assert not lsr.runtime_up_to_date(venv, py, (*PINS[:1], "cbor2<7"))
    assert not lsr.runtime_up_to_date(venv, py, PINS[:1])
    (venv / lsr.STAMP_NAME).write_text("{not json")
    assert not lsr.runtime_up_to_date(venv, py, PINS)
    make_venv(venv, lsr.stamp_record(py, PINS))
    lsr.venv_python(venv).unlink()
    assert not lsr.runtime_up_to_date(venv, py, PINS)


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
            fake_python(lsr.venv_python(Path(cmd[-1])), answers("3.13.0"))
        return subprocess.CompletedProcess(cmd, 0, "", "")


def test_install_creates_venv_installs_pins_then_is_skipped_until_pins_change(
        tmp_path: Path) -> None:
    """First call: venv + pip install of exactly the pins; second: nothing; new pins: again."""
    py = candidate((3, 13, 0), "/opt/py/python3.13")
    venv = tmp_path / "venv"
    runner = RecordingRunner()
    first = lsr.ensure_runtime(py, venv, PINS, runner=runner)
    assert first.installed and first.python == lsr.venv_python(venv)
    assert runner.commands[0] == ["/opt/py/python3.13", "-m", "venv", "--clear", str(venv)]
    assert runner.commands[1][:4] == [str(lsr.venv_python(venv)), "-m", "pip", "install"]
    assert runner.commands[1][-len(PINS):] == list(PINS)
    assert json.loads((venv / lsr.STAMP_NAME).read_text())["pins"] == list(PINS)

    second = lsr.ensure_runtime(py, venv, PINS, runner=runner)
    assert not second.installed and len(runner.commands) == 2

    lsr.ensure_runtime(py, venv, (*PINS, "pyopenssl==25.3.0"), runner=runner)
    assert len(runner.commands) == 4 and runner.commands[3][-1] == "pyopenssl==25.3.0"


def test_failed_install_raises_with_pip_output_and_leaves_no_stamp(tmp_path: Path) -> None:
    """A pip failure is an EmulatorError ending with pip's words; the next run retries."""
    py = candidate((3, 13, 0))
    venv = tmp_path / "venv"
    make_venv(venv, lsr.stamp_record(py, ("old-pin",)))
    with pytest.raises(EmulatorError, match="No matching distribution"):
        lsr.ensure_runtime(py, venv, PINS, runner=RecordingRunner(fail_at=1))
    assert not (venv / lsr.STAMP_NAME).exists()
    assert not lsr.runtime_up_to_date(venv, py, PINS)


# ----------------------------------------------------------------------------- stopping
def spawn_group(script: str) -> tuple[subprocess.Popen, list[int]]:
    """Start ``script`` in its own session; it prints pids it wants watched, one a line."""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "ready pid pid ..."
    assert line.startswith("ready"), line
    return proc, [int(x) for x in line.split()[1:]]


IGNORE_TERM = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
GRANDCHILD = ("import subprocess, sys, time\n"
              "child = subprocess.Popen([sys.executable, '-c', {code!r}])\n")


def alive(pid: int) -> bool:
    return not lsr.pid_gone(pid)


def test_a_polite_process_stops_on_sigterm_alone() -> None:
    """SIGTERM to the pid is enough for a process that honours it; nothing else is sent."""
    proc, _ = spawn_group("import time; print('ready', flush=True); time.sleep(60)")
    report = lsr.stop_process_group(proc.pid, proc.pid, grace_s=5.0)
    assert report.signals == ("SIGTERM pid",) and report.clean
    assert report.stop_s < 5.0


def test_a_stubborn_process_and_its_helper_are_killed_by_pid_then_group() -> None:
    """Leader and grandchild both ignore SIGTERM: SIGKILL after the grace period, then the
    group's leftover gets SIGTERM and SIGKILL through killpg of the group we created."""
    helper = IGNORE_TERM + "import time; time.sleep(60)"
    script = (IGNORE_TERM + GRANDCHILD.format(code=helper)
              + "time.sleep(0.3); print('ready', child.pid, flush=True); time.sleep(60)")
    proc, (grandchild,) = spawn_group(script)
    assert alive(grandchild) and lsr.group_pids(proc.pid) == sorted([proc.pid, grandchild])
    report = lsr.stop_process_group(proc.pid, proc.pid, grace_s=0.5, popen=proc)
    assert report.signals == ("SIGTERM pid", "SIGKILL pid", "SIGTERM group", "SIGKILL group")
    assert report.clean and not alive(grandchild) and proc.poll() is not None
    assert proc.returncode == -signal.SIGKILL


def test_a_helper_left_behind_by_the_leader_is_reaped_by_group_id() -> None:
    """The leader exits on SIGTERM, its helper does not notice: killpg ends the helper."""
    script = (GRANDCHILD.format(code="import time; time.sleep(60)")
              + "time.sleep(0.3); print('ready', child.pid, flush=True); time.sleep(60)")
    proc, (grandchild,) = spawn_group(script)
    report = lsr.stop_process_group(proc.pid, proc.pid, grace_s=5.0)
    assert report.signals == ("SIGTERM pid", "SIGTERM group")
    assert report.clean and not alive(grandchild)


def test_refuses_to_signal_our_own_group_or_init() -> None:
    """Only a group this module created may be signalled, never the caller's or pid 1's."""
    for pgid in (os.getpgrp(), 1, 0):
        with pytest.raises(EmulatorError, match="refusing"):
            lsr.stop_process_group(os.getpid(), pgid)


# ----------------------------------------------------------------------------- sockets, env
@pytest.mark.parametrize(("hex_addr", "expected"), [
    ("0100007F:1F90", ("127.0.0.1", 8080)),
    ("00000000:0035", ("0.0.0.0", 53)),
    ("00000000000000000000000001000000:11D6", ("::1", 4566)),
    ("00000000000000000000000000000000:0016", ("::", 22)),
])
def test_proc_net_addresses_decode(hex_addr: str, expected: tuple[str, int]) -> None:
    """``/proc/net/tcp*`` addresses as the Linux kernel writes them."""
    assert lsr.decode_proc_address(hex_addr) == expected


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_listening_sockets_finds_our_loopback_listener_and_udp_socket() -> None:
    """Sockets are matched to their owning pid through /proc/PID/fd inodes."""
    with socket.socket() as tcp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        tcp.bind(("127.0.0.1", 0))
        tcp.listen()
        udp.bind(("127.0.0.1", 0))
        found = lsr.listening_sockets([os.getpid()])
        mine = {(s.proto, s.address, s.port) for s in found}
        assert ("tcp", "127.0.0.1", tcp.getsockname()[1]) in mine
        assert ("udp", "127.0.0.1", udp.getsockname()[1]) in mine
        assert all(s.loopback for s in found if s.port in (tcp.getsockname()[1],
                                                           udp.getsockname()[1]))
    assert not lsr.Listener("tcp", "0.0.0.0", 53, 1).loopback
    assert not lsr.Listener("udp6", "::", 53, 1).loopback


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
    started = time.monotonic()
    with pytest.raises(EmulatorError, match="did not answer"):
        lsr.start_localstack(python, timeout_s=1.0, base_dir=tmp_path)
    assert time.monotonic() - started < 15
    assert lsr.pid_gone(int(pid_file.read_text()))


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
    search = lsr.find_python([old])
    monkeypatch.setattr(script.lsr, "find_python", lambda: search)
    monkeypatch.setattr(script.lsr, "ensure_runtime",
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


def test_context_manager_stops_localstack_even_when_the_body_raises(tmp_path: Path) -> None:
    """running_localstack: up-to-date venv is reused, and an error inside still stops it."""
    script = tmp_path / "fake_runtime.py"
    script.write_text(HEALTH_SERVER)
    py = candidate((3, 13, 0))
    venv = tmp_path / "venv"
    make_venv(venv, lsr.stamp_record(py, lsr.LOCALSTACK_PINS))
    fake_python(lsr.venv_python(venv), f'exec "{sys.executable}" "{script}"')
    seen: dict[str, Any] = {}
    with pytest.raises(RuntimeError, match="test body broke"), \
            lsr.running_localstack(py, venv_dir=venv) as ls:
        seen.update(pid=ls.pid, workdir=ls.workdir, url=ls.endpoint_url)
        assert lsr.health(ls.endpoint_url) is not None
        raise RuntimeError("test body broke")
    assert lsr.pid_gone(seen["pid"]) and not seen["workdir"].exists()
    assert lsr.health(seen["url"], 0.5) is None
