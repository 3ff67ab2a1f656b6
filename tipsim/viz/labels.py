"""Labels of events on a time axis (change, serving, detection, ...) that never overlap.

Events a minute apart on a 20-minute axis are 30-55 pixels apart, less than a label is
wide, and two events at the same moment (detection and "toggle off") used to print on top
of each other. :func:`event_annotations` puts one label per moment (events at the same
moment share it, joined by " · ", a label that starts another dropped; the text before a
colon is shown, the whole text on hover) above the plot, in stacked rows: each label goes into the lowest row where it does
not touch a label already placed.

Widths are estimated, not measured (the browser lays text out, not Python): a character
is :data:`CHAR_EM` of the font size wide (a little wider than the average of Open Sans,
plotly's default font, so the estimate errs on the wide side), and the plot is assumed
:data:`PLOT_WIDTH_PX` wide, narrower than a notebook's output area in JupyterLab or Voila
with the default layout; on a wider plot the labels only get more room.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CHAR_EM = 0.6
"""Estimated width of one character, in units of the font size."""
PLOT_WIDTH_PX = 560
"""Assumed width of the plotting area, in pixels."""
ROW_PX = 16
"""Height of one row of labels, in pixels (a 11-12 px font and its line gap)."""
GAP_PX = 6
"""Space kept between two labels of one row."""


def text_width_px(text: str, font_size: float) -> float:
    """Estimated width of ``text`` (its longest ``<br>`` line) in pixels."""
    longest = max((len(line) for line in text.split("<br>")), default=0)
    return longest * CHAR_EM * font_size + 4


def short_label(text: str) -> str:
    """The part of an event's text before a colon ("toggle off: all traffic ..." -> "toggle off")."""
    return text.split(":", 1)[0].strip()


def event_annotations(events: Sequence[tuple[float, str]], x_range: tuple[float, float], *,
                      font_size: float = 11, colour: str = "#8C8C8C",
                      plot_width_px: float = PLOT_WIDTH_PX) -> list[dict[str, Any]]:
    """Plotly annotations for events at ``x`` (axis units), in rows above the plot.

    Each annotation's ``yshift`` is its row times :data:`ROW_PX`; :func:`rows_used` says how
    many rows there are, so the caller can make the top margin that tall.
    """
    x0, x1 = x_range
    span = (x1 - x0) or 1.0
    moments: dict[float, list[str]] = {}
    for x, text in sorted(events, key=lambda e: e[0]):
        merged = next((m for m in moments if abs(m - x) * plot_width_px / span < 2), x)
        names = moments.setdefault(merged, [])
        label = short_label(text)
        if any(n.startswith(label) for n in names):
            continue  # "new image serving" adds nothing to "new image serving on every ..."
        names[:] = [n for n in names if not label.startswith(n)] + [label]
    full = {m: [t for x, t in events if abs(x - m) * plot_width_px / span < 2] for m in moments}
    row_ends: list[float] = []  # right edge (px) of the last label of each row
    out: list[dict[str, Any]] = []
    for x, names in sorted(moments.items()):
        text = " · ".join(names)
        left = (x - x0) / span * plot_width_px
        width = text_width_px(text, font_size)
        right_aligned = left + width > plot_width_px  # near the right edge: end at the line
        start = left - width if right_aligned else left
        row = next((r for r, end in enumerate(row_ends) if start >= end + GAP_PX), len(row_ends))
        if row == len(row_ends):
            row_ends.append(start + width)
        else:
            row_ends[row] = start + width
        out.append({"x": x, "y": 1.0, "xref": "x", "yref": "paper", "text": text,
                    "hovertext": "<br>".join(full[x]), "showarrow": False,
                    "xanchor": "right" if right_aligned else "left", "yanchor": "bottom",
                    "yshift": row * ROW_PX, "font": {"size": font_size, "color": colour}})
    return out


def rows_used(annotations: Sequence[dict[str, Any]]) -> int:
    """Rows the labels of :func:`event_annotations` take."""
    return 1 + max((int(a["yshift"] // ROW_PX) for a in annotations), default=-1)
