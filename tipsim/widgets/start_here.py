"""The first widget of the kit: a slider for the arrival rate drives a chart of arrivals.

It shows a workshop attendee that widgets and plotly work in their browser, and it
introduces two ideas every scenario uses: Poisson arrivals and seeds. The counting is the
queueing scenario's (:func:`tipsim.scenarios.queueing.count_arrivals`); the slider comes
from its field.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from tipsim.scenarios.queueing import ArrivalCounts, ArrivalParams, count_arrivals
from tipsim.viz.arrivals import arrivals_figure
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.controls import control
from tipsim.widgets.live_figure import LiveFigure


class ArrivalsPanel:
    """Slider (requests per second) -> chart of arrivals per 10-second window."""

    def __init__(self, rate_per_s: float = 5.0, seed: int = 1) -> None:
        self.seed = seed
        self.slider = control(ArrivalParams, "rate_per_s", rate_per_s, css="tipsim-rate-slider")
        self.summary = w.HTML()
        self.message = MessageLine()
        data = count_arrivals(rate_per_s, seed=seed)
        self.figure = LiveFigure(arrivals_figure(data.window_start_s, data.counts,
                                                 data.expected, data.window_s))
        self.data = data
        self._show_summary(data)
        self.message.watch(self.summary, self.figure)
        self.slider.observe(guarded(self.message)(self._on_change), names="value")
        self.widget = w.VBox([self.slider, self.summary, self.figure, self.message])
        self.widget.add_class("tipsim-start-here")

    def _show_summary(self, data: ArrivalCounts) -> None:
        self.summary.value = (
            f"mean <b>{data.mean:.1f} ± {data.mean_ci95:.1f}</b> requests per "
            f"{data.window_s:g} s window (95% CI, {len(data.counts)} windows); "
            f"expected <b>{data.expected:.1f}</b>"
        )

    def _on_change(self, change: dict[str, Any]) -> None:
        data = count_arrivals(float(change["new"]), seed=self.seed)
        self.data = data
        with self.figure.edit() as fig:
            fig.data[0].y = data.counts
            fig.data[1].y = [data.expected, data.expected]
        self._show_summary(data)
        self.message.clear()
