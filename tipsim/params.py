"""Validated parameter objects: every field is declared once, with its range and unit.

Every model's and scenario's parameters are a frozen pydantic model derived from
:class:`Params`. A field is declared once, with :func:`param`, in the config of the
component it belongs to (a load balancer's health check, a FaaS arm, a canary's steps):
its range (``ge``/``gt``/``le``/``lt``) or choices (``Literal[...]``), its unit, its
step and the part of the range a slider shows. A scenario that exposes the field
flattens it into its own parameters with :func:`same_as`, which copies the definition
(a different default is allowed, a different range is not). From that one definition
come the CLI's ``--list-params`` (:meth:`Params.describe`), the error message of a bad
value (:class:`~tipsim.errors.ParameterError` names the field and what is allowed) and
the notebook's control (:func:`field_meta`, used by ``tipsim.widgets.controls``).

A field may also be a *group*: a :class:`Params` of its own whose fields share one
meaning per key (a weight per defect kind, a share per kind). Its fields are named with a
dot on the CLI and in errors (``--set staging_fidelity.overload=0.2``), and the group's
bare name sets every one of them (``--set staging_fidelity=1``).

Example
-------
>>> from typing import Literal
>>> from pydantic import Field
>>> class Demo(Params):
...     rate_per_s: float = Field(10.0, gt=0, le=1000, description="arrival rate")
...     strategy: Literal["a", "b"] = "a"
>>> Demo.from_sets(["rate_per_s=5"]).rate_per_s
5.0
>>> Demo.from_sets(["rate_per_s=-1"])
Traceback (most recent call last):
...
tipsim.errors.ParameterError: rate_per_s='-1' is not allowed: a number > 0 and <= 1000
valid parameters:
  rate_per_s: a number > 0 and <= 1000; default 10.0  (arrival rate)
  strategy: one of 'a', 'b'; default 'a'
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Self

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

from tipsim import param_groups as groups
from tipsim.errors import ParameterError
from tipsim.param_groups import group_model

_NONE_WORDS = {"", "none", "null"}


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    """Return (inner annotation, whether None is allowed)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        if len(args) == 1:
            return args[0], optional
    return annotation, False


_KEEP: Any = object()


def param(default: Any = _KEEP, *, ge: float | None = None, gt: float | None = None,
          le: float | None = None, lt: float | None = None, unit: str = "",
          step: float | None = None, slider: tuple[float, float] | None = None,
          log: bool = False, percent: bool = False, label: str = "",
          description: str = "") -> Any:
    """Declare a parameter once: default, range, unit and how a control shows it.

    Parameters
    ----------
    default
        The default value.
    ge, gt, le, lt
        The allowed range (as pydantic's ``Field``); every bad value is refused with it.
    unit
        Unit for people (``"s"``, ``"req/s"``, ``"MB"``); shown in ``--list-params`` and on
        the control's label. Names carry the unit too (``timeout_s``).
    step
        Step of a slider (default: 1 for whole numbers, a hundredth of the shown range
        otherwise).
    slider
        ``(low, high)``: the part of the allowed range a slider shows, when the allowed
        range is wider than a learner needs (default: the allowed range itself).
    log
        Show the slider on a log scale (``slider`` bounds are then values, not exponents).
    percent
        The value is a share (0-1) shown as a percentage on the control.
    label
        Short label of the control (default: the field name without its unit suffix).
    description
        One line saying what the parameter is.
    """
    extra: dict[str, Any] = {"unit": unit, "step": step, "slider": slider, "log": log,
                             "percent": percent, "label": label}
    kwargs: dict[str, Any] = {k: v for k, v in
                              {"ge": ge, "gt": gt, "le": le, "lt": lt}.items() if v is not None}
    if default is _KEEP:
        return Field(description=description, json_schema_extra=extra, **kwargs)
    return Field(default, description=description, json_schema_extra=extra, **kwargs)


def same_as(component: type[BaseModel], name: str, default: Any = _KEEP, *,
            description: str | None = None) -> Any:
    """Use the field ``name`` of ``component`` here, with the same range, unit and step.

    The definition stays in one place: change the range in ``component`` and every
    scenario that flattens the field follows (CLI, error messages, controls). Only the
    default and the description may differ.

    Examples
    --------
    >>> class Disk(Params):
    ...     size_gb: int = param(8, ge=1, le=16_384, unit="GB", description="volume size")
    >>> class Machine(Params):
    ...     size_gb: int = same_as(Disk, "size_gb", 20)
    >>> Machine.create(size_gb=0)
    Traceback (most recent call last):
    ...
    tipsim.errors.ParameterError: size_gb=0 is not allowed: a whole number >= 1 and <= 16384 (GB)
    valid parameters:
      size_gb: a whole number >= 1 and <= 16384 (GB); default 20  (volume size)
    >>> field_meta(Machine, "size_gb").unit
    'GB'
    """
    info = component.model_fields[name]
    copied = FieldInfo.merge_field_infos(info)
    if default is not _KEEP:
        copied.default = default
    if description is not None:
        copied.description = description
    return copied


@dataclass(frozen=True)
class FieldMeta:
    """What a control or a table needs to know about one field.

    ``kind`` is ``"int"``, ``"float"``, ``"bool"``, ``"choice"`` or ``"text"``; ``low`` and
    ``high`` are the allowed bounds (``None`` when open), ``slider`` the shown part of them.
    """

    name: str
    kind: str
    default: Any
    optional: bool
    low: float | None
    high: float | None
    low_open: bool
    high_open: bool
    choices: tuple[Any, ...]
    unit: str
    step: float | None
    slider: tuple[float, float] | None
    log: bool
    percent: bool
    label: str
    description: str


def field_meta(model: type[BaseModel], name: str) -> FieldMeta:
    """The one definition of ``model``'s field ``name``, as plain data (``"group.key"``
    for a field of a group)."""
    if "." in name:
        head, _, key = name.partition(".")
        sub = group_model(model.model_fields[head]) if head in model.model_fields else None
        if sub is None:
            raise ParameterError(name, None, "a field of " + model.__name__)
        meta = field_meta(sub, key)
        return FieldMeta(**{**meta.__dict__, "name": name})
    if name not in model.model_fields:
        raise ParameterError(name, None, "a field of " + model.__name__)
    info = model.model_fields[name]
    annotation, optional = _strip_optional(info.annotation)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    low = high = None
    low_open = high_open = False
    for m in info.metadata:
        if isinstance(m, at.Ge):
            low = float(m.ge)  # type: ignore[arg-type]
        elif isinstance(m, at.Gt):
            low, low_open = float(m.gt), True  # type: ignore[arg-type]
        elif isinstance(m, at.Le):
            high = float(m.le)  # type: ignore[arg-type]
        elif isinstance(m, at.Lt):
            high, high_open = float(m.lt), True  # type: ignore[arg-type]
    choices: tuple[Any, ...] = ()
    if typing.get_origin(annotation) is Literal:
        kind, choices = "choice", typing.get_args(annotation)
    elif annotation is bool:
        kind = "bool"
    elif annotation is int:
        kind = "int"
    elif annotation is float:
        kind = "float"
    else:
        kind = "text"
    slider = extra.get("slider")
    return FieldMeta(
        name=name, kind=kind, default=info.default, optional=optional, low=low, high=high,
        low_open=low_open, high_open=high_open, choices=choices,
        unit=str(extra.get("unit") or ""), step=extra.get("step"),  # type: ignore[arg-type]
        slider=tuple(slider) if slider else None,  # type: ignore[arg-type]
        log=bool(extra.get("log")), percent=bool(extra.get("percent")),
        label=str(extra.get("label") or ""), description=info.description or "")


def allowed_text(info: FieldInfo) -> str:
    """Describe in words what a field accepts, from its type and constraints."""
    annotation, optional = _strip_optional(info.annotation)
    if typing.get_origin(annotation) is Literal:
        text = "one of " + ", ".join(repr(c) for c in typing.get_args(annotation))
    elif annotation is bool:
        text = "true or false"
    else:
        kind = {int: "a whole number", float: "a number", str: "text"}.get(annotation, str(annotation))
        bounds = []
        for m in info.metadata:
            if isinstance(m, at.Ge):
                bounds.append(f">= {m.ge}")
            elif isinstance(m, at.Gt):
                bounds.append(f"> {m.gt}")
            elif isinstance(m, at.Le):
                bounds.append(f"<= {m.le}")
            elif isinstance(m, at.Lt):
                bounds.append(f"< {m.lt}")
        text = kind + (" " + " and ".join(bounds) if bounds else "")
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if extra.get("unit"):
        text += f" ({extra['unit']})"
    if optional:
        text += " (or empty for none)"
    return text


class Params(BaseModel):
    """Base of every scenario's parameters: frozen, no unknown fields, ranges checked."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    @classmethod
    def create(cls, values: Mapping[str, Any] | None = None, **kwargs: Any) -> Self:
        """Build and validate; raise :class:`ParameterError` naming the first bad field."""
        merged = {**(values or {}), **kwargs}
        unknown = sorted(set(merged) - set(cls.model_fields))
        if unknown:
            raise ParameterError(unknown[0], merged[unknown[0]], cls._unknown(), hint=cls.usage())
        try:
            return cls(**merged)
        except ValidationError as exc:
            raise cls._as_parameter_error(exc, merged) from None

    @classmethod
    def from_sets(cls, sets: Iterable[str] = (), base: Mapping[str, Any] | None = None) -> Self:
        """Parse ``NAME=VALUE`` strings (the CLI's ``--set``) into validated parameters."""
        values: dict[str, Any] = dict(base or {})
        for item in sets:
            if "=" not in item:
                raise ParameterError(
                    item, item, "expected NAME=VALUE", hint=cls.usage()
                )
            name, raw = item.split("=", 1)
            name = name.strip().replace("-", "_")
            head, dot, _ = name.partition(".")
            if head not in cls.model_fields:
                raise ParameterError(name, raw, cls._unknown(), hint=cls.usage())
            if group_model(cls.model_fields[head]) is not None:
                values[head] = groups.set_key(cls, values.get(head), name, raw)
                continue
            if dot:
                raise ParameterError(name, raw, cls._unknown(), hint=cls.usage())
            _, optional = _strip_optional(cls.model_fields[name].annotation)
            values[name] = None if optional and raw.strip().lower() in _NONE_WORDS else raw
        return cls.create(values)

    def replace(self, **changes: Any) -> Self:
        """A validated copy with some fields changed. For a group, a mapping changes only
        the keys it names, and so does a dotted name (``**{"group.key": value}``)."""
        current = self.model_dump()
        return type(self).create({**current, **groups.merge(type(self), current, changes)})

    @classmethod
    def _unknown(cls) -> str:
        return "unknown parameter; the parameters are " + ", ".join(cls.model_fields)

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per field: name, default, allowed values, description (a group's
        fields as ``group.key``)."""
        rows = []
        for name, info in cls.model_fields.items():
            if group_model(info) is not None:
                rows.extend(groups.describe(name, info, allowed_text))
                continue
            rows.append({"name": name, "default": info.default, "allowed": allowed_text(info),
                         "description": info.description or ""})
        return rows

    @classmethod
    def usage(cls) -> str:
        """The valid names and ranges, one per line, for error messages and --help."""
        lines = ["valid parameters:"]
        for row in cls.describe():
            desc = f"  ({row['description']})" if row["description"] else ""
            lines.append(f"  {row['name']}: {row['allowed']}; default {row['default']!r}{desc}")
        return "\n".join(lines)

    @classmethod
    def _as_parameter_error(cls, exc: ValidationError, given: Mapping[str, Any]) -> ParameterError:
        err = exc.errors()[0]
        loc = err.get("loc") or ()
        field = str(loc[0]) if loc else cls.__name__
        sub = group_model(cls.model_fields[field]) if field in cls.model_fields else None
        if sub is not None and len(loc) > 1 and str(loc[1]) in sub.model_fields:
            name, value = groups.located(field, str(loc[1]), given.get(field), err.get("input"))
            return ParameterError(name, value, allowed_text(sub.model_fields[str(loc[1])]),
                                  hint=cls.usage())
        if field in cls.model_fields:
            allowed = allowed_text(cls.model_fields[field])
            if err.get("type") in ("value_error", "assertion_error"):
                allowed = str(err.get("msg", "")).removeprefix("Value error, ")
            return ParameterError(field, given.get(field, err.get("input")), allowed,
                                  hint=cls.usage())
        # A cross-field check (model validator) says "field_name: what is allowed".
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        name, _, allowed = msg.partition(":")
        if allowed and name.strip() in cls.model_fields:
            value = given.get(name.strip(), cls.model_fields[name.strip()].default)
            return ParameterError(name.strip(), value, allowed.strip(), hint=cls.usage())
        return ParameterError(field, err.get("input"), msg, hint=cls.usage())
