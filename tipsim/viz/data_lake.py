"""Figures for scenario 4 (the A/B data lake): latency, lag, cost and the crossover chart.

Each ``*_figure`` builds a figure with its data; a panel redraws by building a new one.
Nothing here runs a simulation: the inputs are arrays and dicts from :mod:`tipsim.scenarios.data_lake_ab`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tipsim.viz.style import COLOURS, STRATEGY_COLOURS, base_layout

CDF_POINTS = np.linspace(0.0, 1.0, 201)


def arm_colour(arm: str, backend_a: str, backend_b: str) -> str:
    """Colour of an arm: its back end's colour, or a second colour when both use the same."""
    if arm == "a" or backend_a != backend_b:
        return COLOURS[backend_a if arm == "a" else backend_b]
    return COLOURS["green"]


def latency_cdf_xy(quantile_s: Sequence[float]) -> tuple[list[float], list[float]]:
    """x, y of a latency CDF from latencies at :data:`CDF_POINTS` probabilities."""
    x = np.maximum(np.asarray(quantile_s, dtype=float), 1e-3)
    return x.tolist(), CDF_POINTS.tolist()


def log_view(values: Sequence[float], pad: float = 0.06, min_span: float = 0.3
             ) -> tuple[float, float]:
    """A log axis's range (in log10 units, as plotly wants it) around positive ``values``."""
    lo, hi = math.log10(min(values)), math.log10(max(values))
    span = max(hi - lo, min_span)
    mid = (lo + hi) / 2
    lo, hi = min(lo, mid - span / 2), max(hi, mid + span / 2)
    return lo - pad * span, hi + pad * span


OBJECTIVE_REACH = 3.0
"""The objective's line is drawn when it lies within this factor of the data; further off,
an arrow at the edge names it instead (a line at 30 s on data that ends at 1 s would squash
the data into a corner)."""


def latency_figure(cdfs: Mapping[str, Sequence[float]], names: Mapping[str, str],
                   colours: Mapping[str, str], slo_s: float) -> go.Figure:
    """Latency CDF of each arm on a log axis, with the objective as a dashed line.

    The x range is set from the data (plotly would also stretch it to fit the label of a
    line, in log units: a label at 30 s becomes one at 10^30 s); the objective joins it when
    within :data:`OBJECTIVE_REACH` of the data, else an arrow at the edge names it.

    Parameters
    ----------
    cdfs
        Arm -> latencies at :data:`CDF_POINTS` probabilities.
    """
    fig = go.Figure(layout=base_layout("Produced -> in the lake: latency distribution"))
    xs: list[float] = []
    for arm, q in cdfs.items():
        x, y = latency_cdf_xy(q)
        xs += x
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=names[arm],
                                 line={"color": colours[arm], "width": 2}))
    xs = xs or [slo_s]
    near = min(xs) / OBJECTIVE_REACH <= slo_s <= max(xs) * OBJECTIVE_REACH
    lo, hi = log_view(xs + [slo_s] if near else xs)
    label = f"objective {slo_s:g} s"
    if near:
        fig.add_shape(type="line", xref="x", yref="paper", x0=slo_s, x1=slo_s, y0=0, y1=1,
                      line={"dash": "dash", "color": COLOURS["bad"]})
        right = math.log10(slo_s) < (lo + hi) / 2
        fig.add_annotation(x=math.log10(slo_s), y=1.0, xref="x", yref="paper", text=label,
                           showarrow=False, xanchor="left" if right else "right",
                           yanchor="top", xshift=4 if right else -4,
                           font={"color": COLOURS["bad"], "size": 12})
    else:
        above = slo_s > max(xs)
        fig.add_annotation(x=1.0 if above else 0.0, y=1.0, xref="paper", yref="paper",
                           text=f"{label} {'→' if above else '←'} (off the chart)",
                           showarrow=False, xanchor="right" if above else "left",
                           yanchor="top", font={"color": COLOURS["bad"], "size": 12})
    fig.update_xaxes(type="log", title="latency (s, log scale)", range=[lo, hi])
    fig.update_yaxes(title="share of records", range=[0, 1.02])
    return fig


def downsample_max(t: np.ndarray, y: np.ndarray, points: int = 400) -> tuple[list[float], list[float]]:
    """At most ``points`` steps, keeping each bin's maximum (so peaks stay visible)."""
    if len(t) <= points:
        return np.asarray(t, float).tolist(), np.asarray(y, float).tolist()
    edges = np.linspace(0, len(t), points + 1).astype(int)
    return (np.asarray(t)[edges[1:] - 1].astype(float).tolist(),
            np.maximum.reduceat(np.asarray(y), edges[:-1]).astype(float).tolist())


def lag_figure(series: Mapping[str, tuple[np.ndarray, np.ndarray]], names: Mapping[str, str],
               colours: Mapping[str, str]) -> go.Figure:
    """Consumer lag (records readable but not yet in the lake) over time, per arm."""
    fig = go.Figure(layout=base_layout("Consumer lag over time"))
    for arm, (t, lag) in series.items():
        x, y = downsample_max(t, lag)
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=names[arm],
                                 line={"color": colours[arm]}))
    fig.update_xaxes(title="time (s)")
    fig.update_yaxes(title="lag (records)", rangemode="tozero")
    return fig


def concurrency_lag_figure(lags: Mapping[int, tuple[np.ndarray, np.ndarray]],
                           title: str) -> go.Figure:
    """Consumer lag over time of one load, one line per setting of invocations per poller
    (``lags[k] = (time_s, records)``; ``k = 1`` is one batch at a time)."""
    fig = go.Figure(layout=base_layout(title))
    for i, (k, (t, lag)) in enumerate(sorted(lags.items())):
        x, y = downsample_max(t, lag)
        name = "1 invocation per poller (one batch at a time)" if k == 1 else \
            f"up to {k} invocations per poller"
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name,
                                 line={"color": STRATEGY_COLOURS[i % len(STRATEGY_COLOURS)]}))
    fig.update_xaxes(title="time (s)")
    fig.update_yaxes(title="lag (records)", rangemode="tozero")
    return fig


def _bar_args(summary: Mapping[str, Mapping[str, Any]], key: str) -> tuple[list[float], list[float], list[float]]:
    mean = [float(summary[arm][key]) for arm in summary]
    lo = [float(summary[arm][key + "_ci"][0]) for arm in summary]
    hi = [float(summary[arm][key + "_ci"][1]) for arm in summary]
    plus = [max(h - m, 0.0) if np.isfinite(h) else 0.0 for m, h in zip(mean, hi, strict=True)]
    minus = [max(m - low, 0.0) if np.isfinite(low) else 0.0 for m, low in zip(mean, lo, strict=True)]
    return mean, plus, minus


def cost_figure(summary: Mapping[str, Mapping[str, Any]], names: Mapping[str, str],
                colours: Mapping[str, str], confidence: float = 0.95) -> go.Figure:
    """Cost per hour and per million records of each arm, with t intervals over replications."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("USD per hour", "USD per million records"))
    for col, key in ((1, "cost_usd_per_hour"), (2, "cost_usd_per_million_records")):
        mean, plus, minus = _bar_args(summary, key)
        fig.add_trace(go.Bar(
            x=[names[a] for a in summary], y=mean,
            error_y={"type": "data", "array": plus, "arrayminus": minus, "visible": True},
            marker_color=[colours[a] for a in summary], showlegend=False), row=1, col=col)
    fig.update_layout(**base_layout(f"Back-end cost (bars: mean; whiskers: {confidence:.0%} CI)"))
    return fig


def crossover_figure(cross: Mapping[str, Any], names: Mapping[str, str],
                     colours: Mapping[str, str]) -> go.Figure:
    """Cost per hour (top) and p95 latency (bottom) of both arms across loads; a dotted line
    marks the load where their costs are equal (``crossover_rate_per_s``, placed within the
    sweep's resolution; else the first load where the cheaper arm changes)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=("Back-end cost (USD per hour)", "p95 latency (s)"))
    for arm in ("a", "b"):
        fig.add_trace(go.Scatter(mode="lines+markers", name=names[arm],
                                 line={"color": colours[arm]}), row=1, col=1)
        fig.add_trace(go.Scatter(mode="lines+markers", name=names[arm], showlegend=False,
                                 line={"color": colours[arm], "dash": "dot"}), row=2, col=1)
    fig.update_layout(**base_layout("Where does the cheaper arm change?", height=520))
    fig.update_xaxes(type="log")
    fig.update_xaxes(title="load (records/s, log scale)", row=2, col=1)
    fig.update_yaxes(type="log", row=2, col=1)
    fig.add_shape(type="line", xref="x2", yref="paper", x0=0, x1=0, y0=0, y1=1, visible=False,
                  line={"dash": "dot", "color": COLOURS["highlight"], "width": 2})
    update_crossover(fig, cross, names)
    return fig


def update_crossover(fig: Any, cross: Mapping[str, Any], names: Mapping[str, str]) -> None:
    """Redraw :func:`crossover_figure` with another sweep."""
    rates = [float(r) for r in cross["rate_per_s"]]
    with fig.batch_update():
        for i, arm in enumerate(("a", "b")):
            cost = cross[arm]["cost_usd_per_hour"]
            ci = cross[arm]["cost_ci"]
            top, bottom = fig.data[2 * i], fig.data[2 * i + 1]
            top.x, top.y, top.name = rates, cost, names[arm]
            top.error_y = {"type": "data", "visible": True,
                           "array": [max(h - m, 0) if np.isfinite(h) else 0
                                     for m, (_, h) in zip(cost, ci, strict=True)],
                           "arrayminus": [max(m - lo, 0) if np.isfinite(lo) else 0
                                          for m, (lo, _) in zip(cost, ci, strict=True)]}
            bottom.x, bottom.y = rates, [max(v, 1e-3) for v in cross[arm]["latency_p95_s"]]
        at = cross.get("crossover_rate_per_s") or cross.get("switch_rate_per_s")
        shape = fig.layout.shapes[0]
        shape.visible = at is not None
        fig.layout.annotations = [a for a in fig.layout.annotations if a.xref != "x2"]
        if at is not None:
            shape.x0 = shape.x1 = float(at)  # shapes take data values, even on a log axis
            lo, hi = math.log10(min(rates)), math.log10(max(rates))
            right = math.log10(at) < lo + 0.4 * (hi - lo)  # the label goes where there is room
            top = fig.layout.yaxis.domain[1] if fig.layout.yaxis.domain else 1.0
            fig.add_annotation(  # annotations take log10 values on a log axis
                x=math.log10(at), xref="x2", y=top, yref="paper", showarrow=False,
                text=f"equal cost near<br>{at:,.0f} records/s", yanchor="top",
                xanchor="left" if right else "right", xshift=4 if right else -4,
                align="left" if right else "right",
                font={"color": COLOURS["highlight"], "size": 12})
