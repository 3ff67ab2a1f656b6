"""Which emulator the kit uses, the shared emulator's life cycle, machine images, and the doctor."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tipsim.emulator import connect, find, reset_embedded
from tipsim.emulator.embedded import free_loopback_port
from tipsim.emulator.probe import port_open

pytestmark = pytest.mark.infra


def _tipsim(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tipsim", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_connect_uses_the_emulator_that_answers_at_localstack_host(emulator) -> None:
    session = connect()
    assert session.endpoint_url == emulator.endpoint_url
    assert session.info.kind in {"moto-server", "localstack"}
    assert session.info.version  # it says which version


def test_connect_starts_an_embedded_emulator_when_nothing_answers(monkeypatch) -> None:
    if os.environ.get("TIPSIM_TEST_ENDPOINT"):
        pytest.skip("LocalStack run: the embedded fallback is tested in make test")
    monkeypatch.setenv("LOCALSTACK_HOST", f"127.0.0.1:{free_loopback_port()}")
    try:
        session = connect()
        assert session.info.kind == "embedded"
        assert "in this process" in session.info.describe()
        assert session.client("ec2").describe_vpcs()["Vpcs"]  # moto's default VPC answers
        assert connect().endpoint_url == session.endpoint_url  # made once
    finally:
        reset_embedded()


@pytest.mark.parametrize("pattern, expected", [
    ("ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-*", "xenial-16.04"),
    ("ubuntu/images/hvm-ssd/ubuntu-bionic-18.04-amd64-server-*", "bionic-18.04"),
    ("bitnami-nginx-1.14*", "nginx-1.14"),
    ("bitnami-nginx-1.16*", "nginx-1.16"),
])
def test_the_talks_images_are_found_by_name_filter(emulator, pattern, expected) -> None:
    images = emulator.session.client("ec2").describe_images(
        Filters=[{"Name": "name", "Values": [pattern]}])["Images"]
    assert len(images) == 1 and expected in images[0]["Name"]


@pytest.fixture
def shared_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, TIPSIM_STATE_DIR=str(tmp_path / "state"), PYTHONUNBUFFERED="1")
    return env


def test_shared_emulator_starts_reports_and_stops_by_pid(shared_env) -> None:
    """start -> status (kind, version, uptime, counts) -> stop; the port is free afterwards."""
    port = free_loopback_port()
    started = _tipsim("emulator", "start", "--port", str(port), env=shared_env)
    assert started.returncode == 0, started.stderr
    assert f"127.0.0.1:{port}" in started.stdout
    try:
        again = _tipsim("emulator", "start", "--port", str(port), env=shared_env)
        assert "already running" in again.stdout
        status = _tipsim("emulator", "status", "--port", str(port), "--json", env=shared_env)
        info = json.loads(status.stdout)
        assert info["kind"].startswith("moto-server")
        assert info["version"] and info["uptime_s"] >= 0
        assert info["resources"]["ec2"] == 1  # the default VPC
        # Connected through LOCALSTACK_HOST, a notebook sees the shared emulator's state.
        env = dict(shared_env, LOCALSTACK_HOST=f"127.0.0.1:{port}")
        doctor = _tipsim("doctor", env=env)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert "shared moto server" in doctor.stdout and f"127.0.0.1:{port}" in doctor.stdout
    finally:
        stopped = _tipsim("emulator", "stop", "--port", str(port), env=shared_env)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert not port_open("127.0.0.1", port, 0.5)
    state_files = list(Path(shared_env["TIPSIM_STATE_DIR"]).glob("*.json"))
    assert state_files == []


def test_start_on_a_port_held_by_something_else_names_the_port_and_the_fix(shared_env) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = _tipsim("emulator", "start", "--port", str(port), env=shared_env)
    finally:
        server.shutdown()
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


class _SlowMoto(http.server.BaseHTTPRequestHandler):
    """Answers like a busy moto server: 404 for LocalStack's health, moto's config late."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.path == "/moto-api/config":
            threading.Event().wait(1.5)  # longer than the 1 s connect timeout
            body = b'{"batch": {}, "lambda": {}}'
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


def test_a_busy_moto_server_is_still_recognised_as_moto() -> None:
    """A shared emulator slow to answer (a loaded laptop) is still the shared emulator, not
    "something else" that would make every notebook start its own."""
    from tipsim.emulator.probe import probe

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowMoto)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert probe(f"http://127.0.0.1:{server.server_address[1]}").kind == "moto"
    finally:
        server.shutdown()
        server.server_close()


def test_doctor_exits_zero_and_names_the_embedded_emulator(shared_env) -> None:
    env = dict(shared_env, LOCALSTACK_HOST=f"127.0.0.1:{free_loopback_port()}")
    result = _tipsim("doctor", env=env)
    assert result.returncode == 0, result.stdout
    assert "embedded moto" in result.stdout
    assert "All set" in result.stdout


def test_doctor_fails_with_a_fix_when_the_endpoint_is_real_aws(shared_env) -> None:
    env = dict(shared_env, AWS_ENDPOINT_URL="https://ec2.us-east-1.amazonaws.com",
               AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40)
    result = _tipsim("doctor", "--json", env=env)
    assert result.returncode == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["aws emulator"]["status"] == "fail"
    assert "real AWS endpoint" in checks["aws emulator"]["detail"]


def test_find_reports_localstack_services_when_localstack_answers(emulator) -> None:
    info = find(allow_embedded=False)
    assert info.endpoint_url == emulator.endpoint_url
