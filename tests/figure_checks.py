"""Checks a learner's eye would make on a plotly figure, without a browser.

Two questions, answered from the figure's JSON with stated estimates:

* **Does each axis show its data?** An axis's range is the one the layout sets, or else
  what plotly's autorange would take: the data of the traces on that axis, plus the shapes
  and annotations placed in its coordinates (an annotation on a log axis is placed in
  log10 units, which is how a label at "30 s" once stretched an axis to 10^32).
  :func:`axis_problems` reports an axis that leaves out more than half of its data points,
  or whose data fills less than :data:`MIN_FILL` of it (in the axis's own scale: log
  axes in decades).
* **Do annotation boxes overlap?** :func:`annotation_boxes` estimates each annotation's box
  in pixels of a figure :data:`FIGURE_WIDTH_PX` wide (the layout's height and margins): a
  character is 0.6 of the font size wide (a little wider than plotly's default Open Sans,
  so the estimate errs wide), a line is one font size high and each further line adds
  plotly's line spacing of 1.3 font sizes; a box turned by ±90 degrees
  swaps width and height; ``xanchor``/``yanchor`` ("auto" as plotly resolves it),
  ``xshift`` and ``yshift`` place it. Axis positions use the axis's range (above) and
  domain. The figure's title is a box too. :func:`overlaps` reports pairs that overlap by
  more than 1 pixel.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import plotly.graph_objects as go

FIGURE_WIDTH_PX = 700
"""A figure in a narrow notebook column (JupyterLab with its side bar open)."""
MIN_FILL = 0.2
CHAR_EM = 0.6
LINE_EM = 1.3
DEFAULT_FONT = 12.0


def _axis_names(layout: dict[str, Any], letter: str) -> list[str]:
    return sorted(k for k in layout if re.fullmatch(rf"{letter}axis\d*", k)) or [f"{letter}axis"]


def _trace_axis(trace: dict[str, Any], letter: str) -> str:
    ref = trace.get(f"{letter}axis", letter)
    return f"{letter}axis{ref[1:]}"


def _numbers(values: Any) -> np.ndarray:
    if values is None:
        return np.empty(0)
    if isinstance(values, dict):  # plotly's typed-array encoding: {"dtype": ..., "bdata": ...}
        values = go.Scatter(x=values).x
    out = []
    for v in np.ravel(np.asarray(values, dtype=object)):
        if isinstance(v, bool) or v is None:
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            return np.empty(0)  # a categorical axis: not checked
        if math.isfinite(f):
            out.append(f)
    return np.asarray(out, dtype=float)


def axis_data(fig: go.Figure, axis: str) -> np.ndarray:
    """Every finite data value of the traces drawn on ``axis`` (``"xaxis2"``...)."""
    letter = axis[0]
    js = fig.to_plotly_json()
    parts = [_numbers(t.get(letter)) for t in js["data"]
             if t.get("type", "scatter") not in ("table", "pie")
             and t.get("visible", True) is not False and _trace_axis(t, letter) == axis]
    return np.concatenate(parts) if parts else np.empty(0)


def axis_range(fig: go.Figure, axis: str) -> tuple[float, float] | None:
    """The axis's range in data units: the layout's, or what autorange would take."""
    layout = fig.to_plotly_json()["layout"]
    spec = layout.get(axis, {})
    log = spec.get("type") == "log"
    if spec.get("range") and None not in spec["range"]:
        lo, hi = (float(v) for v in spec["range"])
        return (10 ** lo, 10 ** hi) if log else (lo, hi)
    values = list(axis_data(fig, axis))
    letter, ref = axis[0], axis[0] + axis[5:]
    for shape in layout.get("shapes", []):
        if shape.get(f"{letter}ref") == ref and shape.get("visible", True):
            values += [float(shape[k]) for k in (f"{letter}0", f"{letter}1") if k in shape]
    for note in layout.get("annotations", []):
        if note.get(f"{letter}ref") == ref and letter in note:
            v = float(note[letter])
            values.append(10 ** v if log else v)
    if not values:
        return None
    return min(values), max(values)


def axis_problems(fig: go.Figure) -> list[str]:
    """Axes that leave out most of their data or squash it into a small part."""
    layout = fig.to_plotly_json()["layout"]
    problems = []
    for letter in ("x", "y"):
        for axis in _axis_names(layout, letter):
            data = axis_data(fig, axis)
            rng = axis_range(fig, axis)
            if data.size == 0 or rng is None or layout.get(axis, {}).get("visible") is False:
                continue
            lo, hi = rng
            inside = np.mean((data >= lo - 1e-9 * abs(lo)) & (data <= hi + 1e-9 * abs(hi)))
            if inside < 0.5:
                problems.append(f"{axis} range {lo:g}..{hi:g} leaves out {1 - inside:.0%} "
                                "of its data")
                continue
            log = layout.get(axis, {}).get("type") == "log"
            seen = data[(data >= lo) & (data <= hi)]
            if log:
                seen, lo, hi = np.log10(seen[seen > 0]), math.log10(lo), math.log10(hi)
            if seen.size and hi > lo and seen.max() > seen.min():
                fill = (seen.max() - seen.min()) / (hi - lo)
                if fill < MIN_FILL:
                    problems.append(f"{axis} range {rng[0]:g}..{rng[1]:g}: the data fills "
                                    f"{fill:.0%} of it")
    return problems


def _plot_box(layout: dict[str, Any]) -> tuple[float, float, float, float, float, float]:
    """Figure width and height, the plot area's left and top, its width and height (px)."""
    width = float(layout.get("width") or FIGURE_WIDTH_PX)
    height = float(layout.get("height") or 450)
    m = {"l": 80, "r": 80, "t": 100, "b": 80, **layout.get("margin", {})}
    return (width, height, float(m["l"]), float(m["t"]),
            max(1.0, width - m["l"] - m["r"]), max(1.0, height - m["t"] - m["b"]))


def _position(fig: go.Figure, layout: dict[str, Any], letter: str, ref: str, value: float,
              origin: float, size: float) -> float:
    """Pixel position (from the figure's left or top) of ``value`` in ``ref`` coordinates."""
    frac = value
    if ref not in ("paper", "container"):
        axis = f"{letter}axis{ref[1:]}"
        spec = layout.get(axis, {})
        rng = axis_range(fig, axis) or (0.0, 1.0)
        lo, hi = rng
        if spec.get("type") == "log":
            lo, hi = math.log10(lo), math.log10(hi)
        dom = spec.get("domain", [0.0, 1.0])
        frac = dom[0] + (dom[1] - dom[0]) * ((value - lo) / ((hi - lo) or 1.0))
    if letter == "x":
        return origin + frac * size
    return origin + (1.0 - frac) * size


def text_size_px(text: str, font_size: float) -> tuple[float, float]:
    plain = re.sub(r"<(?!br)[^>]+>", "", text or "")
    lines = re.split(r"<br\s*/?>", plain)
    return (max(len(line) for line in lines) * CHAR_EM * font_size + 4,
            font_size * (1 + LINE_EM * (len(lines) - 1)))


def annotation_boxes(fig: go.Figure) -> list[tuple[str, tuple[float, float, float, float]]]:
    """``(text, (left, top, right, bottom))`` of every annotation and the title, in pixels."""
    layout = fig.to_plotly_json()["layout"]
    width, height, left, top, pw, ph = _plot_box(layout)
    boxes = []
    for note in layout.get("annotations", []):
        if note.get("visible", True) is False or not note.get("text"):
            continue
        size = float(note.get("font", {}).get("size") or DEFAULT_FONT)
        w, h = text_size_px(note["text"], size)
        if abs(float(note.get("textangle", 0) or 0)) == 90:
            w, h = h, w
        xref, yref = note.get("xref", "x"), note.get("yref", "y")
        x = _position(fig, layout, "x", xref, float(note.get("x", 0.5)), left, pw) \
            if xref != "container" else float(note.get("x", 0.5)) * width
        y = _position(fig, layout, "y", yref, float(note.get("y", 0.5)), top, ph) \
            if yref != "container" else (1 - float(note.get("y", 0.5))) * height
        x += float(note.get("xshift", 0) or 0)
        y -= float(note.get("yshift", 0) or 0)
        xa = note.get("xanchor", "auto")
        if xa == "auto":
            xa = "center" if xref != "paper" else ("left" if note.get("x", 0.5) < 1 / 3 else
                                                   "right" if note.get("x", 0.5) > 2 / 3 else
                                                   "center")
        ya = note.get("yanchor", "auto")
        if ya == "auto":
            ya = "middle" if yref != "paper" else ("bottom" if note.get("y", 0.5) < 1 / 3 else
                                                   "top" if note.get("y", 0.5) > 2 / 3 else
                                                   "middle")
        x0 = {"left": x, "center": x - w / 2, "right": x - w}[xa]
        y0 = {"top": y, "middle": y - h / 2, "bottom": y - h}[ya]
        boxes.append((note["text"], (x0, y0, x0 + w, y0 + h)))
    title = layout.get("title", {})
    if title.get("text"):
        size = float(title.get("font", {}).get("size") or 17)
        w, h = text_size_px(title["text"], size)
        x0 = float(title.get("x", 0.05)) * width
        if title.get("y") == 1.0 and title.get("yref") == "container":
            y0 = float(title.get("pad", {}).get("t", 0))
        else:
            y0 = top / 2 - h / 2
        boxes.append((title["text"], (x0, y0, x0 + w, y0 + h)))
    return boxes


def overlaps(fig: go.Figure) -> list[tuple[str, str]]:
    """Pairs of annotation (or title) boxes that overlap by more than one pixel."""
    boxes = annotation_boxes(fig)
    found = []
    for i, (ta, a) in enumerate(boxes):
        for tb, b in boxes[i + 1:]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1:
                found.append((ta, tb))
    return found
