"""Figures for scenario 2: rollout timeline, judge table, blast radius, DNS timeline.

Builders take plain data (arrays, dicts, the judge's result) and return plotly figures;
they never run a simulation. :func:`timeline_data` turns per-request arrays into the
per-side series the timeline shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tipsim.viz.style import COLOURS, STRATEGY_COLOURS, base_layout

VERDICT_COLOURS = {"pass": COLOURS["ok"], "marginal": COLOURS["highlight"],
                   "fail": COLOURS["bad"]}


def timeline_data(requests: Mapping[str, np.ndarray], duration_s: float,
                  bin_s: float = 30.0) -> dict[str, np.ndarray]:
    """Per-side error rate and p99 latency in bins of ``bin_s`` (NaN where no request).

    Returns ``t_s`` (bin centres) and ``error_rate_{blue,green}``,
    ``p99_latency_s_{blue,green}``.
    """
    edges = np.arange(0.0, duration_s + bin_s, bin_s)
    k = edges.size - 1
    out: dict[str, np.ndarray] = {"t_s": edges[:-1] + bin_s / 2}
    for code, name in ((0, "blue"), (1, "green")):
        sel = requests["image"] == code
        t = requests["time_s"][sel]
        idx = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, k - 1)
        n = np.bincount(idx, minlength=k).astype(float)
        bad = np.bincount(idx, weights=~requests["ok"][sel], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"error_rate_{name}"] = np.where(n > 0, bad / n, np.nan)
        lat = requests["latency_s"][sel]
        p99 = np.full(k, np.nan)
        order = np.argsort(idx, kind="stable")
        bounds = np.searchsorted(idx[order], np.arange(k + 1))
        ls = lat[order]
        for i in np.flatnonzero(n):
            p99[i] = np.percentile(ls[bounds[i]:bounds[i + 1]], 99)
        out[f"p99_latency_s_{name}"] = p99
    return out


def _weight_steps(weight_time_s: Sequence[float], weight_pct: Sequence[float],
                  duration_s: float) -> tuple[list[float], list[float]]:
    return list(weight_time_s) + [duration_s], list(weight_pct) + [weight_pct[-1]]


def rollout_figure(series: Mapping[str, np.ndarray], weight_time_s: Sequence[float],
                   weight_pct: Sequence[float], steps: Sequence[Mapping[str, Any]],
                   duration_s: float, title: str = "",
                   events: Sequence[tuple[float, str]] = ()) -> go.Figure:
    """Green weight, per-side error rate and p99 latency over time, judge verdicts marked.

    Traces (in order, for in-place updates): 0 weight, 1-2 error rate blue/green,
    3-4 p99 blue/green, 5 verdict markers. ``events`` (``(time_s, label)``, e.g. the first
    burn-rate page) are dotted vertical lines through the three rows, labelled on top.
    """
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=("green DNS weight (%)", "error rate",
                                        "p99 latency (s)"))
    wx, wy = _weight_steps(weight_time_s, weight_pct, duration_s)
    fig.add_trace(go.Scatter(x=wx, y=wy, mode="lines", line_shape="hv", name="green weight",
                             line={"color": COLOURS["green"]}), row=1, col=1)
    t = series["t_s"]
    for row, key in ((2, "error_rate"), (3, "p99_latency_s")):
        for side in ("blue", "green"):
            fig.add_trace(go.Scatter(x=t, y=series[f"{key}_{side}"], mode="lines",
                                     name=f"{side} {key.replace('_', ' ')}",
                                     line={"color": COLOURS[side]}), row=row, col=1)
    judged = [s for s in steps if s.get("score") is not None]
    fig.add_trace(go.Scatter(
        x=[s["end"] for s in judged], y=[s["weight"] for s in judged], mode="markers",
        name="judge verdict",
        marker={"size": 11, "symbol": "diamond",
                "color": [VERDICT_COLOURS.get(s["verdict"], COLOURS["muted"]) for s in judged]},
        text=[f"{s['verdict']} (score {s['score']:.0f})" for s in judged],
        hovertemplate="%{text}<extra></extra>"), row=1, col=1)
    fig.update_layout(**base_layout(title, height=560))
    fig.update_xaxes(title_text="time (s)", row=3, col=1)
    for at_s, label in events:
        fig.add_vline(x=at_s, row="all", col=1,
                      line={"color": COLOURS["bad"], "dash": "dot", "width": 1.5})
        fig.add_annotation(x=at_s, y=1.0, xref="x", yref="paper", text=label, showarrow=False,
                           xanchor="left", yanchor="bottom",
                           font={"size": 10, "color": COLOURS["bad"]})
    return fig


def judge_table(metrics: Sequence[Mapping[str, Any]], title: str = "") -> go.Figure:
    """The judge's per-metric findings as a table (canary vs baseline medians, shift
    interval, band, p-value, mean ratio, classification)."""

    def fmt(v: Any) -> str:
        return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.4g}"

    cols = ["metric", "canary median", "baseline median", "shift interval", "band",
            "p-value", "mean ratio", "result"]
    rows = [[m["name"] for m in metrics],
            [fmt(m["canary_median"]) for m in metrics],
            [fmt(m["baseline_median"]) for m in metrics],
            [f"[{fmt(m['ci_low'])}, {fmt(m['ci_high'])}]" for m in metrics],
            [f"+/- {fmt(m['band'])}" for m in metrics],
            [fmt(m["p_value"]) for m in metrics],
            [fmt(m.get("mean_ratio")) for m in metrics],
            [m["classification"] + (" (critical)" if m["critical"] else "") for m in metrics]]
    fill = [COLOURS["bad"] if m["failed"] else "#EAF4EC" for m in metrics]
    fig = go.Figure(go.Table(header={"values": cols},
                             cells={"values": rows,
                                    "fill_color": [["white"] * len(metrics)] * 7 + [fill]}))
    fig.update_layout(**base_layout(title, height=220))
    return fig


def blast_radius_figure(summaries: Mapping[str, Mapping[str, Any]],
                        title: str = "") -> go.Figure:
    """Failed requests and affected users per strategy, side by side (two bar groups)."""
    names = list(summaries)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("failed requests", "affected users"))
    colours = STRATEGY_COLOURS[:len(names)]
    fig.add_trace(go.Bar(x=names, y=[summaries[n]["failed_requests"] for n in names],
                         marker_color=colours, name="failed requests"), row=1, col=1)
    fig.add_trace(go.Bar(x=names, y=[summaries[n]["affected_users"] for n in names],
                         marker_color=colours, name="affected users"), row=1, col=2)
    fig.update_layout(**base_layout(title, height=320, showlegend=False))
    return fig


def dns_figure(grid_s: np.ndarray, client_share: np.ndarray, weight_time_s: Sequence[float],
               weight_pct: Sequence[float], duration_s: float, title: str = "") -> go.Figure:
    """Share of clients that would reach green at each time, against green's DNS weight:
    the gap is the TTL at work."""
    wx, wy = _weight_steps(weight_time_s, weight_pct, duration_s)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=wx, y=np.asarray(wy) / 100.0, mode="lines", line_shape="hv",
                             name="green weight (share)",
                             line={"color": COLOURS["muted"], "dash": "dash"}))
    fig.add_trace(go.Scatter(x=grid_s, y=client_share, mode="lines",
                             name="clients resolving to green",
                             line={"color": COLOURS["green"]}))
    fig.update_layout(**base_layout(title, height=320))
    fig.update_xaxes(title_text="time (s)")
    fig.update_yaxes(title_text="share of clients", range=[-0.02, 1.02])
    return fig
