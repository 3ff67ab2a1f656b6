"""Panel for scenario 3: node groups, workloads, tolerations and the taint strategy.

Every change re-runs the simulation (a few milliseconds a run) and redraws three
charts (:class:`~tipsim.widgets.live_figure.LiveFigure`): pod placement per node, ready
external replicas, and exposure vs disruption of every strategy variant. Every control is
made from the field it sets (:func:`tipsim.widgets.controls.control`), so its range is the
field's. Errors show on one line under the controls.

Example
-------
>>> panel = NodeGroupsPanel()
>>> panel.strategy.value = "node-by-node"   # re-runs and redraws the charts
>>> panel.result.metrics["strategy"]
'node-by-node'
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from tipsim.params import Params, param
from tipsim.scenarios import node_groups as scenario
from tipsim.viz import node_groups as viz
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.controls import control, value_of
from tipsim.widgets.live_figure import LiveFigure
from tipsim.widgets.share import ShareButton, rerun_for_board

_LAYOUT = w.Layout(width="360px")


class PanelChoices(Params):
    """Choices the panel offers that are not scenario parameters."""

    tolerate: bool = param(False, label="external pods tolerate the taint for a while",
                           description="give external pods a toleration with tolerationSeconds")


def _control(model: type[Params], name: str, value: Any, css: str, **options: Any) -> w.ValueWidget:
    """The field's control, with the panel's CSS classes (browser tests find it by them)."""
    widget = control(model, name, value, css=f"tipsim-{css}", **options)
    widget.add_class("tipsim-control")
    if not isinstance(widget, w.Checkbox | w.ToggleButtons):
        widget.layout = _LAYOUT
    return widget


class NodeGroupsPanel:
    """Controls, a summary line and three figures for the node-group migration.

    Parameters
    ----------
    params
        Starting parameters (defaults: :class:`tipsim.scenarios.node_groups.Params`).
    seed
        Random seed of the run and of the comparison.
    replications
        Replications per variant in the exposure-vs-disruption chart.
    """

    def __init__(self, params: scenario.Params | None = None, *, seed: int = 1,
                 replications: int = 5) -> None:
        p = params or scenario.Params()
        fields = scenario.Params
        self.replications = replications
        self.message = MessageLine()
        self.strategy = _control(fields, "strategy", p.strategy, "strategy", buttons=True)
        self.node_pause_s = _control(fields, "node_pause_s", p.node_pause_s, "node-pause")
        self.cordon = _control(fields, "cordon", p.cordon, "cordon")
        self.tolerate = _control(PanelChoices, "tolerate", p.toleration_seconds is not None,
                                 "tolerate")
        self.toleration_seconds = _control(
            fields, "toleration_seconds",
            p.toleration_seconds if p.toleration_seconds is not None else 60.0,
            "toleration-seconds")
        self.insecure_nodes = _control(fields, "insecure_nodes", p.insecure_nodes, "insecure-nodes")
        self.secure_nodes = _control(fields, "secure_nodes", p.secure_nodes, "secure-nodes")
        self.spare_nodes = _control(fields, "spare_nodes", p.spare_nodes, "spare-nodes")
        self.external_replicas = _control(fields, "external_replicas", p.external_replicas,
                                          "external-replicas")
        self.internal_replicas = _control(fields, "internal_replicas", p.internal_replicas,
                                          "internal-replicas")
        self.startup_s = _control(fields, "startup_s", p.startup_s, "startup")
        self.seed = _control(scenario.RunOptions, "seed", seed, "seed")
        self.summary = w.HTML(layout=w.Layout(margin="6px 0"))
        self._base = p
        self.result = scenario.run(self.params(), seed=seed)
        self.comparison = scenario.compare(self.params(), seed=seed, replications=replications)
        self.placement_fig, self.ready_fig, self.tradeoff_fig = (
            LiveFigure(fig) for fig in self._figures())
        self._show_summary()
        self.message.watch(self.summary, self.placement_fig, self.ready_fig, self.tradeoff_fig)
        self.toleration_seconds.disabled = not self.tolerate.value
        self.node_pause_s.disabled = self.strategy.value != "node-by-node"
        for widget in self.controls:
            widget.observe(self._on_change, names="value")
        self.share = ShareButton("node-groups", self.shared_run)

    @property
    def controls(self) -> list[w.Widget]:
        return [self.strategy, self.node_pause_s, self.cordon, self.tolerate,
                self.toleration_seconds, self.insecure_nodes, self.secure_nodes,
                self.spare_nodes, self.external_replicas, self.internal_replicas,
                self.startup_s, self.seed]

    def params(self) -> scenario.Params:
        """The parameters the controls show (validated: a bad mix raises ParameterError)."""
        return self._base.replace(
            strategy=self.strategy.value, node_pause_s=self.node_pause_s.value,
            cordon=self.cordon.value,
            toleration_seconds=self.toleration_seconds.value if self.tolerate.value else None,
            insecure_nodes=self.insecure_nodes.value, secure_nodes=self.secure_nodes.value,
            spare_nodes=self.spare_nodes.value, external_replicas=self.external_replicas.value,
            internal_replicas=self.internal_replicas.value, startup_s=self.startup_s.value,
        )

    def shared_run(self) -> tuple[scenario.Params, dict[str, Any]]:
        """What "Share with the room" sends: the controls' parameters and what
        ``tipsim run node-groups --json --seed SEED`` prints for them."""
        p, seed = self.params(), int(value_of(self.seed))
        return p, rerun_for_board("node-groups", p, seed)

    def _on_change(self, change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Re-run and redraw (errors go to the message line)."""
        guarded(self.message)(self._update)()

    def _update(self) -> None:
        self.toleration_seconds.disabled = not self.tolerate.value
        self.node_pause_s.disabled = self.strategy.value != "node-by-node"
        p = self.params()
        seed = int(value_of(self.seed))
        self.result = scenario.run(p, seed=seed)
        self.comparison = scenario.compare(p, seed=seed, replications=self.replications)
        self._draw()
        self.message.clear()
        self._show_summary()

    def _figures(self) -> tuple[Any, Any, Any]:
        """Placement, ready replicas and the trade-off chart of :attr:`result`."""
        r = self.result
        t_s, failed = r.traffic.failed_per_s(r.plan.decision_s, r.horizon_s)
        view = viz.view_end_s(r.pods, r.nodes, horizon_s=r.horizon_s,
                              decision_s=r.plan.decision_s, failed_t_s=t_s[failed > 0])
        return (viz.placement_figure(r.pods, r.nodes, horizon_s=r.horizon_s,
                                     decision_s=r.plan.decision_s, view_s=view),
                viz.ready_figure(r.ready.times_s, r.ready.values, r.desired_external,
                                 horizon_s=r.horizon_s, failed_t_s=t_s, failed_per_s=failed,
                                 view_s=view),
                viz.tradeoff_figure(self.comparison))

    def _draw(self) -> None:
        for live, fig in zip((self.placement_fig, self.ready_fig, self.tradeoff_fig),
                             self._figures(), strict=True):
            live.show(fig)

    def _show_summary(self) -> None:
        m = self.result.metrics
        mig = ("not finished within the horizon" if m["migration_time_s"] is None
               else f"{m['migration_time_s']:.0f} s")
        self.summary.value = (
            '<div class="tipsim-summary">'
            f"<b>exposure</b> {m['exposure_pod_seconds']:.0f} external pod-s on insecure nodes"
            f" &middot; <b>below desired</b> {m['unavailable_seconds']:.0f} s"
            f" (lowest {m['min_ready_external']} of {m['desired_external']} ready)"
            f" &middot; <b>failed requests</b> {m['failed_requests']}"
            f" ({100 * m['failed_fraction']:.2f}%), {m['affected_users']} users"
            f" &middot; <b>migration</b> {mig} &middot; <b>evictions</b> {m['evictions']}"
            f" &middot; <b>peak Pending</b> {m['max_pending_pods']}</div>"
        )

    @property
    def widget(self) -> w.Widget:
        """The controls, the summary and the three figures."""
        left = w.VBox([self.strategy, self.node_pause_s, self.cordon, self.tolerate,
                       self.toleration_seconds, self.seed])
        right = w.VBox([self.insecure_nodes, self.secure_nodes, self.spare_nodes,
                        self.external_replicas, self.internal_replicas, self.startup_s])
        box = w.VBox([w.HBox([left, right]), self.message, self.summary, self.placement_fig,
                      self.ready_fig, self.tradeoff_fig, *self.share.widgets])
        box.add_class("tipsim-panel")
        box.add_class("tipsim-node-groups")
        return box
