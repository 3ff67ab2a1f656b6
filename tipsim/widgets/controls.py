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
very wide, no slider    :class:`NumberText` (text: says why it refuses letters)
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
from collections.abc import Callable, Mapping, Sequence
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
    """``dns_ttl_s`` with unit ``s`` -> ``"dns ttl (s)"``; a field's own label wins; a
    group's key is labelled by the key alone (``defect_mix.blocked_port`` -> ``"blocked
    port"``), the panel names the group."""
    if meta.label:
        return meta.label
    name = meta.name.rpartition(".")[2]
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
        return NumberText(meta.name, value, kind=meta.kind, low=meta.low, high=meta.high,
                          low_open=meta.low_open, high_open=meta.high_open,
                          unit=meta.unit, **common)
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
    underscores and dots); ``per_field[name]`` passes options to :func:`control`. A name
    ``group.key`` is the field ``key`` of the group ``group`` (its value read from the
    group's values).
    """
    if isinstance(values, BaseModel):
        values = values.model_dump()
    values = values or {}
    out = {}
    for name in names:
        css = f"{prefix}{name.replace('_', '-').replace('.', '-')}" if prefix else None
        out[name] = control(model, name, _lookup(values, name), css=css,
                            **dict(per_field.get(name, {})))
    return out


def _lookup(values: Mapping[str, Any], name: str) -> Any:
    """``values[name]``, or ``values[group][key]`` for a dotted ``group.key``."""
    if name in values:
        return values[name]
    head, dot, key = name.partition(".")
    group = values.get(head) if dot else None
    if isinstance(group, Mapping) and key in group:
        return group[key]
    return _KEEP


def values(widgets: Mapping[str, w.ValueWidget]) -> dict[str, Any]:
    """The current value of each control, by field name (a :class:`NumberText`'s number:
    raises :class:`~tipsim.errors.ParameterError` when its text is not an allowed one)."""
    return {name: value_of(widget) for name, widget in widgets.items()}


def value_of(widget: w.ValueWidget) -> Any:
    """A control's value (a :class:`NumberText`'s checked number)."""
    return widget.number if isinstance(widget, NumberText) else widget.value


def _plain_number(v: float) -> str:
    """How a box shows a number: no exponent below 1e12, every digit a price needs."""
    return f"{v:.12g}"


def _bound(v: float) -> str:
    """A bound in words: 10,240 or 1.67e-05."""
    return f"{v:,.0f}" if float(v).is_integer() and abs(v) < 1e15 else f"{v:.3g}"


class NumberText(w.Text):
    """A number box that says why it refuses what was typed.

    ipywidgets' number boxes (``IntText``, ``BoundedFloatText``) drop letters and clamp a
    value out of range in the browser, silently: the kernel never hears of it. This box is
    text, so the kernel gets what was typed; :attr:`number` parses and checks it and raises
    :class:`~tipsim.errors.ParameterError` naming the field and what it accepts, which a
    panel's :meth:`~tipsim.widgets.common.MessageLine.check_numbers` shows at once.

    Parameters
    ----------
    field
        The name in messages (a field, or a price item).
    check
        Called with the parsed number; raises ``ParameterError`` for a value the bounds do
        not catch (a price's ceiling, say).
    """

    def __init__(self, field: str, value: float | int, *, kind: str = "float",
                 low: float | None = None, high: float | None = None, low_open: bool = False,
                 high_open: bool = False, unit: str = "",
                 check: Callable[[float], None] | None = None, **kwargs: Any) -> None:
        super().__init__(value=_plain_number(value), continuous_update=False, **kwargs)
        self.field, self.kind, self.unit, self.check = field, kind, unit, check
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open

    @property
    def allowed(self) -> str:
        """What the box accepts, in words."""
        kind = "a whole number" if self.kind == "int" else "a number"
        bounds = []
        if self.low is not None:
            bounds.append(f"{'>' if self.low_open else '>='} {_bound(self.low)}")
        if self.high is not None:
            bounds.append(f"{'<' if self.high_open else '<='} {_bound(self.high)}")
        unit = f" ({self.unit})" if self.unit else ""
        return kind + (" " + " and ".join(bounds) if bounds else "") + unit

    @property
    def number(self) -> Any:
        """The number typed, checked (raises ``ParameterError`` naming the field)."""
        text = self.value.strip().replace(",", "").replace("_", "")
        try:
            v = float(text)
        except ValueError:
            raise ParameterError(self.field, self.value, self.allowed) from None
        bad = (not math.isfinite(v) or (self.kind == "int" and v != int(v))
               or (self.low is not None and (v <= self.low if self.low_open else v < self.low))
               or (self.high is not None and (v >= self.high if self.high_open
                                              else v > self.high)))
        if bad:
            raise ParameterError(self.field, self.value, self.allowed)
        if self.check is not None:
            self.check(v)
        return int(v) if self.kind == "int" else v

    def set_number(self, v: float) -> None:
        """Show ``v`` (as a program sets a box)."""
        self.value = _plain_number(v)
