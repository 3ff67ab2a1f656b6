"""Figures of scenario 3 (node groups and NoExecute taints): data in, figure out.

* :func:`placement_figure`: which pod runs on which node over time, one lane per pod,
  coloured internal / external (lighter while an external pod is starting), with the
  moment each node was tainted;
* :func:`ready_figure`: ready external replicas against the desired count, and failed
  requests per second;
* :func:`tradeoff_figure`: exposure (x) against disruption (y) for each strategy, with
  standard-error bars.

Each ``*_figure`` returns a ``plotly.graph_objects.Figure`` built with its data (its
``update_*`` fills the traces). Nothing here runs a simulation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from tipsim.viz.style import COLOURS, STRATEGY_COLOURS, base_layout

KIND_EXTERNAL = 1
KIND_INTERNAL = 0


def _lanes(node: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, int]:
    """Lane of each pod within its node (intervals in one lane never overlap)."""
    lane = np.zeros(len(node), dtype=int)
    most = 1
    for n in np.unique(node):
        idx = np.nonzero(node == n)[0]
        idx = idx[np.argsort(start[idx], kind="stable")]
        lane_end: list[float] = []
        for i in idx:
            free = next((k for k, e in enumerate(lane_end) if e <= start[i]), None)
            if free is None:
                lane_end.append(end[i])
                free = len(lane_end) - 1
            else:
                lane_end[free] = end[i]
            lane[i] = free
        most = max(most, len(lane_end))
    return lane, most


def placement_data(pods: dict[str, np.ndarray], horizon_s: float,
                   view_s: float | None = None) -> dict[str, Any]:
    """Line segments (x, y with ``None`` breaks) per trace for :func:`placement_figure`,
    cut at ``view_s`` (default the horizon).

    ``y`` of a pod is ``node + lane / lanes`` so that pods on one node sit in one band.
    """
    bound = ~np.isnan(pods["bound_s"]) & (pods["kind"] != 2)
    node = pods["node"][bound]
    start = pods["bound_s"][bound]
    end = np.nan_to_num(pods["ended_s"][bound], nan=horizon_s)
    ready = np.nan_to_num(pods["ready_s"][bound], nan=horizon_s)
    ready = np.minimum(ready, end)
    kind = pods["kind"][bound]
    lane, lanes = _lanes(node, start, end)
    cut = horizon_s if view_s is None else min(view_s, horizon_s)
    start, ready, end = np.minimum(start, cut), np.minimum(ready, cut), np.minimum(end, cut)
    y = node + 0.1 + 0.8 * lane / max(1, lanes)

    def segments(mask: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[list, list]:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for i in np.nonzero(mask & (b > a))[0]:
            xs += [float(a[i]), float(b[i]), None]
            ys += [float(y[i]), float(y[i]), None]
        return xs, ys

    ext = kind == KIND_EXTERNAL
    return {
        "external_starting": segments(ext, start, ready),
        "external_ready": segments(ext, ready, end),
        "internal": segments(kind == KIND_INTERNAL, start, end),
    }


def _node_axis(node_names: Sequence[str], secure: Sequence[bool]) -> dict[str, Any]:
    return {
        "tickvals": [i + 0.5 for i in range(len(node_names))],
        "ticktext": [f"{n} ({'secure' if s else 'insecure'})" for n, s in zip(node_names, secure,
                                                                               strict=True)],
        "range": [0, max(1, len(node_names))],
        "title": "node",
    }


def _row_shapes(secure: Sequence[bool], decision_s: float) -> list[dict[str, Any]]:
    shapes: list[dict[str, Any]] = [
        {"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": i, "y1": i + 1,
         "fillcolor": COLOURS["secure" if s else "insecure"], "opacity": 0.07, "line": {"width": 0},
         "layer": "below"}
        for i, s in enumerate(secure)
    ]
    shapes.append({"type": "line", "x0": decision_s, "x1": decision_s, "yref": "paper", "y0": 0,
                   "y1": 1, "line": {"dash": "dot", "color": COLOURS["muted"]}})
    return shapes


def view_end_s(pods: dict[str, np.ndarray], nodes: dict[str, Any], *, horizon_s: float,
               decision_s: float, failed_t_s: np.ndarray | None = None) -> float:
    """Where the time axes end: a little after the last thing that happens (a pod bound,
    ready or ended, a node tainted, a failed request), rounded up to 30 s, at most the
    horizon. A move that is over by 100 s is not drawn on a 900 s axis."""
    times = [decision_s]
    for key in ("bound_s", "ready_s", "ended_s"):
        t = np.asarray(pods[key], dtype=float)
        times += t[np.isfinite(t) & (t < horizon_s)].tolist()
    taint = np.asarray(nodes["first_taint_s"], dtype=float)
    times += taint[np.isfinite(taint)].tolist()
    if failed_t_s is not None and len(failed_t_s):
        times.append(float(np.max(failed_t_s)) + 1.0)
    last = max(times)
    return float(min(horizon_s, 30.0 * math.ceil((last + max(20.0, 0.15 * last)) / 30.0)))


def placement_figure(pods: dict[str, np.ndarray], nodes: dict[str, Any], *, horizon_s: float,
                     decision_s: float, view_s: float | None = None) -> go.Figure:
    """Pods per node over time (see :func:`update_placement`); the x axis ends at
    ``view_s`` (default: the horizon)."""
    fig = go.Figure(
        data=[
            go.Scatter(name="external, starting", mode="lines",
                       line={"color": COLOURS["external"], "width": 3, "dash": "dot"}),
            go.Scatter(name="external, ready", mode="lines",
                       line={"color": COLOURS["external"], "width": 6}),
            go.Scatter(name="internal", mode="lines", line={"color": COLOURS["internal"], "width": 6}),
            go.Scatter(name="NoExecute taint", mode="markers",
                       marker={"symbol": "x", "size": 11, "color": COLOURS["bad"]}),
        ],
        layout=base_layout("Pod placement per node", height=380,
                           xaxis={"title": "time (s)"}),
    )
    update_placement(fig, pods, nodes, horizon_s=horizon_s, decision_s=decision_s,
                     view_s=view_s)
    return fig


def update_placement(fig: go.Figure, pods: dict[str, np.ndarray], nodes: dict[str, Any], *,
                     horizon_s: float, decision_s: float, view_s: float | None = None) -> None:
    """Redraw :func:`placement_figure` in place."""
    data = placement_data(pods, horizon_s, view_s)
    tainted = ~np.isnan(nodes["first_taint_s"])
    with fig.batch_update():
        for trace, key in zip(fig.data[:3], ("external_starting", "external_ready", "internal"),
                              strict=True):
            trace.x, trace.y = data[key]
        fig.data[3].x = nodes["first_taint_s"][tainted].tolist()
        fig.data[3].y = (np.nonzero(tainted)[0] + 0.5).tolist()
        fig.layout.yaxis = _node_axis(nodes["name"], nodes["secure"].tolist())
        fig.layout.xaxis.range = [0, horizon_s if view_s is None else view_s]
        fig.layout.shapes = _row_shapes(nodes["secure"].tolist(), decision_s)


def ready_figure(times_s: np.ndarray, ready: np.ndarray, desired: int, *, horizon_s: float,
                 failed_t_s: np.ndarray, failed_per_s: np.ndarray,
                 view_s: float | None = None) -> go.Figure:
    """Ready external replicas (step line) against the desired count; failed requests per
    second on the right axis (its own ticks, in whole requests). The x axis ends at
    ``view_s`` (default: the horizon)."""
    fig = go.Figure(
        data=[
            go.Scatter(name="ready external pods", mode="lines", line_shape="hv",
                       line={"color": COLOURS["external"], "width": 3}),
            go.Scatter(name="desired replicas", mode="lines",
                       line={"color": COLOURS["muted"], "dash": "dash"}),
            go.Bar(name="failed requests per s", yaxis="y2", marker={"color": COLOURS["bad"]},
                   opacity=0.5),
        ],
        layout=base_layout("Ready external replicas", height=320,
                           xaxis={"title": "time (s)"},
                           yaxis={"title": "pods", "rangemode": "tozero"},
                           yaxis2={"title": "failed requests / s", "overlaying": "y", "side": "right",
                                   "rangemode": "tozero", "showgrid": False,
                                   "tickmode": "auto", "nticks": 5, "tickformat": ",d"},
                           bargap=0),
    )
    update_ready(fig, times_s, ready, desired, horizon_s=horizon_s, failed_t_s=failed_t_s,
                 failed_per_s=failed_per_s, view_s=view_s)
    return fig


def update_ready(fig: go.Figure, times_s: np.ndarray, ready: np.ndarray, desired: int, *,
                 horizon_s: float, failed_t_s: np.ndarray, failed_per_s: np.ndarray,
                 view_s: float | None = None) -> None:
    """Redraw :func:`ready_figure` in place."""
    end = horizon_s if view_s is None else min(view_s, horizon_s)
    x = np.concatenate([times_s[times_s <= end], [end]])
    y = np.concatenate([ready[times_s <= end], ready[times_s <= end][-1:]])
    with fig.batch_update():
        fig.data[0].x, fig.data[0].y = x.tolist(), y.tolist()
        fig.data[1].x, fig.data[1].y = [0, end], [desired, desired]
        shown = np.asarray(failed_t_s) < end
        fig.data[2].x = (np.asarray(failed_t_s)[shown] + 0.5).tolist()
        fig.data[2].y = np.asarray(failed_per_s)[shown].tolist()
        fig.layout.xaxis.range = [0, horizon_s if view_s is None else view_s]
        fig.layout.yaxis.range = [0, desired + 1]
        most = float(np.max(failed_per_s)) if len(failed_per_s) else 0.0
        fig.layout.yaxis2.range = [0, max(1.0, most) * 1.1]


STRATEGY_ORDER: tuple[str, ...] = ("all-at-once", "node-by-node")


def tradeoff_figure(rows: Sequence[dict[str, Any]], *, disruption: str = "failed_requests"
                    ) -> go.Figure:
    """Exposure (external pod-seconds on insecure nodes) against disruption, one point per
    strategy variant (one trace per strategy; circles with spare nodes, squares without),
    with standard-error bars. ``rows`` come from :func:`tipsim.scenarios.node_groups.compare`."""
    fig = go.Figure(
        data=[go.Scatter(name=name, mode="markers+text", textposition="middle right",
                         textfont={"size": 11},
                         marker={"size": 13, "color": STRATEGY_COLOURS[i],
                                 "line": {"width": 1, "color": "white"}},
                         error_x={"type": "data", "visible": True, "color": STRATEGY_COLOURS[i]},
                         error_y={"type": "data", "visible": True, "color": STRATEGY_COLOURS[i]})
              for i, name in enumerate(STRATEGY_ORDER)],
        layout=base_layout("Exposure vs disruption, per strategy", height=420,
                           xaxis={"title": "exposure: external pod-seconds on insecure nodes"},
                           yaxis={"title": disruption.replace("_", " ")}),
    )
    update_tradeoff(fig, rows, disruption=disruption)
    return fig


def _variant_text(row: dict[str, Any]) -> str:
    tol = row.get("toleration_seconds")
    return f"{row['spare_nodes']} spare, " + ("no tol." if tol is None else f"tol {tol:g} s")


def update_tradeoff(fig: go.Figure, rows: Sequence[dict[str, Any]], *,
                    disruption: str = "failed_requests") -> None:
    """Redraw :func:`tradeoff_figure` in place."""
    x_max = max([r["exposure_pod_seconds"] for r in rows] + [1.0])
    y_max = max([r[disruption] for r in rows] + [1.0])
    with fig.batch_update():
        for trace, name in zip(fig.data, STRATEGY_ORDER, strict=True):
            mine = [r for r in rows if r["strategy"] == name]
            trace.x = [r["exposure_pod_seconds"] for r in mine]
            trace.y = [r[disruption] for r in mine]
            trace.error_x.array = [r.get("exposure_pod_seconds_se", 0.0) for r in mine]
            trace.error_y.array = [r.get(f"{disruption}_se", 0.0) for r in mine]
            trace.text = [_variant_text(r) for r in mine]
            trace.marker.symbol = ["circle" if r["spare_nodes"] else "square" for r in mine]
            trace.hovertext = [f"{r['label']}: exposure {r['exposure_pod_seconds']:.0f} pod-s, "
                               f"{disruption.replace('_', ' ')} {r[disruption]:.1f}" for r in mine]
        fig.layout.xaxis.range = [-0.05 * x_max, 1.35 * x_max]
        fig.layout.yaxis.range = [-0.05 * y_max, 1.15 * y_max]
        fig.layout.yaxis.title.text = disruption.replace("_", " ")
