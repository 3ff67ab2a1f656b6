"""A stack's ``variable`` blocks as a :class:`tipsim.params.Params` class.

Terraform checks an input against the variable's ``type`` and then every ``validation``
block: a false ``condition`` refuses the value with the block's ``error_message``
(developer.hashicorp.com/terraform/language/values/variables, "Custom validation rules").
The kit does the same before any call to the emulator, so a bad value raises
:class:`~tipsim.errors.ParameterError` naming the variable and the message.

Kit conventions, so that a control can be drawn from a variable:

* a ``bool`` variable is a **toggle** (a checkbox in the notebooks);
* a ``number`` variable with a whole default is whole (``int``); a condition of the shape
  ``var.n >= 1 && var.n <= 20`` also gives the field its range (slider bounds);
* a variable named ``emulator_has_<service>`` is not an input: the kit sets it from what
  the emulator offers (LocalStack's free edition has no classic ELB), and a learner
  cannot set it (with Terraform, pass it with ``-var``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, create_model

from tipsim.errors import StackSourceError
from tipsim.infra.hcl.config import Config, Variable
from tipsim.infra.hcl.evaluate import Evaluator, Scope
from tipsim.infra.hcl.syntax import kids, rule, traversal, unwrap
from tipsim.params import Params

EMULATOR_PREFIX = "emulator_has_"


def is_emulator_variable(name: str) -> bool:
    return name.startswith(EMULATOR_PREFIX)


def _bounds(var: Variable) -> dict[str, float]:
    """``ge``/``gt``/``le``/``lt`` read from ``var.x OP number`` terms joined by ``&&``."""
    flip = {">=": "le", ">": "lt", "<=": "ge", "<": "gt"}
    direct = {">=": "ge", ">": "gt", "<=": "le", "<": "lt"}
    out: dict[str, float] = {}

    def terms(node: Any) -> list[Any]:
        node = unwrap(node)
        if rule(node) == "binary_op":
            left, term = kids(node)
            op_node, right = kids(term)
            if str(op_node.children[0]) == "&&":
                return terms(left) + terms(right)
        return [node]

    for cond, _ in var.validations:
        for node in terms(cond.tree):
            if rule(node) != "binary_op":
                continue
            left, term = kids(node)
            op_node, right = kids(term)
            op = str(op_node.children[0])
            if op not in direct:
                continue
            for a, b, table in ((left, right, direct), (right, left, flip)):
                steps = traversal(a)
                lit = unwrap(b)
                if steps == [("root", "var"), ("attr", var.name)] and \
                        rule(lit) in ("int_lit", "float_lit"):
                    out[table[op]] = float(str(lit.children[0]))
    return out


def _validator(var: Variable) -> AfterValidator:
    def check(value: Any) -> Any:
        for cond, message in var.validations:
            scope = Scope(variables={var.name: value})
            try:
                ok = Evaluator(scope, cond.file).value(cond.tree)
            except StackSourceError:
                ok = False
            if ok is not True:
                raise ValueError(message.rstrip("."))
        return value

    return AfterValidator(check)


def _field(var: Variable) -> tuple[Any, Any]:
    kind: Any = {"bool": bool, "string": str}.get(var.type)
    if var.type == "number":
        kind = float if isinstance(var.default, float) and not var.default.is_integer() else int
    bounds = {k: (int(v) if kind is int else v) for k, v in _bounds(var).items()}
    description = var.description
    if var.validations and kind is str:
        description += f" [{'; '.join(m.rstrip('.') for _, m in var.validations)}]"
    annotation = Annotated[kind, _validator(var)] if var.validations else kind
    default: Any = var.default if var.default is not None else ...
    return annotation, Field(default, description=description, **bounds)  # type: ignore[call-overload]


def inputs_class(config: Config) -> type[Params]:
    """The Params subclass of ``config``'s variables (without the emulator's)."""
    fields = {n: _field(v) for n, v in config.variables.items() if not is_emulator_variable(n)}
    for n, v in config.variables.items():
        if v.default is None and not is_emulator_variable(n):
            raise StackSourceError(v.file, v.line, f"variable {n!r} needs a default: the kit "
                                   "plans without asking")
    title = "".join(p.title() for p in config.name.replace("-", "_").split("_") if p)
    model: type[Params] = create_model(  # type: ignore[call-overload]
        f"{title or 'Stack'}StackInputs", __base__=Params, **fields)
    return model


def toggles(config: Config) -> list[str]:
    """The bool variables a learner sets (the kit's convention for toggles)."""
    return [n for n, v in config.variables.items()
            if v.type == "bool" and not is_emulator_variable(n)]

