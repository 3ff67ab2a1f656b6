"""What a stack's expressions say before they are evaluated: references and refusals.

python-hcl2 (``hcl2.api.parses_to_tree``) gives the typed Lark tree of a ``.tf`` file, with
line numbers. This module reads it statically:

* :func:`references` lists what an expression refers to (``var.x``, ``local.y``,
  ``data.aws_ami.ubuntu``, ``aws_subnet.public``), which orders the resource blocks;
* :func:`refusals` lists the constructs outside the subset the kit evaluates, each with
  its line: ``for`` expressions, template directives (``%{ if }``), unknown or
  provider-defined functions, argument expansion (``f(xs...)``), interpolation inside a
  heredoc. The loader refuses a stack with any of them before anything is planned.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lark import Token, Tree

from tipsim.infra.hcl.functions import FUNCTIONS, SPECIAL

Node = Tree | Token
_SKIP = frozenset({"new_line_or_comment"})


def rule(node: Any) -> str:
    """The grammar rule of a tree node ('' for a token)."""
    return str(node.data) if isinstance(node, Tree) else ""


def kids(node: Tree) -> list[Any]:
    """Sub-trees of ``node`` without punctuation tokens and comments."""
    return [c for c in node.children if isinstance(c, Tree) and rule(c) not in _SKIP]


def line_of(node: Any, default: int = 0) -> int:
    """The source line of a node or token (``default`` when the parser left none)."""
    if isinstance(node, Token):
        return int(node.line or default)
    if isinstance(node, Tree):
        meta = node.meta
        if not getattr(meta, "empty", True):
            return int(meta.line)
        for child in node.children:
            found = line_of(child, 0)
            if found:
                return found
    return default


def name_of(node: Tree) -> str:
    """The text of an ``identifier``, ``keyword`` or ``literal_value`` node."""
    token = node.children[0]
    return str(token)


def unwrap(node: Any) -> Any:
    """The expression inside ``expr_term`` wrappers and parentheses."""
    while rule(node) == "expr_term" and len(kids(node)) == 1:
        node = kids(node)[0]
    return node


Step = tuple[str, Any]  # ("root"|"attr", name) or ("index"|"splat", node)


def traversal(node: Any) -> list[Step] | None:
    """``aws_subnet.public[0].id`` as steps ``root, attr, index, attr``; None if ``node``
    is not a traversal from a name."""
    node = unwrap(node)
    r = rule(node)
    if r == "identifier":
        return [("root", name_of(node))]
    if r in ("get_attr_expr_term", "index_expr_term", "full_splat_expr_term",
             "attr_splat_expr_term"):
        base, op = kids(node)
        steps = traversal(base)
        if steps is None:
            return None
        if r == "get_attr_expr_term":
            return [*steps, ("attr", name_of(kids(op)[0]))]
        if r == "index_expr_term":
            return [*steps, ("index", op)]
        return [*steps, ("splat", op)]
    return None


@dataclass(frozen=True)
class Reference:
    """A name an expression reads: its root and the attribute names that follow it."""

    root: str
    names: tuple[str, ...]
    line: int

    def block(self) -> str:
        """``type.name`` for a resource, ``data.type.name``, ``local.x``, ``var.x``."""
        depth = 3 if self.root == "data" else 2
        return ".".join((self.root, *self.names)[:depth])


def _refs(node: Any, out: list[Reference]) -> None:
    r = rule(node)
    if not isinstance(node, Tree):
        return
    steps = traversal(node) if r in ("identifier", "get_attr_expr_term", "index_expr_term",
                                     "full_splat_expr_term", "attr_splat_expr_term",
                                     "expr_term") else None
    if steps is not None:
        names = []
        for kind, value in steps[1:]:
            if kind != "attr":
                break
            names.append(value)
        out.append(Reference(steps[0][1], tuple(names), line_of(node)))
        for kind, value in steps[1:]:
            if kind == "index":
                _refs(value, out)
            elif kind == "splat":  # [*].a[0]: only the index expressions read names
                for step in kids(value):
                    if rule(step) != "get_attr":
                        _refs(step, out)
        return
    if r == "function_call":
        for child in kids(node)[1:]:
            _refs(child, out)
        return
    if r == "object_elem":
        key, value = kids(node)[0], kids(node)[-1]
        inner = unwrap(kids(key)[0]) if kids(key) else None
        if inner is not None and rule(inner) not in ("identifier", "keyword"):
            _refs(key, out)
        _refs(value, out)
        return
    for child in kids(node):
        _refs(child, out)


def references(node: Any) -> list[Reference]:
    """Every name ``node`` reads (object keys and function names are not references)."""
    out: list[Reference] = []
    _refs(node, out)
    return out


_REFUSED_RULES = {
    "for_tuple_expr": "a `for` expression",
    "for_object_expr": "a `for` expression",
    "template_if_start": "a template directive `%{ if }`",
    "template_for_start": "a template directive `%{ for }`",
    "template_string": "a template directive",
}


def refusals(node: Any) -> Iterator[tuple[int, str]]:
    """(line, construct) for each construct of ``node`` outside the kit's subset."""
    if isinstance(node, Token):
        if node.type in ("HEREDOC_TEMPLATE", "HEREDOC_TEMPLATE_TRIM") and (
                "${" in node or "%{" in node):
            yield int(node.line or 0), "interpolation inside a heredoc"
        return
    r = rule(node)
    if r in _REFUSED_RULES:
        yield line_of(node), _REFUSED_RULES[r]
        return
    if r == "function_call":
        parts = [c for c in node.children if isinstance(c, Token) and c.type == "COLONS"]
        name = name_of(kids(node)[0])
        if parts:
            yield line_of(node), "a provider-defined function (provider::...)"
            return
        if name not in FUNCTIONS and name not in SPECIAL:
            yield line_of(node), (f"unknown function {name}() (the kit evaluates: "
                                  f"{', '.join(sorted({*FUNCTIONS, *SPECIAL}))})")
    if r == "arguments" and any(isinstance(c, Token) and c.type == "ELLIPSIS"
                                for c in node.children):
        yield line_of(node), "argument expansion `...`"
    for child in node.children:
        if isinstance(child, Tree | Token):
            yield from refusals(child)
