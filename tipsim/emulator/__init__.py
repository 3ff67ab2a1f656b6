"""Where the kit's AWS calls go: LocalStack, the shared moto server, or an embedded one.

:func:`connect` is the one way the kit gets an AWS session. In order, it uses:

1. ``AWS_ENDPOINT_URL`` if set (after the never-real-AWS guard);
2. the shared emulator at ``LOCALSTACK_HOST`` (default ``localhost:4566``): LocalStack,
   the kit's own (``tipsim emulator start``; known by its health route and state file,
   :mod:`tipsim.emulator.server`) or another moto server;
3. otherwise an embedded moto server on a free loopback port, in this process
   (it lives as long as the notebook's kernel).

It never falls back silently: whenever the emulator is not the shared one, one line
on stderr says which it is and why (once per process and endpoint).

Example
-------
>>> session = connect()                       # doctest: +SKIP
tipsim: nothing answers at http://localhost:4566 (LOCALSTACK_HOST): using embedded moto ...
>>> session.info.describe()                   # doctest: +SKIP
'embedded moto 5.2.5 at http://127.0.0.1:40123 (in this process)'
>>> ec2 = session.client("ec2")               # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from tipsim import console
from tipsim.emulator.guard import check_endpoint
from tipsim.emulator.session import DEFAULT_REGION, EmulatorSession
from tipsim.errors import EmulatorError

__all__ = ["EmulatorInfo", "EmulatorSession", "connect", "check_endpoint", "reset_embedded"]

_EMBEDDED: Any = None  # the in-process emulator, made once per process
_ANNOUNCED: set[str] = set()


@dataclass(frozen=True)
class EmulatorInfo:
    """Which emulator answers, where, and which version.

    ``kind`` is ``"localstack"``, ``"moto-server"`` (a moto server in another process:
    the kit's shared one, ``tipsim emulator start``, or one it did not start) or
    ``"embedded"`` (moto in this process). ``pid`` is the kit's emulator's process,
    ``note`` why this one was chosen when it is not the shared one.
    """

    kind: str
    endpoint_url: str
    version: str = ""
    services: dict[str, str] = field(default_factory=dict)
    source: str = ""
    pid: int | None = None
    by_kit: bool = False
    note: str = ""

    @property
    def shared(self) -> bool:
        """True for the emulator every process finds at ``LOCALSTACK_HOST``."""
        return self.kind != "embedded" and self.source == "LOCALSTACK_HOST"

    def describe(self) -> str:
        """One line for people."""
        name = {"localstack": "LocalStack", "moto-server": "shared moto server",
                "embedded": "embedded moto"}.get(self.kind, self.kind)
        ver = f" {self.version}" if self.version else ""
        where = ""
        if self.kind == "embedded":
            where = " (in this process)"
        elif self.kind == "moto-server":
            where = (f" (started by tipsim, pid {self.pid})" if self.by_kit and self.pid
                     else "" if self.by_kit else " (not started by tipsim)")
        return f"{name}{ver} at {self.endpoint_url}{where}"

    def announcement(self) -> str:
        """The stderr line for an emulator that is not the shared one ("" for the shared)."""
        if self.shared:
            return ""
        if self.kind == "embedded":
            return (f"tipsim: {self.note}: using {self.describe()}; what it holds is not seen "
                    "by other notebooks or `tipsim` commands (`tipsim emulator start` starts "
                    "the shared one)")
        return f"tipsim: using {self.describe()}, from {self.source}"

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


def _answering(found: Any, source: str) -> EmulatorInfo | None:
    """The emulator ``found`` (a probe's result) names, or None if none answered."""
    if found.kind == "localstack":
        return EmulatorInfo("localstack", found.endpoint_url, found.version,
                            found.services or {}, source)
    if found.kind in ("tipsim", "moto"):
        from tipsim.emulator.embedded import moto_version

        by_kit = found.kind == "tipsim"
        return EmulatorInfo("moto-server", found.endpoint_url,
                            found.version or (moto_version() if by_kit else ""), {}, source,
                            pid=found.pid, by_kit=by_kit, note=found.note)
    return None


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
    from tipsim.emulator.server import recognise

    env_url = os.environ.get("AWS_ENDPOINT_URL", "").strip()
    if env_url:
        check_endpoint(env_url, source="AWS_ENDPOINT_URL")
        info = _answering(recognise(env_url), "AWS_ENDPOINT_URL")
        if info is None:
            raise EmulatorError(f"AWS_ENDPOINT_URL={env_url} is set, but no AWS emulator answers "
                                "there. Start one, or unset AWS_ENDPOINT_URL.")
        return info
    url, source = _localstack_url()
    check_endpoint(url, source=source)
    found = recognise(url)
    info = _answering(found, source)
    if info is not None:
        return info
    why = (f"nothing answers at {url} ({source})" if found.kind == "none" else
           f"{url} ({source}) is held by something that is not an AWS emulator")
    if not allow_embedded:
        raise EmulatorError(f"{why}; start one with `tipsim emulator start`")
    emb = _embedded()
    return EmulatorInfo("embedded", emb.endpoint_url, moto_version(), {}, "embedded",
                        pid=os.getpid(), by_kit=True, note=why)


def connect(region_name: str = DEFAULT_REGION, *, allow_embedded: bool = True
            ) -> EmulatorSession:
    """Return a guarded session on the emulator :func:`find` picks.

    Whenever that is not the shared emulator, one line on stderr says which it is and
    why (once per process and endpoint): a fallback is never silent.

    Parameters
    ----------
    region_name
        The AWS region to emulate (default the talk's ``us-east-2``).
    allow_embedded
        Start an in-process emulator when nothing answers (default true).
    """
    info = find(allow_embedded=allow_embedded)
    line = info.announcement()
    if line and info.endpoint_url not in _ANNOUNCED:
        _ANNOUNCED.add(info.endpoint_url)
        console.info(line)  # stdout in a notebook: not red
    return EmulatorSession(info.endpoint_url, region_name=region_name, info=info)
