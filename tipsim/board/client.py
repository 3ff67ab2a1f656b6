"""Share a result with the room board, or read the room's results back.

The client talks only to a board on this machine (loopback) or on a host named in
``TIPSIM_ALLOW_HOSTS``: the same host rule as the emulator guard
(:mod:`tipsim.emulator.guard`), so a mistyped URL never sends an attendee's results
somewhere unexpected. Standard library only (``urllib``), so panels can use it freely.

Example
-------
>>> share("http://127.0.0.1:8765", "TOKEN", "alice", "canary",
...       {"strategy": "canary"}, {"decision": "promote"})  # doctest: +SKIP
17
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from tipsim.board.payload import encode, make_result
from tipsim.emulator.guard import ALLOW_ENV, allowed_hosts, is_aws_host, is_loopback
from tipsim.errors import BoardError, EndpointRefused, ParameterError

TIMEOUT_S = 10.0
URL_ENV = "TIPSIM_BOARD_URL"
TOKEN_ENV = "TIPSIM_BOARD_TOKEN"
NAME_ENV = "TIPSIM_ATTENDEE"
# No proxy, whatever HTTP_PROXY says: the request goes to the host that was checked.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def check_board_url(url: str) -> str:
    """``url`` without a trailing slash, if the kit may send results there.

    Raises :class:`EndpointRefused` for a host that is neither loopback nor in
    ``TIPSIM_ALLOW_HOSTS``, and :class:`ParameterError` for a URL that is not http(s).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ParameterError("share", url, "the board's URL, e.g. http://127.0.0.1:8765")
    host = parts.hostname.lower()
    if is_aws_host(host) or not (is_loopback(host) or host in allowed_hosts()):
        raise EndpointRefused(
            f"refused to share with {url}: {host} is not this machine. If it is your room's "
            f"board, name it in {ALLOW_ENV} (e.g. {ALLOW_ENV}={host}).")
    return f"{parts.scheme}://{parts.netloc}"


def _request(method: str, url: str, token: str, body: bytes | None = None) -> Any:
    req = urllib.request.Request(url, data=body, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with _OPENER.open(req, timeout=TIMEOUT_S) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            reason = json.loads(exc.read()).get("error", exc.reason)
        except (ValueError, AttributeError):
            reason = exc.reason
        raise BoardError(f"the board at {url} answered {exc.code}: {reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        raise BoardError(f"no board answers at {url} ({why}); is `tipsim board serve` "
                         "running, and is the URL the one it printed?") from None


def share(url: str, token: str, name: str, scenario: str, params: dict[str, Any],
          results: dict[str, Any]) -> int:
    """Send one result to the board at ``url``; return the id the board stored it under.

    ``params`` are the parameters the run used, ``results`` what ``tipsim run --json``
    prints (numpy values are converted). Everything is checked before anything is sent.
    """
    if not token:
        raise ParameterError("token", token, "the room token the board printed")
    base = check_board_url(url)
    body = encode(make_result(name, scenario, params, results))
    answer = _request("POST", f"{base}/api/results", token, body)
    return int(answer["id"])


def fetch(url: str, token: str, scenario: str | None = None, after_id: int = 0
          ) -> list[dict[str, Any]]:
    """The room's results (of ``scenario`` if given), oldest first."""
    query: dict[str, str | int] = {"after": after_id}
    if scenario is not None:
        query["scenario"] = scenario
    base = check_board_url(url)
    answer = _request("GET", f"{base}/api/results?{urllib.parse.urlencode(query)}", token)
    return list(answer["results"])


def board_from_env() -> tuple[str, str] | None:
    """``(url, token)`` from ``TIPSIM_BOARD_URL`` and ``TIPSIM_BOARD_TOKEN``, if both are set."""
    url, token = os.environ.get(URL_ENV, "").strip(), os.environ.get(TOKEN_ENV, "").strip()
    return (url, token) if url and token else None


def default_name() -> str:
    """``TIPSIM_ATTENDEE``, else the login name: what the board shows next to a result."""
    import getpass

    name = os.environ.get(NAME_ENV, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "attendee"
