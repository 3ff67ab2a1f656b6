"""Counts of Poisson arrivals per window, beside the expected count: the first chart a learner moves."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from tipsim.viz.style import COLOURS, base_layout


def arrivals_figure(window_start_s: np.ndarray, counts: np.ndarray, expected: float,
                    window_s: float) -> go.Figure:
    """Bar chart of arrivals per window with the expected count as a line.

    Parameters
    ----------
    window_start_s
        Start of each window (seconds).
    counts
        Arrivals counted in each window.
    expected
        Expected arrivals per window (rate x window).
    window_s
        Window length in seconds (for the axis title).
    """
    fig = go.Figure(
        data=[
            go.Bar(x=window_start_s, y=counts, name="simulated", marker_color=COLOURS["old"]),
            go.Scatter(x=[window_start_s[0], window_start_s[-1] + window_s],
                       y=[expected, expected], mode="lines", name="expected (rate x window)",
                       line={"color": COLOURS["bad"], "dash": "dash"}),
        ],
        layout=base_layout("Requests arriving per window", height=320,
                           xaxis_title="time (s)",
                           yaxis_title=f"requests per {window_s:g} s window"),
    )
    return fig
