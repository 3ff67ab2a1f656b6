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


def probe(endpoint_url: str, timeout_s: float = PROBE_TIMEOUT_S) -> ProbeResult:
    """Identify the emulator at ``endpoint_url`` (guarded before any traffic)."""
    check_endpoint(endpoint_url)
    base = endpoint_url.rstrip("/")
    parts = urlsplit(base)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 80, timeout_s):
        return ProbeResult(base, "none")
    health = _get_json(f"{base}/_localstack/health", timeout_s)
    if health and "services" in health:
        return ProbeResult(base, "localstack", str(health.get("version", "")),
                           dict(health.get("services") or {}))
    moto = _get_json(f"{base}/moto-api/data.json", timeout_s)
    if moto is not None:
        return ProbeResult(base, "moto")
    return ProbeResult(base, "other")
