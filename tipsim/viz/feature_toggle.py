"""Figures of the feature-toggle scenario: the blast radius of each strategy side by side.

Input is the tidy frame of :func:`tipsim.scenarios.feature_toggle.compare_strategies`
(one row per strategy, all run on the same seed).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tipsim.viz.style import STRATEGY_COLOURS, base_layout

PANELS: tuple[tuple[str, str], ...] = (
    ("bad_requests", "failed or slow<br>requests"),
    ("affected_users", "affected<br>users"),
    ("error_budget_pct", "error budget used<br>(% of 30 days)"),
    ("time_to_recover_min", "time to recover<br>(min)"),
)
"""Column and title of each small chart (two short lines: four fit side by side)."""


def blast_radius_columns(frame: Any) -> Any:
    """Add the derived columns the chart shows (bad requests, budget in %, minutes)."""
    out = frame.copy()
    out["bad_requests"] = out["failed_requests"] + out["slow_requests"]
    out["error_budget_pct"] = 100.0 * out["error_budget_used"]
    out["time_to_recover_min"] = out["time_to_recover_s"].astype(float) / 60.0
    return out


def _hover(row: Any) -> str:
    def fmt(v: Any, unit: str) -> str:
        return "not detected" if v is None or v != v else f"{v:.0f} {unit}"

    return (f"detect: {fmt(row['time_to_detect_s'], 's')}<br>"
            f"recover: {fmt(row['time_to_recover_s'], 's')}<br>"
            f"SLO breach: {row['slo_breach_minutes']:.0f} min<br>"
            f"machine time: {row['instance_hours']:.2f} h")


def blast_radius_figure(frame: Any) -> go.Figure:
    """Four small bar charts, one bar per strategy: the side-by-side blast radius."""
    data = blast_radius_columns(frame)
    fig = make_subplots(rows=1, cols=len(PANELS), subplot_titles=[t for _, t in PANELS])
    colours = STRATEGY_COLOURS[: len(data)]
    for col, (column, title) in enumerate(PANELS, start=1):
        fig.add_trace(go.Bar(x=data["strategy"].tolist(), y=data[column].tolist(), name=title,
                             marker={"color": colours}, showlegend=False,
                             hovertext=[_hover(r) for _, r in data.iterrows()]),
                      row=1, col=col)
    fig.update_layout(**base_layout("Blast radius of each strategy (same seed, same requests)",
                                    height=340, margin={"l": 60, "r": 20, "t": 80, "b": 50}))
    fig.update_annotations(font_size=11)
    return fig
