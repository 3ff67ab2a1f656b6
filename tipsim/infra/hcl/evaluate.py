"""Evaluate the HCL expressions of a stack over python-hcl2's tree.

The subset: literals, string templates with ``${}``, references (``var.``, ``local.``,
``data.``, resource attributes, ``count.index``, an index ``[0]`` and the legacy ``.0``,
splats ``[*]`` and ``.*``), conditionals, arithmetic, comparison and logical operators,
lists, maps and the functions of :mod:`tipsim.infra.hcl.functions`. Values *known after
apply* propagate as in Terraform (:mod:`tipsim.infra.hcl.values`). ``&&`` and ``||`` stop
at a deciding left operand, as HCL does since hashicorp/hcl#713 (Terraform 1.11+).

A resource without ``count`` is one object (``aws_instance.blue.id``); with ``count`` it is
a list (``aws_subnet.public[0].id``, ``aws_subnet.public[*].id``). An instance already in the
emulator answers with what was read back; one still to be made answers with its planned
(configured) values, and *known after apply* for the rest (its id, its address).

See tests/test_infra_hcl.py for each construct.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lark import Token, Tree

from tipsim.errors import StackSourceError
from tipsim.infra.hcl.functions import FunctionError, call
from tipsim.infra.hcl.scope import (
    _ARITH,
    _COMPARE,
    Instances,
    Scope,
    _Block,
    _Instance,
    _Names,
    _unescape,
    heredoc_text,
)
from tipsim.infra.hcl.syntax import kids, line_of, name_of, rule
from tipsim.infra.hcl.values import UNKNOWN, to_text, type_name


class Evaluator:
    """Evaluates expressions of one file in one :class:`Scope`; errors name file and line."""

    def __init__(self, scope: Scope, file: str) -> None:
        self.scope = scope
        self.file = file

    def fail(self, node: Any, what: str) -> StackSourceError:
        return StackSourceError(self.file, line_of(node), what)

    # ------------------------------------------------------------------ entry
    def value(self, node: Any) -> Any:
        """The value of an expression node, with references resolved to values."""
        result = self.ev(node)
        if isinstance(result, _Names | _Block):
            raise self.fail(node, f"{getattr(result, 'path', getattr(result, 'block', ''))} "
                                  "is a group of values, not a value: add an attribute")
        if isinstance(result, _Instance):
            return dict(result.values)
        return result

    # ------------------------------------------------------------------ nodes
    def ev(self, node: Any) -> Any:  # noqa: C901 - one branch per grammar rule
        r = rule(node)
        if r in ("expr_term", "object_elem_key") and len(kids(node)) == 1:
            return self.ev(kids(node)[0])
        if r in ("int_lit", "float_lit"):
            return (int if r == "int_lit" else float)(str(node.children[0]))
        if r == "literal_value":
            return {"true": True, "false": False, "null": None}[name_of(node)]
        if r == "string":
            return self.template(node)
        if r in ("heredoc_template", "heredoc_template_trim"):
            return heredoc_text(node.children[0])
        if r == "tuple":
            return [self.value(k) for k in kids(node)]
        if r == "object":
            return self.object(node)
        if r == "identifier":
            return self.root(node, name_of(node))
        if r == "conditional":
            cond, yes, no = kids(node)
            test = self.value(cond)
            if test is UNKNOWN:
                return UNKNOWN
            if not isinstance(test, bool):
                raise self.fail(cond, f"the condition must be a bool, not a {type_name(test)}")
            return self.value(yes if test else no)
        if r == "binary_op":
            return self.binary(node)
        if r == "unary_op":
            op, operand = str(node.children[0]), self.value(kids(node)[0])
            if operand is UNKNOWN:
                return UNKNOWN
            if op == "!":
                if not isinstance(operand, bool):
                    raise self.fail(node, f"! needs a bool, not a {type_name(operand)}")
                return not operand
            return -self.number(node, operand)
        if r == "function_call":
            return self.function(node)
        if r == "get_attr_expr_term":
            base, op = kids(node)
            return self.attr(self.ev(base), name_of(kids(op)[0]), op)
        if r == "index_expr_term":
            base, op = kids(node)
            return self.index(self.ev(base), op)
        if r in ("full_splat_expr_term", "attr_splat_expr_term"):
            base, op = kids(node)
            return self.splat(self.ev(base), op)
        raise self.fail(node, f"{r or node!r} is not in the HCL subset the kit evaluates")

    def template(self, node: Tree) -> Any:
        parts: list[Any] = []
        for part in node.children:
            if not isinstance(part, Tree):
                continue
            inner = part.children[0]
            if isinstance(inner, Token):
                text = str(inner)
                parts.append(text[1:] if inner.type == "ESCAPED_INTERPOLATION"
                             else _unescape(text))
            elif rule(inner) == "interpolation":
                parts.append(("value", self.value(kids(inner)[0]), inner))
            else:
                raise self.fail(inner, "a template directive is not in the kit's HCL subset")
        if len(parts) == 1 and isinstance(parts[0], tuple):
            return parts[0][1]  # "${expr}" alone keeps the value's type, as in HCL
        if any(isinstance(p, tuple) and p[1] is UNKNOWN for p in parts):
            return UNKNOWN
        out = []
        for p in parts:
            if isinstance(p, tuple):
                try:
                    out.append(to_text(p[1]))
                except ValueError as exc:
                    raise self.fail(p[2], f"cannot interpolate: {exc}") from None
            else:
                out.append(p)
        return "".join(out)

    def object(self, node: Tree) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for elem in kids(node):
            key_node, value_node = kids(elem)[0], kids(elem)[-1]
            inner = kids(key_node)[0]
            bare = inner
            while rule(bare) == "expr_term" and len(kids(bare)) == 1 and not any(
                    isinstance(c, Token) and c.type == "LPAR" for c in bare.children):
                bare = kids(bare)[0]
            if rule(bare) in ("identifier", "keyword"):
                key = name_of(bare)
            else:
                key_value = self.value(inner)
                if key_value is UNKNOWN:
                    raise self.fail(key_node, "an object key must be known while planning")
                key = to_text(key_value)
            out[key] = self.value(value_node)
        return out

    def binary(self, node: Tree) -> Any:
        left_node, term = kids(node)
        op_node, right_node = kids(term)
        op = str(op_node.children[0])
        left = self.value(left_node)
        if op in ("&&", "||"):
            return self.logical(node, op, left, right_node)
        right = self.value(right_node)
        if op in ("==", "!="):
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            return _COMPARE[op](left, right)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        a, b = self.number(left_node, left), self.number(right_node, right)
        if op in _COMPARE:
            return _COMPARE[op](a, b)
        if op in ("/", "%") and b == 0:
            raise self.fail(node, "division by zero")
        result = _ARITH[op](a, b)
        return int(result) if isinstance(result, float) and result.is_integer() and \
            isinstance(a, int) and isinstance(b, int) else result

    def logical(self, node: Tree, op: str, left: Any, right_node: Any) -> Any:
        decisive = op == "||"  # True decides ||, False decides &&
        if left is not UNKNOWN:
            self.boolean(node, left)
            if left is decisive:
                return left
        right = self.value(right_node)
        if right is not UNKNOWN:
            self.boolean(node, right)
            if right is decisive:
                return right
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        return right

    def boolean(self, node: Any, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(node, f"a logical operator needs bools, not a {type_name(value)}")
        return value

    def number(self, node: Any, value: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                try:
                    return float(value) if "." in value else int(value)
                except ValueError:
                    pass
            raise self.fail(node, f"a number is required, not a {type_name(value)}")
        return value

    def function(self, node: Tree) -> Any:
        name = name_of(kids(node)[0])
        args_node = [k for k in kids(node)[1:] if rule(k) == "arguments"]
        arg_nodes = kids(args_node[0]) if args_node else []
        if name == "can":
            if len(arg_nodes) != 1:
                raise self.fail(node, "can() takes exactly one argument")
            try:
                return UNKNOWN if self.value(arg_nodes[0]) is UNKNOWN else True
            except StackSourceError:
                return False
        args = [self.value(a) for a in arg_nodes]
        try:
            return call(name, args)
        except FunctionError as exc:
            raise self.fail(node, f"in {name}(): {exc}") from None

    # ------------------------------------------------------------------ references
    def root(self, node: Any, name: str) -> Any:
        scope = self.scope
        if name == "var":
            return _Names("var", lambda k: scope.variables[k], lambda: sorted(scope.variables))
        if name == "local":
            return _Names("local", self.local, lambda: sorted(scope.locals))
        if name == "data":
            return _Names("data", lambda k: _Names(f"data.{k}", scope.data[k].__getitem__,
                                                   lambda: sorted(scope.data[k])),
                          lambda: sorted(scope.data))
        if name == "count":
            if scope.index is None:
                raise self.fail(node, "count.index is used in a block without count")
            return _Names("count", {"index": scope.index}.__getitem__, lambda: ["index"])
        if name in scope.types:
            return _Names(name, lambda k: self.block(f"{name}.{k}"),
                          lambda: sorted(b.split(".", 1)[1] for b in scope.resources
                                         if b.startswith(name + ".")))
        raise self.fail(node, f"unknown name {name!r} (the kit's subset knows var, local, "
                              "data, count and the stack's resource types)")

    def local(self, name: str) -> Any:
        scope = self.scope
        if name in scope._local_values:
            return scope._local_values[name]
        tree, file = scope.locals[name]
        if name in scope._local_busy:
            raise StackSourceError(file, line_of(tree), f"local.{name} refers to itself")
        scope._local_busy.add(name)
        try:
            value = Evaluator(Scope(scope.variables, scope.locals, scope.data, scope.resources,
                                    None, scope.read, scope._local_values,
                                    scope._local_busy), file).value(tree)
        finally:
            scope._local_busy.discard(name)
        scope._local_values[name] = value
        return value

    def block(self, block: str) -> Any:
        instances = self.scope.resources[block]
        if instances.counted:
            return _Block(block, instances)
        return self.instance(block, instances, 0)

    def instance(self, block: str, instances: Instances, i: int) -> _Instance:
        address = f"{block}[{i}]" if instances.counted else block
        self.scope.read.add(address)
        return _Instance(address, instances.values[i], instances.planned[i])

    def attr(self, base: Any, name: str, node: Any) -> Any:
        if base is UNKNOWN:
            return UNKNOWN
        if isinstance(base, _Names):
            try:
                return base.get(name)
            except KeyError:
                raise self.fail(node, f"{base.path}.{name} is not defined (known: "
                                      f"{', '.join(base.known()) or 'none'})") from None
        if isinstance(base, _Instance):
            if name in base.values:
                return base.values[name]
            if base.planned:
                return UNKNOWN
            raise self.fail(node, f"{base.address} has no attribute {name!r}")
        if isinstance(base, _Block):
            raise self.fail(node, f"{base.block} has count: pick an instance, e.g. "
                                  f"{base.block}[0].{name}, or all with {base.block}[*].{name}")
        if isinstance(base, Mapping):
            if name not in base:
                raise self.fail(node, f"this object has no attribute {name!r}")
            return base[name]
        raise self.fail(node, f"cannot read .{name} of a {type_name(base)}")

    def index(self, base: Any, op: Tree) -> Any:
        if rule(op) == "short_index":
            key: Any = int(str(op.children[-1]))
        else:
            key = self.value(kids(op)[0])
        if base is UNKNOWN or key is UNKNOWN:
            return UNKNOWN
        if isinstance(base, _Block):
            n = len(base.instances.values)
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < n:
                raise self.fail(op, f"{base.block}[{key!r}] does not exist (count is {n})")
            return self.instance(base.block, base.instances, key)
        if isinstance(base, _Instance):
            raise self.fail(op, f"{base.address} has no count: refer to it without an index")
        if isinstance(base, list | tuple):
            if isinstance(key, bool) or not isinstance(key, int | float) or \
                    not 0 <= int(key) < len(base):
                raise self.fail(op, f"index {key!r} is out of range (length {len(base)})")
            return base[int(key)]
        if isinstance(base, Mapping):
            if to_text(key) not in base:
                raise self.fail(op, f"key {key!r} is not in this map")
            return base[to_text(key)]
        raise self.fail(op, f"cannot index a {type_name(base)}")

    def splat(self, base: Any, op: Tree) -> Any:
        if base is UNKNOWN:
            return UNKNOWN
        if isinstance(base, _Block):
            items: list[Any] = [self.instance(base.block, base.instances, i)
                                for i in range(len(base.instances.values))]
        elif isinstance(base, list | tuple):
            items = list(base)
        else:
            items = [] if base is None else [base]
        out = []
        for item in items:
            for step in kids(op):
                if rule(step) == "get_attr":
                    item = self.attr(item, name_of(kids(step)[0]), step)
                else:
                    item = self.index(item, step)
            out.append(dict(item.values) if isinstance(item, _Instance) else item)
        return out
