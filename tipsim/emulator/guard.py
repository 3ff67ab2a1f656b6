"""The never-real-AWS guard.

Every endpoint the kit is about to talk to passes through :func:`check_endpoint`
*before* any byte is sent. Allowed: loopback addresses (127.0.0.0/8, ``::1``,
``localhost``) and hosts the user named explicitly in ``TIPSIM_ALLOW_HOSTS``
(comma-separated, for a workshop's shared LocalStack). Refused always: any
``*.amazonaws.com`` / ``*.amazonaws.com.cn`` / ``*.aws`` host, whatever the allow list says.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from tipsim.errors import EndpointRefused

ALLOW_ENV = "TIPSIM_ALLOW_HOSTS"
_AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".on.aws")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def allowed_hosts() -> set[str]:
    """Hosts named in ``TIPSIM_ALLOW_HOSTS``, lower-cased."""
    raw = os.environ.get(ALLOW_ENV, "")
    return {h.strip().lower() for h in raw.split(",") if h.strip()}


def is_loopback(host: str) -> bool:
    """True for loopback IPs and the usual loopback names."""
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_aws_host(host: str) -> bool:
    """True for hosts of real AWS endpoints."""
    host = host.lower().rstrip(".")
    return host in {"amazonaws.com", "api.aws"} or host.endswith(_AWS_SUFFIXES)


def check_endpoint(url: str, *, source: str = "endpoint") -> str:
    """Return ``url`` if the kit may talk to it, else raise :class:`EndpointRefused`.

    Parameters
    ----------
    url
        The endpoint, e.g. ``http://127.0.0.1:4566``.
    source
        Where the URL came from (``AWS_ENDPOINT_URL``, ``LOCALSTACK_HOST``...), for the message.
    """
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = (parts.hostname or "").lower()
    if not host:
        raise EndpointRefused(f"refused {source} {url!r}: it names no host")
    if is_aws_host(host):
        raise EndpointRefused(
            f"refused {source} {url!r}: {host} is a real AWS endpoint. tipsim never talks to "
            "real AWS; unset it, or point it at LocalStack / the embedded emulator "
            "(e.g. http://127.0.0.1:4566)."
        )
    if is_loopback(host) or host in allowed_hosts():
        return url
    raise EndpointRefused(
        f"refused {source} {url!r}: {host} is not a loopback address. tipsim only talks to an "
        f"emulator on this machine; to use a workshop's shared LocalStack, name its host in "
        f"{ALLOW_ENV} (e.g. {ALLOW_ENV}={host})."
    )
