"""Rules between the fields of one parameter set, reported like a field's own range.

A pydantic ``model_validator`` that raises ``ValueError("field: what is allowed")`` is
turned by :meth:`tipsim.params.Params.create` into a
:class:`~tipsim.errors.ParameterError` naming that field, the value given and the rule.
:func:`ordered` states the common rule (one field at most, or below, another) in that form;
:func:`components_valid` checks the rules of the components a scenario flattens, so a
rule is written once, in the component that owns its fields.

Example
-------
>>> from tipsim.params import Params
>>> class Scores(Params):
...     marginal_score: float = 75.0
...     pass_score: float = 95.0
>>> ordered(Scores(marginal_score=99.0), "marginal_score", "<=", "pass_score")
Traceback (most recent call last):
...
ValueError: marginal_score: a number <= pass_score
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from tipsim.errors import ParameterError

M = TypeVar("M")
Order = Literal["<", "<=", ">=", ">"]
_HOLDS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">=": operator.ge, ">": operator.gt}


def ordered(model: M, field: str, order: Order, other: str) -> M:
    """``model`` itself if ``model.field order model.other`` holds; otherwise the
    ``ValueError`` that names ``field`` (for a ``model_validator(mode="after")``)."""
    if not _HOLDS[order](getattr(model, field), getattr(model, other)):
        raise ValueError(f"{field}: a number {order} {other}")
    return model


def components_valid(model: M, *components: Callable[[], object]) -> M:
    """``model`` itself if every component it builds from its flat fields is valid;
    otherwise the first component's refusal as the ``ValueError`` of a model validator
    (the component's field names are the flat fields' names)."""
    try:
        for build in components:
            build()
    except ParameterError as exc:
        raise ValueError(f"{exc.field}: {exc.allowed}") from None
    return model
