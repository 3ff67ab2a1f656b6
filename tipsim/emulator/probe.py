"""Ask an endpoint what answers there: the kit's own emulator, LocalStack, another moto
server, something else, or nothing.

In order: the kit's health route (``/_tipsim/health``, answered before any moto backend,
:mod:`tipsim.emulator.health_route`), LocalStack's ``/_localstack/health``, then moto's
``GET /moto-api/config`` (its settings, which no backend's state can break; unlike
``/moto-api/data.json``, which fails once a Lambda function exists). Every probe is
guarded first: no request leaves for a host the guard refuses.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tipsim.emulator.guard import check_endpoint
from tipsim.emulator.health_route import HEALTH_PATH, KIT_NAME

PROBE_TIMEOUT_S = 1.0
"""How long to wait for a TCP connection (nothing listening is refused at once)."""
IDENTIFY_TIMEOUT_S = 10.0
"""How long a process that accepted the connection has to say what it is. A busy laptop
(notebooks running, a full emulator) can take seconds; too short a wait would call the
shared emulator "other" and a notebook would start its own, splitting the state."""


@dataclass(frozen=True)
class ProbeResult:
    """What answered at an endpoint.

    ``kind`` is ``"tipsim"`` (a moto server the kit started: ``identity`` holds its
    health document), ``"localstack"``, ``"moto"`` (a moto server the kit did not
    start), ``"other"`` (the port is open but it is not an AWS emulator) or ``"none"``
    (nothing listens). ``note`` says anything odd about how it was recognised.
    """

    endpoint_url: str
    kind: str
    version: str = ""
    services: dict[str, str] | None = None
    identity: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def pid(self) -> int | None:
        """The kit's emulator's process id, from its health route or state file."""
        pid = self.identity.get("pid")
        return int(pid) if pid else None

    @property
    def role(self) -> str:
        """``"shared"`` or ``"embedded"`` for the kit's emulator, else ``""``."""
        return str(self.identity.get("role", ""))


def _get_json(url: str, timeout_s: float) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:  # noqa: S310 - guarded
            return json.loads(resp.read().decode() or "{}")
    except (urllib.error.URLError, OSError, ValueError):
        return None


def port_open(host: str, port: int, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def read_kit_health(endpoint_url: str,
                    timeout_s: float = IDENTIFY_TIMEOUT_S) -> dict[str, Any] | None:
    """The kit's health document at ``endpoint_url`` (guarded), or None if it is not the
    kit's emulator or does not answer within ``timeout_s``."""
    base = check_endpoint(endpoint_url).rstrip("/")
    kit = _get_json(f"{base}{HEALTH_PATH}", timeout_s)
    return kit if isinstance(kit, dict) and kit.get("emulator") == KIT_NAME else None


def probe(endpoint_url: str, timeout_s: float = PROBE_TIMEOUT_S,
          identify_timeout_s: float = IDENTIFY_TIMEOUT_S) -> ProbeResult:
    """Identify the emulator at ``endpoint_url`` (guarded before any traffic): connect
    within ``timeout_s``, then ask the kit's route, LocalStack's health and moto's config,
    each answer awaited up to ``identify_timeout_s``."""
    check_endpoint(endpoint_url)
    base = endpoint_url.rstrip("/")
    parts = urlsplit(base)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 80, timeout_s):
        return ProbeResult(base, "none")
    kit = read_kit_health(base, identify_timeout_s)
    if kit is not None:
        return ProbeResult(base, "tipsim", str(kit.get("moto_version", "")), identity=kit)
    health = _get_json(f"{base}/_localstack/health", identify_timeout_s)
    if isinstance(health, dict) and "services" in health:
        return ProbeResult(base, "localstack", str(health.get("version", "")),
                           dict(health.get("services") or {}))
    # moto's config is a few fields that no backend's state can break
    config = _get_json(f"{base}/moto-api/config", identify_timeout_s)
    if isinstance(config, dict) and "lambda" in config:
        return ProbeResult(base, "moto")
    return ProbeResult(base, "other")
