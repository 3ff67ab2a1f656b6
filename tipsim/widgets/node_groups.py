"""Panel for scenario 3: node groups, workloads, tolerations and the taint strategy.

Every change re-runs the simulation (a few milliseconds a run) and redraws three
charts (:class:`~tipsim.widgets.live_figure.LiveFigure`): pod placement per node, ready external replicas, and exposure vs
disruption of every strategy variant. Errors show on one line under the controls.

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

from tipsim.scenarios import node_groups as scenario
from tipsim.viz import node_groups as viz
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.live_figure import LiveFigure

_STYLE = {"description_width": "150px"}
_LAYOUT = w.Layout(width="360px")


def _css(widget: w.Widget, name: str) -> w.Widget:
    widget.add_class("tipsim-control")
    widget.add_class(f"tipsim-{name}")
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
        self.replications = replications
        self.message = MessageLine()
        self.strategy = _css(w.ToggleButtons(options=["all-at-once", "node-by-node"],
                                             value=p.strategy, description="strategy",
                                             style=_STYLE), "strategy")
        self.node_pause_s = _css(w.FloatSlider(value=p.node_pause_s, min=0, max=300, step=10,
                                               description="pause per node (s)", style=_STYLE,
                                               layout=_LAYOUT), "node-pause")
        self.cordon = _css(w.Dropdown(options=["none", "tainted", "group"], value=p.cordon,
                                      description="cordon", style=_STYLE, layout=_LAYOUT), "cordon")
        self.tolerate = _css(w.Checkbox(value=p.toleration_seconds is not None,
                                        description="external pods tolerate the taint for a while",
                                        indent=False), "tolerate")
        self.toleration_seconds = _css(w.FloatSlider(
            value=p.toleration_seconds if p.toleration_seconds is not None else 60.0,
            min=0, max=600, step=15, description="tolerationSeconds", style=_STYLE,
            layout=_LAYOUT), "toleration-seconds")
        self.insecure_nodes = _css(w.IntSlider(value=p.insecure_nodes, min=1, max=8,
                                               description="insecure nodes", style=_STYLE,
                                               layout=_LAYOUT), "insecure-nodes")
        self.secure_nodes = _css(w.IntSlider(value=p.secure_nodes, min=0, max=8,
                                             description="secure nodes", style=_STYLE,
                                             layout=_LAYOUT), "secure-nodes")
        self.spare_nodes = _css(w.IntSlider(value=p.spare_nodes, min=0, max=6,
                                            description="spare secure nodes", style=_STYLE,
                                            layout=_LAYOUT), "spare-nodes")
        self.external_replicas = _css(w.IntSlider(value=p.external_replicas, min=1, max=24,
                                                  description="external replicas", style=_STYLE,
                                                  layout=_LAYOUT), "external-replicas")
        self.internal_replicas = _css(w.IntSlider(value=p.internal_replicas, min=0, max=24,
                                                  description="internal replicas", style=_STYLE,
                                                  layout=_LAYOUT), "internal-replicas")
        self.startup_s = _css(w.FloatSlider(value=p.startup_s, min=0, max=180, step=5,
                                            description="pod start-up (s)", style=_STYLE,
                                            layout=_LAYOUT), "startup")
        self.seed = _css(w.BoundedIntText(value=seed, min=0, max=10**6, description="seed",
                                          style=_STYLE, layout=_LAYOUT), "seed")
        self.summary = w.HTML(layout=w.Layout(margin="6px 0"))
        self._base = p
        self.result = scenario.run(self.params(), seed=seed)
        self.comparison = scenario.compare(self.params(), seed=seed, replications=replications)
        self.placement_fig, self.ready_fig, self.tradeoff_fig = (
            LiveFigure(fig) for fig in self._figures())
        self._show_summary()
        for control in self.controls:
            control.observe(self._on_change, names="value")

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

    def _on_change(self, change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Re-run and redraw (errors go to the message line)."""
        guarded(self.message)(self._update)()

    def _update(self) -> None:
        self.toleration_seconds.disabled = not self.tolerate.value
        self.node_pause_s.disabled = self.strategy.value != "node-by-node"
        p = self.params()
        seed = int(self.seed.value)
        self.result = scenario.run(p, seed=seed)
        self.comparison = scenario.compare(p, seed=seed, replications=self.replications)
        self._draw()
        self.message.clear()
        self._show_summary()

    def _figures(self) -> tuple[Any, Any, Any]:
        """Placement, ready replicas and the trade-off chart of :attr:`result`."""
        r = self.result
        t_s, failed = r.traffic.failed_per_s(r.plan.decision_s, r.horizon_s)
        return (viz.placement_figure(r.pods, r.nodes, horizon_s=r.horizon_s,
                                     decision_s=r.plan.decision_s),
                viz.ready_figure(r.ready.times_s, r.ready.values, r.desired_external,
                                 horizon_s=r.horizon_s, failed_t_s=t_s, failed_per_s=failed),
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
                      self.ready_fig, self.tradeoff_fig])
        box.add_class("tipsim-panel")
        box.add_class("tipsim-node-groups")
        return box
