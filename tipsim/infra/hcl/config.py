"""Read a directory of ``.tf`` files into blocks, refusing what the kit does not evaluate.

python-hcl2 parses each file into a typed tree (``hcl2.api.parses_to_tree``). The top-level
blocks the kit knows are Terraform's: ``variable``, ``locals``, ``data``, ``resource`` and
``output``; ``terraform`` and ``provider`` blocks are accepted and left alone (they matter
to Terraform, not to the emulator). Refused, with the file, the line and the construct:
a ``module`` call, ``moved``/``import``/``removed``/``check`` blocks, ``for_each``, a
``dynamic`` block, provisioners, ``lifecycle`` settings other than ``ignore_changes``,
and the expressions :func:`tipsim.infra.hcl.syntax.refusals` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hcl2.api import parses_to_tree
from lark import Tree
from lark.exceptions import LarkError, UnexpectedInput

from tipsim.errors import StackSourceError
from tipsim.infra.hcl.syntax import kids, line_of, name_of, refusals, rule, traversal, unwrap


@dataclass(frozen=True)
class Expr:
    """An expression and where it was written."""

    tree: Any
    file: str
    line: int


@dataclass
class Body:
    """A block body: its arguments and its nested blocks (in order)."""

    attributes: dict[str, Expr]
    blocks: list[tuple[str, Body]]
    file: str
    line: int

    def nested(self, kind: str) -> list[Body]:
        return [b for k, b in self.blocks if k == kind]


@dataclass
class ResourceBlock:
    """``resource "TYPE" "NAME" { ... }`` with its meta-arguments taken out."""

    type: str
    name: str
    body: Body
    count: Expr | None = None
    depends_on: tuple[str, ...] = ()
    ignore_changes: frozenset[str] = frozenset()

    @property
    def block(self) -> str:
        return f"{self.type}.{self.name}"


@dataclass
class Variable:
    """``variable "NAME"``: type, default, description and ``validation`` blocks."""

    name: str
    type: str
    default: Any
    description: str
    validations: list[tuple[Expr, str]]
    file: str
    line: int


@dataclass
class Config:
    """Every block of a stack's ``.tf`` files."""

    name: str
    files: dict[str, str]
    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, Expr] = field(default_factory=dict)
    data: dict[str, dict[str, Body]] = field(default_factory=dict)
    resources: list[ResourceBlock] = field(default_factory=list)
    outputs: dict[str, Expr] = field(default_factory=dict)
    directory: Path | None = None


_IGNORED = frozenset({"terraform", "provider"})
_REFUSED_BLOCKS = {"module": "a module call", "moved": "a `moved` block",
                   "import": "an `import` block", "removed": "a `removed` block",
                   "check": "a `check` block", "ephemeral": "an ephemeral resource"}
_REFUSED_META = {"for_each": "`for_each`", "provider": None}  # provider: accepted, unused
_REFUSED_NESTED = {"dynamic": "a `dynamic` block", "provisioner": "a provisioner",
                   "connection": "a `connection` block"}


def _label(node: Any) -> str:
    if rule(node) == "string":
        return "".join(str(p.children[0]) for p in kids(node))
    return name_of(node)


def _body(tree: Tree, file: str) -> Body:
    body = Body({}, [], file, line_of(tree, 1))
    for item in kids(tree):
        if rule(item) == "attribute":
            parts = kids(item)
            name = name_of(parts[0])
            if name in body.attributes:
                raise StackSourceError(file, line_of(item), f"argument {name!r} is set twice")
            body.attributes[name] = Expr(parts[-1], file, line_of(item))
        elif rule(item) == "block":
            parts = kids(item)
            kind = name_of(parts[0])
            labels = [_label(p) for p in parts[1:-1]]
            inner = _body(parts[-1], file)
            inner.line = line_of(item)
            body.blocks.append((kind if not labels else f"{kind} {' '.join(labels)}", inner))
    return body


def _names(expr: Expr, what: str) -> list[str]:
    """``[aws_vpc.main, weight]`` as text (for depends_on and ignore_changes)."""
    node = unwrap(expr.tree)
    if rule(node) != "tuple":
        raise StackSourceError(expr.file, expr.line, f"{what} must be a list")
    out = []
    for item in kids(node):
        steps = traversal(item)
        if not steps or any(kind != "root" and kind != "attr" for kind, _ in steps):
            raise StackSourceError(expr.file, line_of(item), f"{what} takes names only")
        out.append(".".join(str(v) for _, v in steps))
    return out


def _check_expressions(body: Body) -> None:
    for expr in body.attributes.values():
        for line, what in refusals(expr.tree):
            raise StackSourceError(expr.file, line or expr.line,
                                   f"{what} is not in the HCL subset the kit evaluates")
    for kind, nested in body.blocks:
        kind_word = kind.split(" ", 1)[0]
        if kind_word in _REFUSED_NESTED:
            raise StackSourceError(nested.file, nested.line, f"{_REFUSED_NESTED[kind_word]} "
                                   "is not in the HCL subset the kit evaluates")
        _check_expressions(nested)


def _resource(labels: list[str], body: Body) -> ResourceBlock:
    res = ResourceBlock(labels[0], labels[1], body)
    attrs = body.attributes
    if "for_each" in attrs:
        raise StackSourceError(body.file, attrs["for_each"].line,
                               "`for_each` is not in the HCL subset the kit evaluates "
                               "(use count)")
    _check_expressions(body)  # count and depends_on too, before they leave the body
    attrs.pop("provider", None)
    res.count = attrs.pop("count", None)
    if "depends_on" in attrs:
        res.depends_on = tuple(_names(attrs.pop("depends_on"), "depends_on"))
    for lifecycle in body.nested("lifecycle"):
        for key, expr in lifecycle.attributes.items():
            if key != "ignore_changes":
                raise StackSourceError(expr.file, expr.line, f"lifecycle {key} is not modelled "
                                       "by the kit (only ignore_changes)")
            res.ignore_changes = frozenset(_names(expr, "ignore_changes"))
    body.blocks = [(k, b) for k, b in body.blocks if k != "lifecycle"]
    return res


def _variable(name: str, body: Body) -> Variable:
    from tipsim.infra.hcl.evaluate import Evaluator, Scope

    attrs = body.attributes
    default = Evaluator(Scope(), body.file).value(attrs["default"].tree) \
        if "default" in attrs else None
    kind = ""
    if "type" in attrs:
        node = unwrap(attrs["type"].tree)
        kind = name_of(node) if rule(node) == "identifier" else ""
        if kind not in ("string", "number", "bool"):
            raise StackSourceError(body.file, attrs["type"].line, f"variable {name!r}: the kit "
                                   "takes string, number and bool variables only")
    else:
        kind = {bool: "bool", int: "number", float: "number"}.get(type(default), "string")
    description = ""
    if "description" in attrs:
        description = str(Evaluator(Scope(), body.file).value(attrs["description"].tree))
    checks = []
    for v in body.nested("validation"):
        message = Evaluator(Scope(), v.file).value(v.attributes["error_message"].tree) \
            if "error_message" in v.attributes else f"{name} is not valid"
        if "condition" not in v.attributes:
            raise StackSourceError(v.file, v.line, "a validation block needs a condition")
        _check_expressions(Body({"condition": v.attributes["condition"]}, [], v.file, v.line))
        checks.append((v.attributes["condition"], str(message)))
    return Variable(name, kind, default, description, checks, body.file, body.line)


def _add_file(config: Config, file: str, text: str) -> None:
    try:
        tree = parses_to_tree(text)
    except UnexpectedInput as exc:
        raise StackSourceError(file, int(getattr(exc, "line", 0) or 0),
                               f"syntax error: {_syntax_message(exc)}") from None
    except LarkError as exc:
        raise StackSourceError(file, 0, f"syntax error: {str(exc).splitlines()[0]}") from None
    for kind, body in _body(kids(tree)[0], file).blocks:
        word, *labels = kind.split(" ")
        if word in _IGNORED:
            continue
        if word in _REFUSED_BLOCKS:
            raise StackSourceError(file, body.line, f"{_REFUSED_BLOCKS[word]} is not in the HCL "
                                   "subset the kit evaluates")
        if word == "resource" and len(labels) == 2:
            res = _resource(labels, body)
            if any(r.block == res.block for r in config.resources):
                raise StackSourceError(file, body.line, f"resource {res.block} is declared twice")
            config.resources.append(res)
        elif word == "data" and len(labels) == 2:
            _check_expressions(body)
            config.data.setdefault(labels[0], {})[labels[1]] = body
        elif word == "variable" and len(labels) == 1:
            config.variables[labels[0]] = _variable(labels[0], body)
        elif word == "locals" and not labels:
            _check_expressions(body)
            config.locals.update(body.attributes)
        elif word == "output" and len(labels) == 1 and "value" in body.attributes:
            _check_expressions(body)
            config.outputs[labels[0]] = body.attributes["value"]
        else:
            raise StackSourceError(file, body.line, f"a `{kind}` block is not one the kit "
                                   "reads (resource, data, variable, locals, output)")


def _syntax_message(exc: UnexpectedInput) -> str:
    token = getattr(exc, "token", None)
    col = getattr(exc, "column", "?")
    if token is not None and str(token).strip():
        return f"unexpected {str(token).strip()!r} at column {col}"
    char = getattr(exc, "char", None)
    if char:
        return f"unexpected {char!r} at column {col}"
    return f"unexpected end of input at column {col}"


def load_texts(name: str, files: Mapping[str, str], directory: Path | None = None) -> Config:
    """A stack from ``{file name: text}`` (files are read in name order)."""
    config = Config(name, dict(files), directory=directory)
    for file in sorted(files):
        _add_file(config, file, files[file])
    if not config.resources:
        raise StackSourceError(sorted(files)[0] if files else "(no .tf file)", 0,
                               "the stack declares no resource")
    return config


def load_directory(directory: Path, name: str | None = None) -> Config:
    """Every ``*.tf`` file of ``directory`` (its name is the stack's name by default)."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.tf"))}
    if not files:
        raise StackSourceError(str(directory), 0, "no .tf files in this directory")
    return load_texts(name or directory.name, files, directory)
