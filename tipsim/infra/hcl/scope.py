"""What an expression sees (:class:`Scope`), the reference objects it walks through, and
the text of HCL strings and heredocs."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lark import Token


@dataclass
class Instances:
    """The instances of one resource block as an expression sees them.

    ``values[i]`` is what instance ``i`` holds; ``planned[i]`` says it is still to be made
    (an attribute it does not configure is then known after apply).
    """

    counted: bool
    values: list[Mapping[str, Any]]
    planned: list[bool]


@dataclass
class Scope:
    """What an expression can see: inputs, locals, data sources, resources, count.index."""

    variables: Mapping[str, Any] = field(default_factory=dict)
    locals: Mapping[str, tuple[Any, str]] = field(default_factory=dict)  # name -> (tree, file)
    data: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    resources: Mapping[str, Instances] = field(default_factory=dict)
    index: int | None = None
    read: set[str] = field(default_factory=set)  # instance addresses read (dependencies)
    _local_values: dict[str, Any] = field(default_factory=dict)
    _local_busy: set[str] = field(default_factory=set)

    @property
    def types(self) -> set[str]:
        return {block.split(".", 1)[0] for block in self.resources}


class _Names:
    def __init__(self, path: str, get: Callable[[str], Any], known: Callable[[], list[str]]):
        self.path, self.get, self.known = path, get, known


@dataclass
class _Instance:
    address: str
    values: Mapping[str, Any]
    planned: bool


@dataclass
class _Block:
    block: str
    instances: Instances


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
    "<=": operator.le, ">=": operator.ge,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "%": operator.mod,
}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                out.append(chr(int(text[i + 2:i + 2 + width], 16)))
                i += 2 + width
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def heredoc_text(token: Token) -> str:
    """The text of a ``<<EOT`` / ``<<-EOT`` heredoc (``<<-`` strips common indentation)."""
    lines = str(token).split("\n")
    body = lines[1:-2] if lines[-1] == "" else lines[1:-1]
    if token.type == "HEREDOC_TEMPLATE_TRIM":
        indents = [len(x) - len(x.lstrip()) for x in body if x.strip()]
        cut = min(indents) if indents else 0
        body = [x[cut:] for x in body]
    return "\n".join(body) + "\n"
