"""The configurations of a sweep: a grid of parameter values, expanded and validated.

A grid maps parameter names to the values to try; a sweep runs the Cartesian product.
On the command line a grid is written as

* ``--grid key=v1,v2,...``: the values listed (text, as ``tipsim run --set`` takes it);
* ``--range key=lo:hi:n``: ``n`` evenly spaced values from ``lo`` to ``hi`` (both included);
* ``--range key=lo:hi:n:log``: ``n`` values evenly spaced on a log scale (``lo`` > 0);
* ``--set key=value``: one value, the same in every configuration.

Whole-number parameters round a range to whole numbers and keep each value once. Every
configuration is validated by the scenario's ``Params`` before anything runs, so a bad
value stops the sweep with a :class:`~tipsim.errors.ParameterError` naming the field.

Example
-------
>>> from tipsim.scenarios.feature_toggle import Params
>>> cfgs = configurations(Params, {"strategy": ["toggle", "rolling"], "instances": [2, 4]})
>>> [(c.values["strategy"], c.values["instances"]) for c in cfgs]
[('toggle', 2), ('toggle', 4), ('rolling', 2), ('rolling', 4)]
>>> range_values(Params, "instances", "2:8:4")
[2, 4, 6, 8]
>>> linear(0.1, 0.3, 3)
[0.1, 0.2, 0.3]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tipsim.errors import ParameterError
from tipsim.params import Params, field_meta

_NONE_WORDS = {"", "none", "null"}
_RANGE_FORM = "lo:hi:n (n whole number >= 1), or lo:hi:n:log with lo > 0"


@dataclass(frozen=True)
class Configuration:
    """One point of the grid: the swept values and the full validated parameters."""

    values: dict[str, Any]
    params: Params


def _tidy(x: float) -> float:
    """12 significant digits, so 0.30000000000000004 is written (and hashed) as 0.3."""
    return float(f"{x:.12g}")


def linear(lo: float, hi: float, n: int) -> list[float]:
    """``n`` evenly spaced values from ``lo`` to ``hi``, both included."""
    if n < 1:
        raise ParameterError("n", n, "a whole number >= 1")
    return [_tidy(v) for v in np.linspace(lo, hi, n)]


def logspace(lo: float, hi: float, n: int) -> list[float]:
    """``n`` values from ``lo`` to ``hi`` evenly spaced on a log scale (``lo``, ``hi`` > 0)."""
    if n < 1:
        raise ParameterError("n", n, "a whole number >= 1")
    if lo <= 0 or hi <= 0:
        raise ParameterError("lo", lo, "lo and hi > 0 on a log scale")
    return [_tidy(v) for v in np.geomspace(lo, hi, n)]


def _key(params_cls: type[Params], raw: str, spec: str) -> str:
    name = raw.strip().replace("-", "_")
    if name not in params_cls.model_fields:
        raise ParameterError(name, spec, "unknown parameter", hint=params_cls.usage())
    return name


def split_spec(params_cls: type[Params], spec: str, form: str) -> tuple[str, str]:
    """``"key=rest"`` -> ``(key, rest)``, the key checked against ``params_cls``."""
    if "=" not in spec:
        raise ParameterError(spec, spec, f"expected NAME={form}", hint=params_cls.usage())
    raw, rest = spec.split("=", 1)
    return _key(params_cls, raw, spec), rest


def range_values(params_cls: type[Params], name: str, text: str) -> list[Any]:
    """The values of ``--range name=text`` (``lo:hi:n`` or ``lo:hi:n:log``)."""
    meta = field_meta(params_cls, name)
    if meta.kind not in ("int", "float"):
        raise ParameterError(name, text, "a range needs a numeric parameter; list the "
                             "values with --grid instead")
    parts = text.split(":")
    if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3].strip().lower() != "log"):
        raise ParameterError(name, text, _RANGE_FORM)
    try:
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise ParameterError(name, text, _RANGE_FORM) from None
    if n < 1 or (len(parts) == 4 and (lo <= 0 or hi <= 0)):
        raise ParameterError(name, text, _RANGE_FORM)
    values: list[Any] = logspace(lo, hi, n) if len(parts) == 4 else linear(lo, hi, n)
    if meta.kind == "int":
        values = list(dict.fromkeys(int(round(v)) for v in values))
    return values


def parse_cli(params_cls: type[Params], grid: Sequence[str] = (), ranges: Sequence[str] = (),
              sets: Sequence[str] = ()) -> dict[str, list[Any]]:
    """The grid given by ``--grid``, ``--range`` and ``--set`` options (each key once)."""
    out: dict[str, list[Any]] = {}

    def put(name: str, values: list[Any], spec: str) -> None:
        if name in out:
            raise ParameterError(name, spec, "each parameter once across --grid, --range "
                                 "and --set")
        out[name] = values

    for spec in grid:
        name, rest = split_spec(params_cls, spec, "V1,V2,...")
        put(name, rest.split(","), spec)
    for spec in ranges:
        name, rest = split_spec(params_cls, spec, "LO:HI:N[:log]")
        put(name, range_values(params_cls, name, rest), spec)
    for spec in sets:
        name, rest = split_spec(params_cls, spec, "VALUE")
        put(name, [rest], spec)
    return out


def _values(name: str, raw: Any) -> list[Any]:
    if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
        return [raw]
    values = list(raw)
    if not values:
        raise ParameterError(name, values, "at least one value")
    return values


def configurations(params_cls: type[Params],
                   grid: Mapping[str, Iterable[Any] | Any]) -> list[Configuration]:
    """Every combination of the grid's values, validated; a scalar value is held fixed.

    Text values are read as ``tipsim run --set`` reads them (``"none"`` is None for an
    optional field). Combinations that validate to the same parameters are kept once.
    """
    names = [_key(params_cls, str(k), str(k)) for k in grid]
    axes = [_values(n, v) for n, v in zip(names, grid.values(), strict=True)]
    optional = {n: field_meta(params_cls, n).optional for n in names}
    seen: set[str] = set()
    out: list[Configuration] = []
    for combo in itertools.product(*axes):
        given = {n: (None if optional[n] and isinstance(v, str) and v.strip().lower()
                     in _NONE_WORDS else v) for n, v in zip(names, combo, strict=True)}
        params = params_cls.create(given)
        key = params.model_dump_json()
        if key in seen:
            continue
        seen.add(key)
        dumped = params.model_dump(mode="json")
        out.append(Configuration({n: dumped[n] for n in names}, params))
    return out
