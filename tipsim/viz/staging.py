"""Figures of the staging-vs-production comparison: one point or bar per approach.

Input is the ``approaches`` list of ``tipsim run staging-vs-production --json`` (or
:meth:`Result.frame` rows): per approach each metric's mean and its 95 % interval
(``<metric>_ci``, ``None`` when there was nothing random to bound).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tipsim.viz.style import STRATEGY_COLOURS, base_layout
from tipsim.viz.tables import Table, format_value, label_of

Row = Mapping[str, Any]
_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")


def _colour(i: int) -> str:
    return STRATEGY_COLOURS[i % len(STRATEGY_COLOURS)]


def _whisker(row: Row, name: str, scale: float = 1.0) -> tuple[float, float, float]:
    """(mean, minus, plus) of a metric, scaled; 0 whiskers without an interval."""
    mean = float(row[name]) * scale
    ci = row.get(f"{name}_ci")
    if not ci:
        return mean, 0.0, 0.0
    return mean, mean - float(ci[0]) * scale, float(ci[1]) * scale - mean


def cost_vs_budget_figure(rows: Sequence[Row], *, title: str = "",
                          baseline_budget: float | None = None) -> go.Figure:
    """Infrastructure cost per month against error budget burned per month, one point per
    approach with its interval whiskers: down and left is better. ``baseline_budget`` (a
    share) draws what a month without defects burns as a dotted line."""
    fig = go.Figure()
    if baseline_budget is not None:
        fig.add_hline(y=100.0 * baseline_budget, line_dash="dot", line_color="grey",
                      annotation_text="no defects (the service's own errors)",
                      annotation_position="bottom right")
    for i, row in enumerate(rows):
        x, xm, xp = _whisker(row, "infra_cost_usd_per_month")
        y, ym, yp = _whisker(row, "error_budget_used_per_month", 100.0)
        fig.add_trace(go.Scatter(
            x=[x], y=[y], mode="markers", name=row["approach"],
            marker={"size": 13, "color": _colour(i), "symbol": _SYMBOLS[i % len(_SYMBOLS)]},
            error_x={"type": "data", "symmetric": False, "array": [xp], "arrayminus": [xm]},
            error_y={"type": "data", "symmetric": False, "array": [yp], "arrayminus": [ym]},
            hovertemplate=(f"<b>{row['approach']}</b><br>$%{{x:,.2f}} per month<br>"
                           "%{y:.1f} % of the error budget<extra></extra>")))
    fig.update_layout(**base_layout(title or "Money against error budget, per month "
                                    "(95 % intervals)", height=420, showlegend=True))
    right = max([float(r["infra_cost_usd_per_month"]) for r in rows] + [1.0])
    # a margin left of 0: the approaches that add nothing sit on the axis, not under it
    fig.update_xaxes(title_text="infrastructure cost (USD per month)",
                     range=[-0.04 * right, 1.08 * right])
    fig.update_yaxes(title_text="error budget burned (% of 30 days)", rangemode="tozero")
    return fig


def pages_and_lead_time_figure(rows: Sequence[Row], *, title: str = "") -> go.Figure:
    """Pages per month and lead time per change (minutes), one bar per approach."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("pages per month",
                                                        "lead time per change (minutes)"))
    names = [str(r["approach"]) for r in rows]
    colours = [_colour(i) for i in range(len(rows))]
    for col, (name, scale) in enumerate((("pages_per_month", 1.0),
                                         ("lead_time_s_per_change", 1 / 60.0)), start=1):
        stats = [_whisker(r, name, scale) for r in rows]
        fig.add_trace(go.Bar(x=names, y=[s[0] for s in stats], marker_color=colours,
                             name=name, showlegend=False,
                             error_y={"type": "data", "symmetric": False,
                                      "array": [s[2] for s in stats],
                                      "arrayminus": [s[1] for s in stats]}),
                      row=1, col=col)
    fig.update_layout(**base_layout(title, height=340))
    return fig


TABLE_COLUMNS = ("infra_cost_usd_per_month", "failed_requests_per_month",
                 "affected_users_per_month", "error_budget_used_per_month", "pages_per_month",
                 "defects_caught_before_users", "defects_escaped", "defects_caught_in_rollout",
                 "lead_time_s_per_change")


def _with_interval(row: Row, name: str) -> str:
    """``mean (low to high)`` in the column's format; the mean alone without an interval
    or when the interval is a single value."""
    mean = format_value(name, row[name])
    ci = row.get(f"{name}_ci")
    if not ci:
        return mean
    low, high = format_value(name, ci[0]), format_value(name, ci[1])
    return mean if low == high else f"{mean} ({low} to {high})"


def month_table(rows: Sequence[Row], *, caption: str = "") -> Table:
    """The month per approach for people: units in the headers, each mean with its 95 %
    interval over the simulated months in brackets (:mod:`tipsim.viz.tables` formats)."""
    headers = ["approach", *(label_of(c) for c in TABLE_COLUMNS)]
    body = [[str(r["approach"]), *(_with_interval(r, c) for c in TABLE_COLUMNS)] for r in rows]
    return Table(headers, body, caption or "means over the simulated months, "
                                           "95 % intervals in brackets")
