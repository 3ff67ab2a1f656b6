"""Panel of notebook 05: staging or production? A month of changes, six ways to ship them.

Controls (each made from its field: :func:`tipsim.widgets.controls.controls`) for the
month's changes and defects, what staging is (size, traffic, soak, what it reproduces per
defect kind), production's load and SLO, and the canary's steps. Every change redraws
two charts (:class:`~tipsim.widgets.live_figure.LiveFigure`), cost against error budget and
pages and lead time, and the month as a table (:func:`tipsim.viz.staging.month_table`). Month-level changes (change and defect
rates, mix, fidelity, soak) reuse the cached simulations and answer at once; production's
load, SLO, staging size or the canary's steps run new simulations (a few seconds).

>>> panel = StagingPanel()                          # doctest: +SKIP
>>> panel.controls["defect_rate"].value = 0.3       # doctest: +SKIP
>>> panel.result.approaches["staging"]["defects_escaped"]   # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from tipsim.scenarios.staging_vs_production import KINDS, Params, Result, run
from tipsim.viz.staging import cost_vs_budget_figure, month_table, pages_and_lead_time_figure
from tipsim.widgets.controls import controls
from tipsim.widgets.live_panel import LivePanel

_KEYS = [k.replace("-", "_") for k in KINDS]
MONTH = ("changes_per_month", "defect_rate")
MIX = tuple(f"defect_mix.{k}" for k in _KEYS)
STAGING = ("staging_size_share", "staging_load_share", "staging_soak_s")
FIDELITY = tuple(f"staging_fidelity.{k}" for k in _KEYS)
PRODUCTION = ("rate_per_s", "availability_target", "step_weight_pct", "max_weight_pct")
CONTROLS = MONTH + MIX + STAGING + FIDELITY + PRODUCTION
_WIDTH = w.Layout(width="330px")


def _box(title: str, widgets: list[w.Widget]) -> w.VBox:
    head = w.HTML(f"<b>{html.escape(title)}</b>")
    return w.VBox([head, *widgets], layout=w.Layout(margin="0 12px 8px 0"))


class StagingPanel(LivePanel[Params]):
    """Controls -> a simulated month per approach -> three charts and a summary
    (:class:`~tipsim.widgets.live_panel.LivePanel`: ``params``, ``seed`` of the simulations
    and of the months drawn).

    Attributes
    ----------
    widget
        The box to display (CSS class ``tipsim-staging-panel``).
    controls
        Control widgets by field name (CSS class ``tipsim-svp-<field>``, dots as dashes).
    figures
        ``{"cost": ..., "pages": ...}`` :class:`LiveFigure` charts.
    table
        The month per approach (HTML, CSS class ``tipsim-svp-table``).
    result
        The last :class:`~tipsim.scenarios.staging_vs_production.Result`.
    """

    scenario = "staging-vs-production"  # sharing reruns it on the cached simulations
    params_type = Params
    running_note = "simulating ..."

    def __init__(self, params: Params | None = None, *, seed: int = 1) -> None:
        super().__init__(params, seed)
        self.controls = controls(Params, CONTROLS, self.params, prefix="tipsim-svp-")
        for widget in self.controls.values():
            widget.layout = _WIDTH
        self.summary = w.HTML()
        self.summary.add_class("tipsim-svp-summary")
        self.table = w.HTML()
        self.table.add_class("tipsim-svp-table")
        self._start(self.summary, self.table)
        c = self.controls
        boxes = w.HBox([
            _box("the month", [c[n] for n in MONTH]
                 + [w.HTML("<i>defect mix (relative weights)</i>")] + [c[n] for n in MIX]),
            _box("staging", [c[n] for n in STAGING]
                 + [w.HTML("<i>reproduces (chance per kind)</i>")] + [c[n] for n in FIDELITY]),
            _box("production", [c[n] for n in PRODUCTION]),
        ], layout=w.Layout(flex_flow="row wrap"))
        self.widget = w.VBox([boxes, self.message, self.summary, self.figures["cost"],
                              self.figures["pages"], self.table, *self.share.widgets])
        self.widget.add_class("tipsim-staging-panel")

    def _rows(self) -> list[dict[str, Any]]:
        return self.result.frame().to_dict("records")

    def _figures(self) -> dict[str, Any]:
        rows = self._rows()
        p, inputs = self.result.params, self.result.inputs
        baseline = inputs.baseline_bad_ratio / (1.0 - p.availability_target)
        return {"cost": cost_vs_budget_figure(rows, baseline_budget=baseline),
                "pages": pages_and_lead_time_figure(rows)}

    def _run(self, params: Params) -> None:
        self.result: Result = run(params, seed=self.seed)

    def _show_summary(self) -> None:
        self.table.value = month_table(self._rows()).to_html()
        a = self.result.approaches
        cheapest_safe = min(a.values(), key=lambda r: (r["error_budget_used_per_month"],
                                                       r["infra_cost_usd_per_month"]))
        self.summary.value = (
            f"{self.params.changes_per_month} changes a month, "
            f"{100 * self.params.defect_rate:.0f} % defective: staging costs "
            f"<b>${a['staging']['infra_cost_usd_per_month']:,.2f}</b> a month and catches "
            f"{a['staging']['defects_caught_before_users']:.2f} defects before any user; "
            f"{a['staging']['defects_escaped']:.2f} still escape. Least error budget: "
            f"<b>{html.escape(cheapest_safe['approach'])}</b> "
            f"({100 * cheapest_safe['error_budget_used_per_month']:.1f} % of the month's "
            f"budget, ${cheapest_safe['infra_cost_usd_per_month']:,.2f}).")
