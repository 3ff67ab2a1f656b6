"""Panel for scenario 2: choose a defect, a TTL, a step plan and the judge's thresholds;
big-bang, blue/green and canary run again on one seed at every change, and compare.

Figures (:class:`~tipsim.widgets.live_figure.LiveFigure`, redrawn on every change), in
``CanaryPanel.figures``: ``"rollout"`` (weight, per-side errors and latency, verdicts of
the strategy shown), ``"judge"`` (the judge's per-metric table of the last canary window),
``"blast"`` (blast radius per strategy) and ``"dns"`` (share of clients on green against
the weight, for the strategy shown).
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
from tipsim.widgets.common import guarded
from tipsim.widgets.controls import control, controls
from tipsim.widgets.live_panel import LivePanel
from tipsim.widgets.share import rerun_for_board

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


class CanaryPanel(LivePanel[Params]):
    """Controls -> three strategies on one seed -> four figures
    (:class:`~tipsim.widgets.live_panel.LivePanel`: ``params``, ``seed``).

    Parameters
    ----------
    smoke_passed
        Smoke test result to gate the canary with (``None``: ``params.smoke_test``).
    """

    scenario = "canary"
    params_type = Params

    def __init__(self, params: Params | None = None, seed: int = 1,
                 smoke_passed: bool | None = None) -> None:
        super().__init__(params, seed)
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
        self._start(self.summary)
        self.show.observe(guarded(self.message)(self._on_show), names="value")
        layout = w.VBox([
            w.HBox([self.defect, self.ttl]),
            w.HBox([self.step, self.max_weight, self.window]),
            w.HBox([self.threshold, self.confidence]),
            w.HBox([self.pass_score, self.marginal_score]),
        ])
        f = self.figures
        self.widget = w.VBox([layout, self.message, self.summary, f["blast"], self.show,
                              f["rollout"], f["judge"], f["dns"], *self.share.widgets])
        self.widget.add_class("tipsim-canary-panel")

    # ------------------------------------------------------------------ figures
    def _figures(self) -> dict[str, go.Figure]:
        return {**self._selected_figures(),
                "judge": judge_table(_last_judged(self.runs["canary"]),
                                     "judge: last canary window"),
                "blast": blast_radius_figure(self._summaries(), "blast radius, same seed")}

    def _selected_figures(self) -> dict[str, go.Figure]:
        """The two figures of the strategy the buttons select."""
        run = self.runs[self.show.value]
        return {"rollout": self._rollout(run), "dns": self._dns(run)}

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
    def shared_run(self) -> tuple[Params, dict[str, Any]]:
        """What "Share with the room" sends: the strategy whose timeline is shown, with the
        smoke test the panel gates on, and what ``tipsim run canary --json`` prints for it."""
        params = self.params.replace(strategy=self.show.value)
        if self.smoke_passed is not None:
            params = params.replace(smoke_test="pass" if self.smoke_passed else "fail")
        return params, rerun_for_board("canary", params, self.seed)

    def _run(self, params: Params) -> None:
        """Run the three strategies on the panel's seed."""
        self.runs = compare(params, seed=self.seed, smoke_passed=self.smoke_passed)

    def _on_show(self, _change: Any = None) -> None:
        """Redraw the two figures of the strategy the buttons select."""
        for name, fig in self._selected_figures().items():
            self.figures[name].show(fig)
