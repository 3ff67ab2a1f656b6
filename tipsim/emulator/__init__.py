"""Where the kit's AWS calls go: LocalStack, the shared moto server, or an embedded one.

:func:`connect` is the one way the kit gets an AWS session. In order, it uses:

1. ``AWS_ENDPOINT_URL`` if set (after the never-real-AWS guard);
2. a LocalStack, or the kit's shared emulator (``tipsim emulator start``), that
   answers at ``LOCALSTACK_HOST`` (default ``localhost:4566``);
3. otherwise an embedded moto server on a free loopback port, in this process
   (it lives as long as the notebook's kernel).

Example
-------
>>> session = connect()                       # doctest: +SKIP
>>> session.info.describe()                   # doctest: +SKIP
'embedded moto 5.2.5 at http://127.0.0.1:40123 (in this process)'
>>> ec2 = session.client("ec2")               # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

from tipsim.emulator.guard import check_endpoint
from tipsim.emulator.session import DEFAULT_REGION, EmulatorSession
from tipsim.errors import EmulatorError

__all__ = ["EmulatorInfo", "EmulatorSession", "connect", "check_endpoint", "reset_embedded"]

_EMBEDDED: Any = None  # the in-process emulator, made once per process
_ANNOUNCED: set[str] = set()


@dataclass(frozen=True)
class EmulatorInfo:
    """Which emulator answers, where, and which version.

    ``kind`` is ``"localstack"``, ``"moto-server"`` (the shared one, ``tipsim
    emulator start``) or ``"embedded"`` (moto in this process).
    """

    kind: str
    endpoint_url: str
    version: str = ""
    services: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def describe(self) -> str:
        """One line for people."""
        name = {"localstack": "LocalStack", "moto-server": "shared moto server",
                "embedded": "embedded moto"}.get(self.kind, self.kind)
        where = " (in this process)" if self.kind == "embedded" else ""
        ver = f" {self.version}" if self.version else ""
        return f"{name}{ver} at {self.endpoint_url}{where}"

    def __str__(self) -> str:
        return self.describe()


def _localstack_url() -> tuple[str, str]:
    host = os.environ.get("LOCALSTACK_HOST", "").strip() or "localhost:4566"
    url = host if "://" in host else f"http://{host}"
    return url, "LOCALSTACK_HOST"


def _embedded() -> Any:
    global _EMBEDDED
    if _EMBEDDED is None:
        from tipsim.emulator.embedded import InProcessEmulator

        _EMBEDDED = InProcessEmulator()
    return _EMBEDDED


def reset_embedded() -> None:
    """Stop this process's embedded emulator (the next :func:`connect` makes a new one)."""
    global _EMBEDDED
    if _EMBEDDED is not None:
        _EMBEDDED.stop()
        _EMBEDDED = None


def find(allow_embedded: bool = True) -> EmulatorInfo:
    """Decide which emulator to use, without building a session.

    Raises
    ------
    EndpointRefused
        ``AWS_ENDPOINT_URL`` or ``LOCALSTACK_HOST`` names a host that is not local.
    EmulatorError
        ``AWS_ENDPOINT_URL`` is set but nothing answers there, or nothing answers
        and ``allow_embedded`` is false.
    """
    from tipsim.emulator.embedded import moto_version
    from tipsim.emulator.probe import probe
    from tipsim.emulator.server import read_state

    env_url = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    if env_url:
        check_endpoint(env_url, source="AWS_ENDPOINT_URL")
        found = probe(env_url)
        if found.kind == "none" or found.kind == "other":
            raise EmulatorError(f"AWS_ENDPOINT_URL={env_url} is set, but no AWS emulator answers "
                                "there. Start one, or unset AWS_ENDPOINT_URL.")
        kind = "localstack" if found.kind == "localstack" else "moto-server"
        return EmulatorInfo(kind, found.endpoint_url, found.version, found.services or {},
                            "AWS_ENDPOINT_URL")
    url, source = _localstack_url()
    check_endpoint(url, source=source)
    found = probe(url)
    if found.kind == "localstack":
        return EmulatorInfo("localstack", found.endpoint_url, found.version,
                            found.services or {}, source)
    if found.kind == "moto":
        port = int(url.rsplit(":", 1)[-1].strip("/")) if url.count(":") >= 2 else 4566
        state = read_state(port) or {}
        return EmulatorInfo("moto-server", found.endpoint_url,
                            state.get("version", "") or moto_version(), {}, source)
    if not allow_embedded:
        raise EmulatorError(f"no AWS emulator answers at {url} ({source}); start one with "
                            "`tipsim emulator start`")
    emb = _embedded()
    return EmulatorInfo("embedded", emb.endpoint_url, moto_version(), {}, "embedded")


def connect(region_name: str = DEFAULT_REGION, *, announce: bool = True,
            allow_embedded: bool = True) -> EmulatorSession:
    """Return a guarded session on the emulator :func:`find` picks.

    Parameters
    ----------
    region_name
        The AWS region to emulate (default the talk's ``us-east-2``).
    announce
        Print, once per endpoint and process, which emulator is used (to stderr).
    allow_embedded
        Start an in-process emulator when nothing answers (default true).
    """
    info = find(allow_embedded=allow_embedded)
    if announce and info.endpoint_url not in _ANNOUNCED:
        _ANNOUNCED.add(info.endpoint_url)
        print(f"tipsim: using {info.describe()}", file=sys.stderr)
    return EmulatorSession(info.endpoint_url, region_name=region_name, info=info)
