"""The feature-toggle panel: pick a strategy, a defect, the toggle's share and the load;
watch success rate and latency per image over time and every strategy's blast radius.

>>> panel = FeatureTogglePanel()          # doctest: +SKIP
>>> panel.widget                           # the box to display   # doctest: +SKIP
>>> panel.figures["success"].data[1].y     # a LiveFigure's traces  # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from tipsim.scenarios.feature_toggle import STRATEGIES, Params, Run, run, timeline
from tipsim.viz.feature_toggle import blast_radius_figure
from tipsim.viz.timeline import timeline_figure
from tipsim.widgets.controls import controls
from tipsim.widgets.live_panel import LivePanel

SHOWN_DEFECTS = ("errors", "latency", "crash", "blocked-port", "overload", "production-clients",
                 "none")
"""The defect dropdown's order: the defects first, "none" last."""
CONTROLS = ("strategy", "defect", "defect_error_rate", "toggle_share", "arrival_rate_per_s")


class FeatureTogglePanel(LivePanel[Params]):
    """Controls, a message line, a summary and three charts redrawn on every change
    (:class:`~tipsim.widgets.live_panel.LivePanel`: ``params``, ``seed``).

    Parameters
    ----------
    window_s
        Width of the timelines' time bins.

    Attributes
    ----------
    widget
        The ``ipywidgets.VBox`` to display.
    figures
        ``{"success": ..., "latency": ..., "blast": ...}`` :class:`LiveFigure` charts.
    controls
        The control widgets by parameter name (each has a ``tipsim-ft-<name>`` CSS class).
    runs
        The last runs, by strategy.
    """

    scenario = "feature-toggle"
    params_type = Params

    def __init__(self, params: Params | None = None, *, seed: int = 1,
                 window_s: float = 30.0) -> None:
        super().__init__(params, seed)
        self.window_s = window_s
        self.controls = controls(Params, CONTROLS, self.params, prefix="tipsim-ft-",
                                 strategy={"buttons": True, "options": STRATEGIES},
                                 defect={"options": SHOWN_DEFECTS})
        self.summary = w.HTML()
        self.summary.add_class("tipsim-ft-summary")
        self._start(self.summary)
        self.widget = w.VBox([
            w.HBox([self.controls["strategy"], self.controls["defect"]]),
            w.HBox([self.controls["defect_error_rate"], self.controls["toggle_share"],
                    self.controls["arrival_rate_per_s"]]),
            self.message, self.summary,
            self.figures["success"], self.figures["latency"], self.figures["blast"],
            *self.share.widgets,
        ])
        self.widget.add_class("tipsim-feature-toggle-panel")

    # ---------------------------------------------------------------- computing
    def _run(self, params: Params) -> None:
        self.runs: dict[str, Run] = {name: run(params.replace(strategy=name), seed=self.seed)
                                     for name in STRATEGIES}

    def _frame(self) -> Any:
        import pandas as pd

        rows = []
        for r in self.runs.values():
            row = r.summary()
            row.pop("events")
            rows.append(row)
        return pd.DataFrame(rows)

    def _figures(self) -> dict[str, Any]:
        """The three charts of the chosen run (and every strategy's blast radius); the
        timelines mark the deployment's events and the first burn-rate page."""
        chosen = self.runs[self.params.strategy]
        frame = timeline(chosen, self.window_s)
        events = list(chosen.events)
        page = chosen.alerts()["first_page_s"]
        if page is not None:
            events.append((page, "first page"))
        return {
            "success": timeline_figure(frame, "success_rate", title="Success rate per image",
                                       y_title="success (%)", percent=True, events=events),
            "latency": timeline_figure(frame, "p95_latency_s",
                                       title="95th percentile latency per image",
                                       y_title="p95 latency (s)", events=events),
            "blast": blast_radius_figure(self._frame()),
        }

    def _show_summary(self) -> None:
        r = self.runs[self.params.strategy]
        b = r.blast

        def secs(v: float | None, none: str) -> str:
            return none if v is None else f"{v:.0f} s"

        self.summary.value = (
            f"<b>{html.escape(self.params.strategy)}</b>, defect "
            f"<b>{html.escape(self.params.defect)}</b>: "
            f"{b.failed_requests} failed and {b.slow_requests} slow of {b.requests} requests, "
            f"{b.affected_users} users affected, {b.slo_breach_minutes:.0f} min of SLO breach, "
            f"{100 * b.error_budget_used:.2f} % of the 30-day error budget; "
            f"detected after {secs(b.time_to_detect_s, 'never')}, "
            f"recovered after {secs(b.time_to_recover_s, 'not yet')}.")
