"""Validated parameter objects shared by every scenario.

A scenario's parameters are a frozen pydantic model derived from
:class:`Params`. Fields carry their range (``Field(ge=..., le=...)``) or their
choices (``Literal[...]``); :meth:`Params.describe` turns that into the table
the CLI and widgets show, and every bad value raises
:class:`~tipsim.errors.ParameterError` naming the field and what is allowed.

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
from typing import Any, Literal, Self

import annotated_types as at
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from tipsim.errors import ParameterError

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
            raise ParameterError(
                unknown[0], merged[unknown[0]], "unknown parameter", hint=cls.usage()
            )
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
            if name not in cls.model_fields:
                raise ParameterError(name, raw, "unknown parameter", hint=cls.usage())
            _, optional = _strip_optional(cls.model_fields[name].annotation)
            values[name] = None if optional and raw.strip().lower() in _NONE_WORDS else raw
        return cls.create(values)

    def replace(self, **changes: Any) -> Self:
        """A validated copy with some fields changed."""
        return type(self).create({**self.model_dump(), **changes})

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per field: name, default, allowed values, description."""
        return [
            {
                "name": name,
                "default": info.default,
                "allowed": allowed_text(info),
                "description": info.description or "",
            }
            for name, info in cls.model_fields.items()
        ]

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
