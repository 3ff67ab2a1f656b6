"""Groups of parameters: one field holding a small :class:`~tipsim.params.Params` of its own,
one value per key (a weight per defect kind, a chance per kind).

On the CLI and in errors a key is named with a dot (``staging_fidelity.overload``); the
bare group name sets every key at once (``--set staging_fidelity=1``); ``replace`` takes a
mapping or a dotted name and changes only the keys it names. :mod:`tipsim.params` calls
these helpers; nothing else needs to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from tipsim.errors import ParameterError


def group_model(info: FieldInfo) -> type[BaseModel] | None:
    """The model class of a group field (``None`` for a plain field)."""
    from tipsim.params import Params  # the groups are Params (imported late: no cycle)

    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, Params):
        return annotation
    return None


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value.model_dump() if isinstance(value, BaseModel) else value or {})


def set_key(model: type[BaseModel], current: Any, name: str, raw: str) -> dict[str, Any]:
    """The group's values after ``--set name=raw`` (``name`` is ``group`` or ``group.key``)."""
    head, dot, key = name.partition(".")
    sub = group_model(model.model_fields[head])
    assert sub is not None
    if not dot:  # the bare group name sets every key
        return dict.fromkeys(sub.model_fields, raw)
    key = key.replace("-", "_")
    if key not in sub.model_fields:
        raise ParameterError(name, raw, f"unknown key; {head} has " + ", ".join(sub.model_fields),
                             hint=getattr(model, "usage", lambda: "")())
    return {**_as_dict(current), key: raw}


def merge(model: type[BaseModel], current: Mapping[str, Any],
          changes: Mapping[str, Any]) -> dict[str, Any]:
    """``changes`` for :meth:`Params.replace` with each group's keys merged into its
    ``current`` values (a mapping or ``group.key=value`` changes only the keys named)."""
    merged: dict[str, Any] = {}
    for name, value in changes.items():
        head, dot, key = name.partition(".")
        info = model.model_fields.get(head)
        if info is None or group_model(info) is None:
            merged[name] = value
        elif dot:
            merged[head] = {**_as_dict(merged.get(head, current[head])), key: value}
        elif isinstance(value, Mapping):
            merged[head] = {**_as_dict(merged.get(head, current[head])), **value}
        else:
            merged[head] = value
    return merged


def describe(name: str, info: FieldInfo,
             allowed_text: Callable[[FieldInfo], str]) -> list[dict[str, Any]]:
    """``--list-params`` rows of a group: one per key, named ``group.key``."""
    sub = group_model(info)
    assert sub is not None
    defaults = _as_dict(info.default) if isinstance(info.default, BaseModel) else {}
    return [{"name": f"{name}.{key}", "default": defaults.get(key),
             "allowed": allowed_text(sub_info),
             "description": f"{info.description or name}: {sub_info.description or key}"}
            for key, sub_info in sub.model_fields.items()]


def located(field: str, key: str, given: Any, fallback: Any) -> tuple[str, Any]:
    """The dotted name and the given value of a bad key of a group."""
    value = given.get(key) if isinstance(given, Mapping) else getattr(given, key, fallback)
    return f"{field}.{key}", value
