"""Success rate and latency over time, one line per image.

Takes the tidy per-window frame of a scenario's ``timeline()`` (columns
``window_start_s``, ``image``, ``success_rate``, ``p95_latency_s``, ...); one trace per
image code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from tipsim.viz.labels import ROW_PX, event_annotations, rows_used
from tipsim.viz.style import COLOURS, base_layout

DEFAULT_IMAGES: dict[int, tuple[str, str]] = {
    0: ("old image", COLOURS["old"]),
    1: ("new image", COLOURS["new"]),
    -1: ("no instance (503)", COLOURS["bad"]),
}


def _series(frame: Any, code: int, column: str) -> tuple[list[float], list[float]]:
    rows = frame[frame["image"] == code]
    return rows["window_start_s"].div(60.0).tolist(), rows[column].tolist()


def timeline_figure(frame: Any, column: str, *, title: str, y_title: str,
                    images: Mapping[int, tuple[str, str]] = DEFAULT_IMAGES,
                    events: list[tuple[float, str]] | None = None,
                    percent: bool = False) -> go.Figure:
    """A line per image of ``column`` against time (minutes), events marked above."""
    traces = []
    xs: list[float] = []
    for code, (name, colour) in images.items():
        x, y = _series(frame, code, column)
        xs += x
        if percent:
            y = [100.0 * v for v in y]
        traces.append(go.Scatter(x=x, y=y, name=name, mode="lines+markers",
                                 marker={"size": 4}, line={"color": colour}))
    fig = go.Figure(data=traces, layout=base_layout(title, height=300))
    fig.update_xaxes(title_text="time (minutes)")
    if xs:
        fig.update_xaxes(range=[min(0.0, min(xs)), max(xs) + 0.5])
    fig.update_yaxes(title_text=y_title)
    set_events(fig, events or [])
    return fig


def set_events(fig: go.Figure, events: list[tuple[float, str]]) -> None:
    """Dotted vertical lines at the scenario's events (change, detection, ...) and their
    labels in rows above the plot, none on top of another (:mod:`tipsim.viz.labels`)."""
    x_range = fig.layout.xaxis.range or (0.0, max([t / 60.0 for t, _ in events] + [1.0]))
    fig.layout.shapes = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": t / 60.0, "x1": t / 60.0,
         "y0": 0, "y1": 1, "line": {"color": COLOURS["muted"], "dash": "dot", "width": 1}}
        for t, _ in events]
    notes = event_annotations([(t / 60.0, label) for t, label in events],
                              (float(x_range[0]), float(x_range[1])), colour=COLOURS["muted"])
    fig.layout.annotations = notes
    top = 30 + ROW_PX * rows_used(notes) + (28 if fig.layout.title.text else 0)
    fig.update_layout(margin_t=top, height=300 + ROW_PX * rows_used(notes),
                      title={"y": 1.0, "yref": "container", "yanchor": "top", "pad": {"t": 8}})
