"""Ask an endpoint what answers there: LocalStack, a moto server, something else, or nothing.

Every probe is guarded first: no request leaves for a host the guard refuses.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from tipsim.emulator.guard import check_endpoint

PROBE_TIMEOUT_S = 1.0
"""How long to wait for a TCP connection (nothing listening is refused at once)."""
IDENTIFY_TIMEOUT_S = 10.0
"""How long a process that accepted the connection has to say what it is. A busy laptop
(notebooks running, a full emulator) can take seconds; too short a wait would call the
shared emulator "other" and a notebook would start its own, splitting the state."""


@dataclass(frozen=True)
class ProbeResult:
    """What answered at an endpoint.

    ``kind`` is ``"localstack"``, ``"moto"``, ``"other"`` (the port is open but it is
    not an AWS emulator) or ``"none"`` (nothing listens).
    """

    endpoint_url: str
    kind: str
    version: str = ""
    services: dict[str, str] | None = None


def _get_json(url: str, timeout_s: float) -> dict | None:
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


def probe(endpoint_url: str, timeout_s: float = PROBE_TIMEOUT_S,
          identify_timeout_s: float = IDENTIFY_TIMEOUT_S) -> ProbeResult:
    """Identify the emulator at ``endpoint_url`` (guarded before any traffic): connect
    within ``timeout_s``, then ask LocalStack's health and moto's config, each answer
    awaited up to ``identify_timeout_s``."""
    check_endpoint(endpoint_url)
    base = endpoint_url.rstrip("/")
    parts = urlsplit(base)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 80, timeout_s):
        return ProbeResult(base, "none")
    health = _get_json(f"{base}/_localstack/health", identify_timeout_s)
    if health and "services" in health:
        return ProbeResult(base, "localstack", str(health.get("version", "")),
                           dict(health.get("services") or {}))
    # moto's config is a few fields; its data.json would dump every resource it holds
    moto = _get_json(f"{base}/moto-api/config", identify_timeout_s)
    if moto is not None:
        return ProbeResult(base, "moto")
    return ProbeResult(base, "other")
