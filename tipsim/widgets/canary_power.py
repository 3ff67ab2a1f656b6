"""Notebook 06's panel: slice a canary power map by analysis window and judge confidence.

The panel shows a sweep already run (:func:`tipsim.scenarios.canary.power.power_sweep`);
it never runs one. Two rows of buttons pick the analysis window and the judge confidence
(the axes not on the map), a dropdown the quantity; the heatmap (step weight x defect
severity), the curves beside it and the healthy green's false rollbacks redraw at once.

>>> panel = CanaryPowerPanel(result)          # doctest: +SKIP
>>> panel.confidence.value = 0.98             # redraws the charts  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from tipsim.scenarios.canary.power import PowerResult
from tipsim.viz.canary_power import METRICS, power_curves_figure, power_map_figure
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.controls import STYLE
from tipsim.widgets.live_figure import LiveFigure


def _buttons(values: Any, css: str, description: str, unit: str = "") -> w.ToggleButtons:
    options = [(f"{v:g}{unit}", float(v)) for v in sorted(values)]
    widget = w.ToggleButtons(options=options, value=options[0][1], description=description,
                             style=STYLE)
    widget.add_class(f"tipsim-{css}")
    widget.add_class("tipsim-control")
    return widget


class CanaryPowerPanel:
    """Controls and three live charts over a :class:`PowerResult`.

    Parameters
    ----------
    result
        The sweep's runs and summaries.
    """

    def __init__(self, result: PowerResult) -> None:
        self.result = result
        table = result.detection
        self.window = _buttons(table["window_s"].unique(), "power-window",
                               "analysis window", " s")
        self.confidence = _buttons(table["confidence"].unique(), "power-confidence",
                                   "judge confidence")
        self.metric = w.Dropdown(options=[(m.label, k) for k, m in METRICS.items()],
                                 value="rollback_prob", description="show", style=STYLE)
        self.metric.add_class("tipsim-power-metric")
        self.message = MessageLine()
        self.heatmap_fig = LiveFigure(power_map_figure(self._slice()))
        self.curves_fig = LiveFigure(power_curves_figure(self._slice()))
        self.false_fig = LiveFigure(self._false_figure())
        self._draw()
        for control in (self.window, self.confidence, self.metric):
            control.observe(self._on_change, names="value")

    def _slice(self) -> Any:
        t = self.result.detection
        return t[(t["window_s"] == self.window.value)
                 & (t["confidence"] == self.confidence.value)]

    def _false_figure(self) -> Any:
        t = self.result.false_rollbacks
        return power_curves_figure(t[t["window_s"] == self.window.value], "rollback_prob",
                            colour="confidence",
                            title=f"healthy canary rolled back (false rollbacks), "
                                  f"{self.window.value:g} s windows")

    def _on_change(self, change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Redraw the charts for the chosen slice (errors go to the message line)."""
        guarded(self.message)(self._draw)()

    def _draw(self) -> None:
        part = self._slice()
        where = f"{self.window.value:g} s windows, confidence {self.confidence.value:g}"
        label = METRICS[self.metric.value].label
        self.heatmap_fig.show(power_map_figure(part, self.metric.value,
                                            title=f"{label}: {where}"))
        self.curves_fig.show(power_curves_figure(part, self.metric.value, title=f"{label}: {where}"))
        self.false_fig.show(self._false_figure())
        self.message.clear()

    @property
    def widget(self) -> w.Widget:
        """The controls, the message line and the three charts."""
        box = w.VBox([self.window, self.confidence, self.metric, self.message,
                      self.heatmap_fig, self.curves_fig, self.false_fig])
        box.add_class("tipsim-panel")
        box.add_class("tipsim-canary-power")
        return box
