"""Figures for scenario 4 (the A/B data lake): latency, lag, cost and the crossover chart.

Each ``*_figure`` builds a figure with its data; a panel redraws by building a new one.
Nothing here runs a simulation: the inputs are arrays and dicts from :mod:`tipsim.scenarios.data_lake_ab`.
"""

from __future__ import annotations

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


def latency_figure(cdfs: Mapping[str, Sequence[float]], names: Mapping[str, str],
                   colours: Mapping[str, str], slo_s: float) -> go.Figure:
    """Latency CDF of each arm on a log axis, with the objective as a dashed line.

    Parameters
    ----------
    cdfs
        Arm -> latencies at :data:`CDF_POINTS` probabilities.
    """
    fig = go.Figure(layout=base_layout("Produced -> in the lake: latency distribution"))
    for arm, q in cdfs.items():
        x, y = latency_cdf_xy(q)
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=names[arm],
                                 line={"color": colours[arm], "width": 2}))
    fig.add_vline(x=slo_s, line_dash="dash", line_color=COLOURS["bad"],
                  annotation_text=f"objective {slo_s:g} s")
    fig.update_xaxes(type="log", title="latency (s, log scale)")
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
    marks the first load where the cheaper arm changes."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
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
        switch = cross.get("switch_rate_per_s")
        shape = fig.layout.shapes[0]
        shape.visible = switch is not None
        if switch is not None:
            shape.x0 = shape.x1 = float(switch)  # shapes take data values, even on a log axis
