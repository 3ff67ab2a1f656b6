"""Panel for scenario 2: choose a defect, a TTL, a step plan and the judge's thresholds;
big-bang, blue/green and canary run again on one seed at every change, and compare.

Figures (:class:`~tipsim.widgets.live_figure.LiveFigure`, redrawn on every change):
:attr:`CanaryPanel.rollout_fig` (weight, per-side errors and latency, verdicts),
:attr:`CanaryPanel.judge_fig` (the judge's per-metric table),
:attr:`CanaryPanel.blast_fig` (blast radius per strategy) and
:attr:`CanaryPanel.dns_fig` (share of clients on green against the weight).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

from tipsim.scenarios.canary import STRATEGIES, CanaryRun, Params, compare
from tipsim.viz.canary import (
    blast_radius_figure,
    dns_figure,
    judge_table,
    rollout_figure,
    timeline_data,
)
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.controls import control, controls, values
from tipsim.widgets.live_figure import LiveFigure
from tipsim.widgets.share import ShareButton, rerun_for_board

CONTROLS = ("defect", "dns_ttl_s", "step_weight_pct", "max_weight_pct", "window_s",
            "failed_check_threshold", "confidence", "pass_score", "marginal_score")
_CSS = {"dns_ttl_s": "ttl", "step_weight_pct": "step", "max_weight_pct": "max-weight",
        "window_s": "window", "failed_check_threshold": "threshold"}
"""Short CSS classes kept for each control, beside the ``tipsim-canary-<field>`` ones."""


def _last_judged(run: CanaryRun) -> list[dict[str, Any]]:
    judged = run.judged_steps()
    if not judged:
        return []
    return [m.as_dict() for m in judged[-1][1].metrics]


class CanaryPanel:
    """Controls -> three strategies on one seed -> four figures.

    Parameters
    ----------
    params
        Starting parameters (the notebook's ``parameters`` cell).
    seed
        Seed shared by the three strategies.
    smoke_passed
        Smoke test result to gate the canary with (``None``: ``params.smoke_test``).
    """

    def __init__(self, params: Params | None = None, seed: int = 1,
                 smoke_passed: bool | None = None) -> None:
        self.params = params or Params()
        self.seed = seed
        self.smoke_passed = smoke_passed
        self.controls = controls(Params, CONTROLS, self.params, prefix="tipsim-canary-")
        for name, css in _CSS.items():
            self.controls[name].add_class(f"tipsim-canary-{css}")
        c = self.controls
        self.defect, self.ttl, self.confidence = c["defect"], c["dns_ttl_s"], c["confidence"]
        self.step, self.max_weight = c["step_weight_pct"], c["max_weight_pct"]
        self.window, self.threshold = c["window_s"], c["failed_check_threshold"]
        self.pass_score, self.marginal_score = c["pass_score"], c["marginal_score"]
        self.show = control(Params, "strategy", "canary", buttons=True, options=STRATEGIES,
                            css="tipsim-canary-show")
        self.show.description = "timeline of"
        self.summary = w.HTML()
        self.message = MessageLine()
        self.runs = compare(self.params, seed=seed, smoke_passed=smoke_passed)
        run = self.runs[self.show.value]
        self.rollout_fig = LiveFigure(self._rollout(run))
        self.judge_fig = LiveFigure(judge_table(_last_judged(self.runs["canary"]),
                                                "judge: last canary window"))
        self.blast_fig = LiveFigure(blast_radius_figure(self._summaries(),
                                                        "blast radius, same seed"))
        self.dns_fig = LiveFigure(self._dns(run))
        self._show_summary()
        self.message.watch(self.summary, self.blast_fig, self.rollout_fig, self.judge_fig,
                           self.dns_fig)
        self.on_change = guarded(self.message)(self._on_change)
        for widget in self.controls.values():
            widget.observe(self.on_change, names="value")
        self.show.observe(guarded(self.message)(self._on_show), names="value")
        layout = w.VBox([
            w.HBox([self.defect, self.ttl]),
            w.HBox([self.step, self.max_weight, self.window]),
            w.HBox([self.threshold, self.confidence]),
            w.HBox([self.pass_score, self.marginal_score]),
        ])
        self.share = ShareButton("canary", self.shared_run)
        self.widget = w.VBox([layout, self.message, self.summary, self.blast_fig, self.show,
                              self.rollout_fig, self.judge_fig, self.dns_fig,
                              *self.share.widgets])
        self.widget.add_class("tipsim-canary-panel")

    # ------------------------------------------------------------------ figures
    def _summaries(self) -> dict[str, dict[str, Any]]:
        return {name: run.summary() for name, run in self.runs.items()}

    def _rollout(self, run: CanaryRun) -> go.Figure:
        s = run.summary()
        page = s["first_page_s"]
        return rollout_figure(timeline_data(run.requests, run.params.duration_s),
                              run.record.weight_time_s, run.record.weight_pct, s["steps"],
                              run.params.duration_s, f"{run.params.strategy}: {s['decision']}",
                              events=[] if page is None else [(page, "first page")])

    def _dns(self, run: CanaryRun) -> go.Figure:
        return dns_figure(run.dns_grid_s, run.dns_green_share, run.record.weight_time_s,
                          run.record.weight_pct, run.params.duration_s,
                          f"DNS: clients on green (TTL {run.params.dns_ttl_s:g} s)")

    def _show_summary(self) -> None:
        rows = []
        for name, s in self._summaries().items():
            when = s["decision_time_s"]
            rows.append(f"<tr><td>{name}</td><td>{s['decision']}</td>"
                        f"<td>{'-' if when is None else f'{when:.0f} s'}</td>"
                        f"<td>{s['failed_requests']}</td><td>{s['affected_users']}</td>"
                        f"<td>{100 * s['error_budget_used']:.2f}%</td></tr>")
        duration = self.runs["canary"].params.duration_s
        self.summary.value = (
            "<table class='tipsim-canary-summary'>"
            f"<caption>one run per strategy: {duration:,.0f} s of traffic, seed {self.seed}"
            "</caption><tr><th>strategy</th><th>decision</th>"
            "<th>when</th><th>failed requests</th><th>affected users</th>"
            "<th>30-day error budget used</th></tr>" + "".join(rows) + "</table>")

    # ------------------------------------------------------------------ callbacks
    def current_params(self) -> Params:
        """The parameters the controls describe (validated)."""
        return self.params.replace(**values(self.controls))

    def shared_run(self) -> tuple[Params, dict[str, Any]]:
        """What "Share with the room" sends: the strategy whose timeline is shown, with the
        smoke test the panel gates on, and what ``tipsim run canary --json`` prints for it."""
        params = self.params.replace(strategy=self.show.value)
        if self.smoke_passed is not None:
            params = params.replace(smoke_test="pass" if self.smoke_passed else "fail")
        return params, rerun_for_board("canary", params, self.seed)

    def _on_change(self, _change: Any = None) -> None:
        """Any control changed: run the three strategies again and redraw everything."""
        params = self.current_params()
        self.runs = compare(params, seed=self.seed, smoke_passed=self.smoke_passed)
        self.params = params
        self.refresh()
        self.message.clear()

    def _on_show(self, _change: Any = None) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        """Redraw the two figures of the strategy the buttons select."""
        run = self.runs[self.show.value]
        self.rollout_fig.show(self._rollout(run))
        self.dns_fig.show(self._dns(run))

    def refresh(self) -> None:
        """Redraw every figure and the summary from :attr:`runs`."""
        self._show_selected()
        self.judge_fig.show(judge_table(_last_judged(self.runs["canary"]),
                                        "judge: last canary window"))
        self.blast_fig.show(blast_radius_figure(self._summaries(), "blast radius, same seed"))
        self._show_summary()
