"""Figures for notebook 06: a canary's power over a grid (a heatmap and curves with intervals).

Builders take the per-configuration table of
:func:`tipsim.scenarios.canary.power.summarise` (a ``pandas.DataFrame``: one row per
configuration with ``rollback_prob``, ``prob_low``, ``prob_high``, ``time_to_detect_s``,
``detect_half_s``, ``requests_exposed``, ``users_exposed``) and return plotly figures;
they never run a simulation. :data:`METRICS` says what each column is, in which unit, and
which columns hold its uncertainty; :func:`power_learner_table` is the same table for a learner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from tipsim.viz.style import STRATEGY_COLOURS, base_layout
from tipsim.viz.tables import Table, format_value, learner_table


@dataclass(frozen=True)
class Metric:
    """A column of the power table: its label, unit, number format and interval columns."""

    label: str
    unit: str
    fmt: str
    low: str | None = None  # column of the interval's lower bound
    high: str | None = None
    half: str | None = None  # column of a symmetric half-width


METRICS: dict[str, Metric] = {
    "rollback_prob": Metric("rolled back (share of runs)", "", ".2f", low="prob_low",
                            high="prob_high"),
    "time_to_detect_s": Metric("time to detect", "s", ".0f", half="detect_half_s"),
    "requests_exposed": Metric("requests sent to the canary", "requests", ".0f"),
    "users_exposed": Metric("users sent to the canary", "users", ".0f"),
}
AXIS_LABELS: dict[str, str] = {"step_weight_pct": "step weight (%)",
                               "window_s": "analysis window (s)",
                               "confidence": "judge confidence",
                               "green_error_rate": "defect: share of canary requests failing"}


def _title(metric: str) -> str:
    m = METRICS[metric]
    return f"{m.label} ({m.unit})" if m.unit else m.label


def _interval_text(row: Any, metric: str) -> str:
    m = METRICS[metric]
    value = row[metric]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none detected" if metric == "time_to_detect_s" else "n/a"
    text = format(value, m.fmt)
    if m.low and m.high:
        text += f" [{format(row[m.low], m.fmt)}, {format(row[m.high], m.fmt)}]"
    elif m.half and not math.isnan(row[m.half]):
        text += f" ± {format(row[m.half], m.fmt)}"
    return text


def power_map_figure(table: Any, metric: str = "rollback_prob", *, x: str = "step_weight_pct",
                  y: str = "green_error_rate", title: str = "") -> go.Figure:
    """``metric`` over ``x`` and ``y`` (the table already sliced to one value of the other
    axes); each cell shows the value and its 95 % interval, and the runs behind it."""
    xs = sorted(table[x].unique())
    ys = sorted(table[y].unique())
    z = np.full((len(ys), len(xs)), np.nan)
    text = [["" for _ in xs] for _ in ys]
    for _, row in table.iterrows():
        i, j = ys.index(row[y]), xs.index(row[x])
        z[i, j] = row[metric]
        text[i][j] = f"{_interval_text(row, metric)}<br>{int(row['runs'])} runs"
    prob = metric == "rollback_prob"
    fig = go.Figure(go.Heatmap(
        x=[format(v, "g") for v in xs], y=[format(v, "g") for v in ys], z=z, text=text,
        texttemplate="%{text}", hovertemplate="%{text}<extra></extra>",
        colorscale="RdYlGn" if prob else "Viridis", zmin=0.0 if prob else None,
        zmax=1.0 if prob else None, colorbar={"title": {"text": METRICS[metric].unit or "share"}}))
    fig.update_layout(**base_layout(title or _title(metric), height=340))
    fig.update_xaxes(title=AXIS_LABELS.get(x, x), type="category")
    fig.update_yaxes(title=AXIS_LABELS.get(y, y), type="category")
    return fig


def power_curves_figure(table: Any, metric: str = "rollback_prob", *, x: str = "step_weight_pct",
                 colour: str = "green_error_rate", title: str = "") -> go.Figure:
    """``metric`` against ``x``, one line per value of ``colour``, with 95 % error bars."""
    m = METRICS[metric]
    fig = go.Figure()
    for k, (value, g) in enumerate(table.sort_values(x).groupby(colour, sort=True)):
        error: dict[str, Any] = {"visible": False}
        if m.low and m.high:
            error = {"type": "data", "symmetric": False,
                     "array": (g[m.high] - g[metric]).tolist(),
                     "arrayminus": (g[metric] - g[m.low]).tolist()}
        elif m.half:
            error = {"type": "data", "array": g[m.half].fillna(0.0).tolist()}
        fig.add_trace(go.Scatter(
            x=g[x].tolist(), y=g[metric].tolist(), error_y=error, mode="lines+markers",
            name=f"{AXIS_LABELS.get(colour, colour)} {value:g}",
            line={"color": STRATEGY_COLOURS[k % len(STRATEGY_COLOURS)]},
            text=[_interval_text(r, metric) for _, r in g.iterrows()],
            hovertemplate="%{x}: %{text}<extra>%{fullData.name}</extra>"))
    fig.update_layout(**base_layout(title or _title(metric), height=340))
    fig.update_xaxes(title=AXIS_LABELS.get(x, x))
    fig.update_yaxes(title=_title(metric), rangemode="tozero")
    return fig


def power_learner_table(table: Any, caption: str = "") -> Table:
    """The power table for a learner (:func:`tipsim.viz.tables.learner_table`): the
    configuration, "k of n" rolled back, the probability with its 95 % interval, the mean
    time to detect ± its 95 % half-width, mean requests and users exposed."""
    records = []
    for _, r in table.iterrows():
        rec = {AXIS_LABELS[a]: (format_value("share", r[a]) if a == "green_error_rate"
                                else format_value(a, r[a]))
               for a in AXIS_LABELS if a in table.columns}
        detect = format_value("time_to_detect_s", r["time_to_detect_s"], "none detected")
        if not math.isnan(r["detect_half_s"]):
            detect += " ± " + format_value("time_to_detect_s", r["detect_half_s"])
        rec |= {"rolled back": f"{int(r['rolled_back'])} of {int(r['runs'])}",
                "P(rollback), 95% interval": f"{r['rollback_prob']:.2f} "
                                             f"({r['prob_low']:.2f} to {r['prob_high']:.2f})",
                "time to detect (s), mean ± 95%": detect,
                "requests exposed (mean)": format_value("requests", r["requests_exposed"]),
                "users exposed (mean)": format_value("requests", r["users_exposed"])}
        records.append(rec)
    return learner_table(records, caption=caption)
