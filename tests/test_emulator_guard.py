"""The never-real-AWS guard: refuses AWS and non-local hosts before any traffic, ignores real credentials."""

from __future__ import annotations

import socket

import pytest

from tipsim.emulator import connect, find
from tipsim.emulator.guard import check_endpoint
from tipsim.emulator.session import EmulatorSession
from tipsim.errors import EndpointRefused

REAL_LOOKING = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLETOKEN",
}


@pytest.mark.parametrize("url", [
    "https://ec2.us-east-1.amazonaws.com",
    "https://s3.amazonaws.com",
    "http://sts.us-east-2.amazonaws.com:443",
    "https://route53.amazonaws.com.cn",
    "https://lambda.eu-west-1.api.aws",
])
def test_aws_hosts_are_refused_even_when_allow_listed(url, monkeypatch) -> None:
    """*.amazonaws.com is refused always, even if someone names it in TIPSIM_ALLOW_HOSTS."""
    host = url.split("://")[1].split(":")[0].split("/")[0]
    monkeypatch.setenv("TIPSIM_ALLOW_HOSTS", host)
    with pytest.raises(EndpointRefused, match="real AWS endpoint"):
        check_endpoint(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:4566", "http://localhost:4566",
                                 "http://[::1]:4566", "http://127.1.2.3:80"])
def test_loopback_endpoints_are_allowed(url) -> None:
    assert check_endpoint(url) == url


@pytest.mark.parametrize("url", ["http://10.0.0.5:4566", "http://192.168.1.20:4566",
                                 "http://example.com:4566", "http://0.0.0.0:4566"])
def test_non_loopback_endpoints_are_refused_with_the_fix(url) -> None:
    with pytest.raises(EndpointRefused, match="TIPSIM_ALLOW_HOSTS"):
        check_endpoint(url)


def test_a_workshop_host_named_explicitly_is_allowed(monkeypatch) -> None:
    monkeypatch.setenv("TIPSIM_ALLOW_HOSTS", "localstack.workshop.lan, 10.0.0.5")
    assert check_endpoint("http://10.0.0.5:4566")
    assert check_endpoint("http://LocalStack.Workshop.LAN:4566")


def test_connect_refuses_aws_endpoint_url_before_any_network_traffic(monkeypatch) -> None:
    """With real-looking credentials and AWS_ENDPOINT_URL at AWS, connect() fails in the guard,
    and no socket is ever opened."""
    for k, v in REAL_LOOKING.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://ec2.us-east-1.amazonaws.com")
    opened: list[object] = []
    real_connect = socket.socket.connect

    def spy(self, address):  # pragma: no cover - must not be reached
        opened.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a))
    with pytest.raises(EndpointRefused, match="ec2.us-east-1.amazonaws.com is a real AWS endpoint"):
        connect()
    assert opened == []


def test_localstack_host_pointing_elsewhere_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("LOCALSTACK_HOST", "my-team-localstack.example.org:4566")
    with pytest.raises(EndpointRefused, match="LOCALSTACK_HOST"):
        find()


def test_sessions_use_dummy_credentials_not_the_learners(emulator, monkeypatch) -> None:
    """Real-looking keys and a profile in the environment are ignored by every client the kit makes."""
    for k, v in REAL_LOOKING.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_PROFILE", "production-admin")  # does not exist: botocore would fail
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", "https://ec2.us-east-1.amazonaws.com")
    session = EmulatorSession(emulator.endpoint_url)
    ec2 = session.client("ec2")
    creds = ec2._request_signer._credentials
    assert creds.access_key == "test" and creds.secret_key == "test" and creds.token is None
    assert ec2.meta.endpoint_url == emulator.endpoint_url
    assert ec2.describe_vpcs()["Vpcs"] is not None  # and the call works on the emulator


def test_a_session_cannot_be_built_on_an_aws_endpoint() -> None:
    with pytest.raises(EndpointRefused):
        EmulatorSession("https://ec2.us-east-2.amazonaws.com")


@pytest.mark.parametrize("argv", [
    ["infra", "plan", "--set", "enable_new_ami=true"],
    ["infra", "apply"],
    ["infra", "show"],
    ["infra", "destroy"],
    ["infra", "smoke", "--json"],
    ["infra", "weights", "--blue", "5", "--green", "5"],
])
def test_every_kit_command_that_calls_aws_stops_at_the_guard(run_cli, monkeypatch, argv) -> None:
    """Real-looking credentials + AWS_ENDPOINT_URL at AWS: each command fails with the guard's
    message (exit 1, no traceback), and no socket is opened."""
    for k, v in REAL_LOOKING.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://ec2.us-east-1.amazonaws.com")
    opened: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: opened.append(addr))
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a))
    code, out, err = run_cli(*argv)
    assert code == 1, (out, err)
    assert "real AWS endpoint" in err and "Traceback" not in err
    assert opened == []
