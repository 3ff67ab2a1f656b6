"""The first widget of the kit: a slider for the arrival rate drives a chart of arrivals.

It shows a workshop attendee that widgets and plotly work in their browser, and it
introduces two ideas every scenario uses: Poisson arrivals and seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w
import numpy as np

from tipsim.sim.rng import stream
from tipsim.viz.arrivals import arrivals_figure
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.live_figure import LiveFigure


@dataclass(frozen=True)
class ArrivalCounts:
    """Arrivals counted per window, with the expected count."""

    window_start_s: np.ndarray
    counts: np.ndarray
    expected: float

    @property
    def mean(self) -> float:
        return float(self.counts.mean())

    @property
    def mean_ci95(self) -> float:
        """Half-width of the 95% confidence interval of the mean count (normal approximation)."""
        return float(1.96 * self.counts.std(ddof=1) / np.sqrt(len(self.counts)))


def count_arrivals(rate_per_s: float, duration_s: float = 600.0, window_s: float = 10.0,
                   seed: int = 1) -> ArrivalCounts:
    """Poisson arrivals at ``rate_per_s`` for ``duration_s``, counted per ``window_s``.

    Inter-arrival times are exponential with mean ``1 / rate_per_s``; the count in a
    window of length ``window_s`` is then Poisson with mean ``rate_per_s * window_s``.
    """
    rng = stream(seed, "arrivals")
    n_expected = int(rate_per_s * duration_s * 1.2 + 50)
    times = np.cumsum(rng.exponential(1.0 / rate_per_s, size=n_expected))
    times = times[times < duration_s]
    edges = np.arange(0.0, duration_s + window_s, window_s)
    counts, _ = np.histogram(times, bins=edges)
    return ArrivalCounts(edges[:-1], counts, rate_per_s * window_s)


class ArrivalsPanel:
    """Slider (requests per second) -> chart of arrivals per 10-second window."""

    def __init__(self, rate_per_s: float = 5.0, seed: int = 1) -> None:
        self.seed = seed
        self.slider = w.FloatSlider(value=rate_per_s, min=0.5, max=50.0, step=0.5,
                                    description="requests/s", continuous_update=False,
                                    style={"description_width": "initial"})
        self.slider.add_class("tipsim-rate-slider")
        self.summary = w.HTML()
        self.message = MessageLine()
        data = count_arrivals(rate_per_s, seed=seed)
        self.figure = LiveFigure(arrivals_figure(data.window_start_s, data.counts,
                                                 data.expected, 10.0))
        self.data = data
        self._show_summary(data)
        self.slider.observe(guarded(self.message)(self._on_change), names="value")
        self.widget = w.VBox([self.slider, self.summary, self.figure, self.message])
        self.widget.add_class("tipsim-start-here")

    def _show_summary(self, data: ArrivalCounts) -> None:
        self.summary.value = (
            f"mean <b>{data.mean:.1f} ± {data.mean_ci95:.1f}</b> requests per 10 s window "
            f"(95% CI, {len(data.counts)} windows); expected <b>{data.expected:.1f}</b>"
        )

    def _on_change(self, change: dict) -> None:
        data = count_arrivals(float(change["new"]), seed=self.seed)
        self.data = data
        with self.figure.edit() as fig:
            fig.data[0].y = data.counts
            fig.data[1].y = [data.expected, data.expected]
        self._show_summary(data)
        self.message.clear()
