"""Values of the HCL subset: "known after apply", and HCL's conversions to text.

A plan evaluates a stack before anything exists, so an expression may read a value that
only the provider will know once the resource is made (an instance's id, its private IP).
Terraform calls it *known after apply*: any operation on an unknown value is unknown, a
conditional on an unknown condition is unknown, and the plan shows it as
``(known after apply)`` (see hashicorp/terraform ``internal/command/jsonformat/computed/
renderers/unknown.go``). :data:`UNKNOWN` is that value here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class Unknown:
    """The one value known only after apply (a singleton)."""

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


def unknown_mask(value: Any) -> Any:
    """Terraform's ``after_unknown``: ``True`` where a value is unknown, the same nesting
    where some part of it is, ``False`` for a wholly known scalar.

    >>> unknown_mask({"id": UNKNOWN, "tags": {"Name": "a"}, "ids": ["x", UNKNOWN]})
    {'id': True, 'ids': [False, True]}
    """
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        out = {k: unknown_mask(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is True or (isinstance(v, dict | list)
                                                               and contains_true(v))}
    if isinstance(value, list | tuple):
        return [unknown_mask(v) for v in value]
    return False


def contains_true(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(contains_true(v) for v in mask.values())
    if isinstance(mask, list):
        return any(contains_true(v) for v in mask)
    return False


def without_unknown(value: Any) -> Any:
    """``value`` with unknown parts left out (maps) or null (lists): Terraform's ``after``."""
    if value is UNKNOWN:
        return None
    if isinstance(value, Mapping):
        return {k: without_unknown(v) for k, v in value.items() if v is not UNKNOWN}
    if isinstance(value, list | tuple):
        return [without_unknown(v) for v in value]
    return value


def number_text(value: int | float) -> str:
    """A number as HCL writes it: ``2``, not ``2.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_text(value: Any) -> str:
    """HCL's conversion of a primitive to string (``true``, ``3``), as in templates and
    ``map(string)`` arguments such as ``tags``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, str):
        return value
    if value is None:
        raise ValueError("a null value cannot be used in a string")
    raise ValueError(f"a {type_name(value)} cannot be used in a string")


def type_name(value: Any) -> str:
    """HCL's name of a value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "tuple"
    return type(value).__name__


def public(value: Any) -> Any:
    """Attributes for people and JSON: no private keys, unknown values spelled out."""
    if value is UNKNOWN:
        return "(known after apply)"
    if isinstance(value, Mapping):
        return {k: public(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list | tuple):
        return [public(v) for v in value]
    return value


def json_text(value: Any) -> str:
    """Terraform's ``jsonencode``: compact, object keys in lexical order."""
    if contains_unknown(value):
        raise ValueError("jsonencode of a value known only after apply")
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
