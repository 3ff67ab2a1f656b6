"""Controls made from parameter fields: the one place a widget learns a range.

A field is declared once (:func:`tipsim.params.param`: range, unit, step, the part of
the range a slider shows). :func:`control` turns it into the matching ipywidget, so a
range changed in the field changes the slider, the CLI's ``--list-params`` and the error
message together. No panel writes ``min=`` or ``max=`` itself.

======================  =========================================================
field                   control
======================  =========================================================
``Literal[...]``        ``Dropdown`` (``buttons=True``: ``ToggleButtons``)
``bool``                ``Checkbox``
``int`` / ``float``     ``IntSlider`` / ``FloatSlider`` (``log``: ``FloatLogSlider``)
very wide, no slider    ``BoundedIntText`` / ``BoundedFloatText``
======================  =========================================================

Example
-------
>>> from tipsim.params import Params, param
>>> class Demo(Params):
...     ttl_s: float = param(60.0, ge=0, le=3600, unit="s", slider=(0, 600), step=10,
...                          description="DNS answer lifetime")
>>> c = control(Demo, "ttl_s")
>>> (c.min, c.max, c.step, c.value, c.description)
(0.0, 600.0, 10.0, 60.0, 'ttl (s)')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as w
from pydantic import BaseModel

from tipsim.errors import ParameterError
from tipsim.params import FieldMeta, field_meta

_MAX_SLIDER_STEPS = 2000
"""A field whose shown range has more steps than this gets a number box, not a slider."""
_UNIT_SUFFIXES = ("_per_s", "_pct", "_usd", "_mb", "_gb", "_ms", "_s")
STYLE: dict[str, str] = {"description_width": "initial"}
"""Labels take the width they need (never cut to "green wei...")."""
_KEEP: Any = object()


def label_of(meta: FieldMeta) -> str:
    """``dns_ttl_s`` with unit ``s`` -> ``"dns ttl (s)"``; a field's own label wins."""
    if meta.label:
        return meta.label
    name = meta.name
    for suffix in _UNIT_SUFFIXES:
        if meta.unit and name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    text = name.replace("_", " ")
    return f"{text} ({meta.unit})" if meta.unit else text


def shown_range(meta: FieldMeta) -> tuple[float, float, float]:
    """``(low, high, step)`` of a slider: the field's ``slider`` part of its range, else
    its bounds (an open bound such as ``> 0`` moved inside by one step)."""
    if meta.slider is not None:
        low, high = float(meta.slider[0]), float(meta.slider[1])
        return low, high, _step(meta, low, high)
    if meta.low is None or meta.high is None:
        raise ParameterError(meta.name, None,
                             "a field shown as a control needs bounds or a slider range")
    step = _step(meta, meta.low, meta.high)
    return (meta.low + step if meta.low_open else meta.low,
            meta.high - step if meta.high_open else meta.high, step)


def _step(meta: FieldMeta, low: float, high: float) -> float:
    if meta.step is not None:
        return float(meta.step)
    if meta.kind == "int":
        return 1.0
    span = high - low
    return float(10 ** math.floor(math.log10(span / 100))) if span > 0 else 0.01


def control(model: type[BaseModel], name: str, value: Any = _KEEP, *,
            options: Sequence[Any] | None = None, buttons: bool = False,
            css: str | None = None, continuous_update: bool = False) -> w.ValueWidget:
    """The control for field ``name`` of ``model``, starting at ``value`` (default: the
    field's default).

    Parameters
    ----------
    options
        For a choice: show only these (each must be allowed by the field).
    buttons
        For a choice: ``ToggleButtons`` instead of a dropdown.
    css
        A CSS class for browser tests (``tipsim-...``).
    continuous_update
        Sliders send a value while dragging (default: on release only).
    """
    meta = field_meta(model, name)
    start = meta.default if value is _KEEP else value
    label = label_of(meta)
    common: dict[str, Any] = {"description": label, "style": dict(STYLE),
                              "tooltip": meta.description or label}
    widget: w.ValueWidget
    if meta.kind == "choice":
        shown = list(options) if options is not None else list(meta.choices)
        bad = [o for o in shown if o not in meta.choices]
        if bad:
            raise ParameterError(name, bad[0], "one of " + ", ".join(map(repr, meta.choices)))
        cls = w.ToggleButtons if buttons else w.Dropdown
        widget = cls(options=shown, value=start, **common)
    elif meta.kind == "bool":
        widget = w.Checkbox(value=bool(start), indent=False, **common)
    elif meta.kind in ("int", "float"):
        widget = _number(meta, start, common, continuous_update)
    else:
        widget = w.Text(value="" if start is None else str(start), **common)
    if css:
        widget.add_class(css)
    return widget


def _number(meta: FieldMeta, start: Any, common: dict[str, Any],
            continuous_update: bool) -> w.ValueWidget:
    low, high, step = shown_range(meta)
    value = low if start is None else start
    if meta.log:
        if low <= 0:
            raise ParameterError(meta.name, low, "a log-scale control needs a range above 0")
        return w.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high),
                                step=step, continuous_update=continuous_update, **common)
    if (high - low) / step > _MAX_SLIDER_STEPS:
        cls = w.BoundedIntText if meta.kind == "int" else w.BoundedFloatText
        return cls(value=value, min=low, max=high, step=step, **common)
    extra: dict[str, Any] = {}
    if meta.percent:
        extra["readout_format"] = ".0%"
    elif meta.kind == "float" and step < 0.01:
        extra["readout_format"] = f".{min(6, max(3, -math.floor(math.log10(step))))}f"
    if meta.kind == "int":
        return w.IntSlider(value=int(value), min=int(low), max=int(high), step=int(step),
                           continuous_update=continuous_update, **common, **extra)
    return w.FloatSlider(value=float(value), min=low, max=high, step=step,
                         continuous_update=continuous_update, **common, **extra)


def controls(model: type[BaseModel], names: Sequence[str],
             values: Mapping[str, Any] | BaseModel | None = None, *, prefix: str = "",
             **per_field: Mapping[str, Any]) -> dict[str, w.ValueWidget]:
    """Controls for several fields, starting at ``values`` (a params object or a dict).

    ``prefix`` gives each control the CSS class ``<prefix><field-name>`` (dashes for
    underscores); ``per_field[name]`` passes options to :func:`control`.
    """
    if isinstance(values, BaseModel):
        values = values.model_dump()
    values = values or {}
    out = {}
    for name in names:
        css = f"{prefix}{name.replace('_', '-')}" if prefix else None
        out[name] = control(model, name, values.get(name, _KEEP), css=css,
                            **dict(per_field.get(name, {})))
    return out


def values(widgets: Mapping[str, w.ValueWidget]) -> dict[str, Any]:
    """The current value of each control, by field name."""
    return {name: widget.value for name, widget in widgets.items()}
