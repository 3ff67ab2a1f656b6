"""The small expression language of stack files.

A stack file (``data/stacks/*.json``) writes values the way Terraform does,
``"${...}"``, but the inside is a *restricted Python expression*, evaluated from
its syntax tree (never with ``eval``):

* ``var.vpc_cidr``, ``var.enable_new_ami``: inputs and toggles;
* ``count.index``: the index of the copy being built;
* ``aws_vpc.app_vpc[count.index].id``: an attribute of another resource, by address;
* ``data.aws_ami.bionic.id``: a looked-up machine image;
* ``cap.elb``: whether the emulator offers a service (to degrade visibly);
* ``a if cond else b``, ``and``/``or``/``not``, comparisons, ``+ - *``, lists, dicts,
  one-generator list comprehensions, and the functions in :data:`FUNCTIONS`
  (``cidrsubnet``, ``length``, ``str``, ``lower``).

A whole-string ``"${expr}"`` keeps the expression's type; ``"name-${expr}"``
interpolates text. Every resource instance an expression reads is recorded, which
gives the dependency graph.

Example
-------
>>> ctx = EvalContext(variables={"vpc_cidr": "10.128.0.0/24", "on": True})
>>> render("${cidrsubnet(var.vpc_cidr, 4, 0)}", ctx)
'10.128.0.0/28'
>>> render("${2 if var.on else 1}", ctx)
2
"""

from __future__ import annotations

import ast
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tipsim.errors import InfraError

_WHOLE = re.compile(r"^\$\{(.*)\}$", re.S)
_PART = re.compile(r"\$\{(.*?)\}", re.S)


class Unknown:
    """A value known only after apply (the id of a resource still to be created).

    Any expression touching an unknown value is unknown itself, as in a Terraform plan
    ("known after apply").
    """

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"


UNKNOWN = Unknown()


def contains_unknown(value: Any) -> bool:
    """True when ``value`` or anything nested in it is :data:`UNKNOWN`."""
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def cidrsubnet(prefix: str, newbits: int, netnum: int) -> str:
    """Terraform's ``cidrsubnet``: the ``netnum``-th subnet ``newbits`` longer than ``prefix``.

    >>> cidrsubnet("10.128.0.0/24", 4, 1)
    '10.128.0.16/28'
    """
    net = ipaddress.ip_network(prefix, strict=False)
    subnets = list(net.subnets(prefixlen_diff=int(newbits)))
    if not 0 <= int(netnum) < len(subnets):
        raise InfraError(f"cidrsubnet({prefix!r}, {newbits}, {netnum}): netnum must be "
                         f"in 0..{len(subnets) - 1}")
    return str(subnets[int(netnum)])


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "cidrsubnet": cidrsubnet,
    "length": len,
    "str": lambda v: ("true" if v else "false") if isinstance(v, bool) else str(v),
    "lower": lambda v: str(v).lower(),
}


class Namespace:
    """Attribute access over a mapping, for ``var.x`` / ``cap.elb`` / ``data.aws_ami.x``."""

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        self._name = name
        self._values = values

    def get(self, key: str) -> Any:
        if key not in self._values:
            raise InfraError(f"{self._name}.{key} is not defined (known: "
                             f"{', '.join(sorted(self._values)) or 'none'})")
        value = self._values[key]
        return Namespace(f"{self._name}.{key}", value) if isinstance(value, Mapping) else value


@dataclass
class InstanceRef:
    """One resource instance read by an expression, e.g. ``aws_vpc.app_vpc[0]``."""

    address: str
    attrs: Mapping[str, Any] | None  # None: not yet created (every attribute unknown)

    def get(self, key: str) -> Any:
        if self.attrs is None:
            return UNKNOWN
        if key not in self.attrs:
            raise InfraError(f"{self.address} has no attribute {key!r}")
        return self.attrs[key]


@dataclass
class EvalContext:
    """What an expression can see.

    Parameters
    ----------
    variables
        Inputs and toggles (``var.*``).
    index
        ``count.index`` of the copy being rendered.
    resources
        Per block ``type.name``: the list of its instances' attributes (``None`` for
        an instance that will exist only after apply).
    data
        Looked-up data sources, ``{"aws_ami": {"bionic": {...}}}``.
    capabilities
        Service name -> available on this emulator.
    """

    variables: Mapping[str, Any] = field(default_factory=dict)
    index: int | None = None
    resources: Mapping[str, list[Mapping[str, Any] | None]] = field(default_factory=dict)
    data: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    capabilities: Mapping[str, bool] = field(default_factory=dict)
    resource_types: frozenset[str] = frozenset()
    read: set[str] = field(default_factory=set)  # addresses read, filled during evaluation


class _Evaluator:
    def __init__(self, ctx: EvalContext, source: str) -> None:
        self.ctx = ctx
        self.source = source
        self.locals: dict[str, Any] = {}

    def fail(self, what: str) -> InfraError:
        return InfraError(f"in expression ${{{self.source}}}: {what}")

    def ev(self, node: ast.AST) -> Any:  # noqa: C901 - one branch per allowed node
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.Attribute):
            base = self.ev(node.value)
            if base is UNKNOWN:
                return UNKNOWN
            if isinstance(base, Namespace | InstanceRef | _TypeRef):
                return base.get(node.attr)
            if isinstance(base, _Block):
                return base.attr(node.attr)
            raise self.fail(f"cannot read .{node.attr} of {base!r}")
        if isinstance(node, ast.Subscript):
            base = self.ev(node.value)
            key = self.ev(node.slice)
            if base is UNKNOWN or key is UNKNOWN:
                return UNKNOWN
            if isinstance(base, _Block):
                return base.item(int(key))
            try:
                return base[key]
            except (IndexError, KeyError, TypeError) as exc:
                raise self.fail(f"index {key!r} not found") from exc
        if isinstance(node, ast.IfExp):
            test = self.ev(node.test)
            if test is UNKNOWN:
                return UNKNOWN
            return self.ev(node.body) if test else self.ev(node.orelse)
        if isinstance(node, ast.BoolOp):
            value: Any = None
            for operand in node.values:
                value = self.ev(operand)
                if value is UNKNOWN:
                    return UNKNOWN
                if isinstance(node.op, ast.And) and not value:
                    return value
                if isinstance(node.op, ast.Or) and value:
                    return value
            return value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
            operand = self.ev(node.operand)
            if operand is UNKNOWN:
                return UNKNOWN
            return (not operand) if isinstance(node.op, ast.Not) else -operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
            left, right = self.ev(node.left), self.ev(node.right)
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            if isinstance(node.op, ast.Add):
                return left + right
            return left - right if isinstance(node.op, ast.Sub) else left * right
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = self.ev(node.left), self.ev(node.comparators[0])
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            op = node.ops[0]
            table: dict[type, Callable[[Any, Any], bool]] = {
                ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
                ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
                ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
            }
            if type(op) not in table:
                raise self.fail(f"comparison {type(op).__name__} is not allowed")
            return table[type(op)](left, right)
        if isinstance(node, ast.List | ast.Tuple):
            return [self.ev(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {self.ev(k): self.ev(v) for k, v in zip(node.keys, node.values, strict=True)
                    if k is not None}
        if isinstance(node, ast.ListComp) and len(node.generators) == 1:
            gen = node.generators[0]
            if gen.ifs or not isinstance(gen.target, ast.Name):
                raise self.fail("only [expr for x in items] comprehensions are allowed")
            items = self.ev(gen.iter)
            if items is UNKNOWN:
                return UNKNOWN
            if isinstance(items, _Block):
                items = items.all()
            out = []
            for item in items:
                self.locals[gen.target.id] = item
                out.append(self.ev(node.elt))
            self.locals.pop(gen.target.id, None)
            return out
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            fn = FUNCTIONS.get(node.func.id)
            if fn is None:
                raise self.fail(f"unknown function {node.func.id!r} (allowed: "
                                f"{', '.join(sorted(FUNCTIONS))})")
            args = [self.ev(a) for a in node.args]
            if any(a is UNKNOWN for a in args):
                return UNKNOWN
            if node.func.id == "length" and args and isinstance(args[0], _Block):
                return len(args[0].all())
            return fn(*args)
        raise self.fail(f"{type(node).__name__} is not allowed in stack expressions")

    def name(self, ident: str) -> Any:
        if ident in self.locals:
            return self.locals[ident]
        ctx = self.ctx
        if ident == "var":
            return Namespace("var", ctx.variables)
        if ident == "cap":
            return Namespace("cap", ctx.capabilities)
        if ident == "data":
            return Namespace("data", ctx.data)
        if ident == "count":
            if ctx.index is None:
                raise self.fail("count.index is used in a resource without count")
            return Namespace("count", {"index": ctx.index})
        if ident in ctx.resource_types:
            return _TypeRef(ident, ctx)
        raise self.fail(f"unknown name {ident!r}")


class _TypeRef:
    """``aws_vpc`` in ``aws_vpc.app_vpc[0]``: resolves the block name next."""

    def __init__(self, type_name: str, ctx: EvalContext) -> None:
        self.type_name = type_name
        self.ctx = ctx

    def get(self, name: str) -> _Block:
        block = f"{self.type_name}.{name}"
        if block not in self.ctx.resources:
            raise InfraError(f"{block} is not a resource of this stack")
        return _Block(block, self.ctx)


class _Block:
    """All copies of one resource block, e.g. ``aws_subnet.public``."""

    def __init__(self, block: str, ctx: EvalContext) -> None:
        self.block = block
        self.ctx = ctx

    def item(self, index: int) -> InstanceRef:
        instances = self.ctx.resources[self.block]
        if not 0 <= index < len(instances):
            raise InfraError(f"{self.block}[{index}] does not exist (count is {len(instances)})")
        address = f"{self.block}[{index}]"
        self.ctx.read.add(address)
        return InstanceRef(address, instances[index])

    def all(self) -> list[InstanceRef]:
        return [self.item(i) for i in range(len(self.ctx.resources[self.block]))]

    def attr(self, key: str) -> Any:
        raise InfraError(f"{self.block}.{key}: pick one copy, e.g. {self.block}[0].{key}")


def _parse(source: str) -> ast.AST:
    try:
        return ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise InfraError(f"expression ${{{source}}} is not valid: {exc.msg}") from None


def evaluate(source: str, ctx: EvalContext) -> Any:
    """Evaluate one expression (the text inside ``${...}``)."""
    ev = _Evaluator(ctx, source)
    value = ev.ev(_parse(source))
    if isinstance(value, _TypeRef | _Block | Namespace):
        raise InfraError(f"expression ${{{source}}} names a group, not a value")
    if isinstance(value, InstanceRef):
        raise InfraError(f"expression ${{{source}}} names a resource; add an attribute like .id")
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expressions_in(text: str) -> list[str]:
    """The expressions inside ``${...}`` in a stack-file string."""
    whole = _WHOLE.match(text)
    if whole and "${" not in whole.group(1):
        return [whole.group(1)]
    return [m.group(1) for m in _PART.finditer(text)]


def render(value: Any, ctx: EvalContext) -> Any:
    """Render a stack-file value: strings with ``${}``, and lists/dicts of them, recursively."""
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole and "${" not in whole.group(1):
            return evaluate(whole.group(1), ctx)
        parts: list[Any] = []
        pos = 0
        for m in _PART.finditer(value):
            parts.append(value[pos:m.start()])
            parts.append(evaluate(m.group(1), ctx))
            pos = m.end()
        if not parts:
            return value
        parts.append(value[pos:])
        if any(p is UNKNOWN for p in parts):
            return UNKNOWN
        return "".join(_as_text(p) for p in parts)
    if isinstance(value, Mapping):
        return {k: render(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, ctx) for v in value]
    return value


def references(value: Any) -> set[str]:
    """Resource blocks (``type.name``) a stack-file value mentions, read from the syntax."""
    found: set[str] = set()
    if isinstance(value, str):
        for source in expressions_in(value):
            for node in ast.walk(_parse(source)):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id.startswith("aws_")):
                    found.add(f"{node.value.id}.{node.attr}")
    elif isinstance(value, Mapping):
        for v in value.values():
            found |= references(v)
    elif isinstance(value, list):
        for v in value:
            found |= references(v)
    return found
