"""What a shared result is: the body of ``POST /api/results``, checked before anything is stored.

A result is ``{"name": str, "scenario": str, "params": {...}, "results": {...}}``: who shared
it, which scenario (a name ``tipsim run`` knows), the parameters they ran with and the results
as ``tipsim run --json`` prints them. The board and the client check the same rules here, so
an attendee hears about a bad name before anything is sent, and the board refuses it anyway
if someone posts by hand.

Example
-------
>>> r = parse_body(b'{"name": "alice", "scenario": "canary", "params": {}, "results": {}}')
>>> r.name, r.scenario
('alice', 'canary')
>>> parse_body(b'{"name": "alice", "scenario": "nope", "params": {}, "results": {}}')
Traceback (most recent call last):
...
tipsim.errors.ParameterError: scenario='nope' is not allowed: one of ...
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tipsim.errors import ParameterError
from tipsim.plain_json import plain_json
from tipsim.scenarios import SCENARIOS

MAX_BODY_BYTES = 64 * 1024
"""Largest body the board accepts (the biggest ``tipsim run --json`` output is ~6 KiB)."""
MAX_NAME_CHARS = 64


@dataclass(frozen=True)
class SharedResult:
    """One attendee's result, checked."""

    name: str
    scenario: str
    params: dict[str, Any]
    results: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "scenario": self.scenario, "params": self.params,
                "results": self.results}


def check_name(name: Any) -> str:
    """The attendee's name, stripped: 1 to 64 printable characters."""
    if not isinstance(name, str):
        raise ParameterError("name", name, f"a text of 1 to {MAX_NAME_CHARS} characters")
    stripped = name.strip()
    if not 1 <= len(stripped) <= MAX_NAME_CHARS or not stripped.isprintable():
        raise ParameterError("name", name,
                             f"1 to {MAX_NAME_CHARS} printable characters (no line breaks)")
    return stripped


def check_scenario(scenario: Any) -> str:
    if scenario not in SCENARIOS:
        raise ParameterError("scenario", scenario, "one of " + ", ".join(sorted(SCENARIOS)))
    return str(scenario)


def _check_object(field: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParameterError(field, type(value).__name__, "a JSON object ({...})")
    return value


def make_result(name: Any, scenario: Any, params: Any, results: Any) -> SharedResult:
    """Check every field; raise :class:`ParameterError` naming the first bad one."""
    return SharedResult(check_name(name), check_scenario(scenario),
                        _check_object("params", params), _check_object("results", results))


def _no_constant(token: str) -> Any:
    # NaN and Infinity are not JSON: a browser's JSON.parse would reject the whole list.
    raise ValueError(f"{token} is not a JSON number")


def parse_body(body: bytes) -> SharedResult:
    """Decode and check a request body (at most :data:`MAX_BODY_BYTES`, checked by the caller)."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParameterError("body", body[:40].decode("utf-8", "replace"),
                             f"a JSON object in UTF-8 ({exc})") from None
    if not isinstance(data, dict):
        raise ParameterError("body", type(data).__name__,
                             'a JSON object {"name", "scenario", "params", "results"}')
    missing = [k for k in ("name", "scenario", "params", "results") if k not in data]
    if missing:
        raise ParameterError(missing[0], None, "a required field of the body")
    return make_result(data["name"], data["scenario"], data["params"], data["results"])


def encode(result: SharedResult) -> bytes:
    """The request body for ``result``, refused here if it is over the board's limit."""
    body = json.dumps(plain_json(result.to_json()), default=str, allow_nan=False).encode()
    if len(body) > MAX_BODY_BYTES:
        raise ParameterError("results", f"{len(body)} bytes",
                             f"at most {MAX_BODY_BYTES} bytes of JSON")
    return body

