"""The emulator side of the canary: build the green network, smoke-test it, shift the weights.

The panel embeds the infra panel (toggles, plan, apply), adds a **Smoke test** button
(the kit's version of the talk's kitchen/InSpec check, run against the emulator's API
objects), and blue/green weight sliders whose **Set weights** button updates the
weighted records in the emulator, reads them back, and shows in simulation how the
change reaches clients as their DNS caches expire (the TTL).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

from tipsim.infra.smoke import SmokeReport, run_smoke
from tipsim.infra.weights import read_weights, set_weights
from tipsim.sim.web.dns import weight_change_timeline
from tipsim.viz.canary import dns_figure
from tipsim.viz.infra_graph import network_graph_figure
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.infra_panel import InfraPanel
from tipsim.widgets.live_figure import LiveFigure

CANARY_TOGGLES = {"enable_new_network": True, "enable_green_application": True}


def smoke_html(report: SmokeReport) -> str:
    """The smoke report as a small table: check, pass/fail, why."""
    rows = "".join(
        f"<tr><td>{html.escape(c.name)}</td>"
        f"<td style='color:{'#55A868' if c.passed else '#C44E52'}'>"
        f"{'pass' if c.passed else 'FAIL'}</td><td>{html.escape(c.why)}</td></tr>"
        for c in report.checks)
    verdict = "passed: the canary may take traffic" if report.passed else (
        "failed: " + ", ".join(report.failed()) + " (the canary must not take traffic)")
    return (f"<b>Smoke test {html.escape(verdict)}</b>"
            f"<table class='tipsim-smoke'><tr><th>check</th><th>result</th><th>why</th></tr>"
            f"{rows}</table>")


class GreenNetworkPanel:
    """Toggles + plan/apply, smoke test, and weights applied to the emulator and the simulation.

    Parameters
    ----------
    stack
        The talk's :class:`~tipsim.infra.engine.Stack`.
    ttl_s
        DNS TTL used to show how a weight change reaches clients.
    n_clients, rate_per_client_per_s, seed
        The simulated clients for the DNS timeline.
    """

    def __init__(self, stack: Any, *, ttl_s: float = 60.0, n_clients: int = 500,
                 rate_per_client_per_s: float = 0.05, seed: int = 1) -> None:
        self.stack = stack
        self.seed = seed
        self.n_clients = n_clients
        self.rate_per_client_per_s = rate_per_client_per_s
        self.infra = InfraPanel(stack=stack, initial=CANARY_TOGGLES)
        self.message = MessageLine()
        self.smoke_button = w.Button(description="Smoke test", icon="check")
        self.smoke_button.add_class("tipsim-smoke-button")
        self.smoke_out = w.HTML()
        self.report: SmokeReport | None = None
        current = read_weights(stack)
        self.blue = w.IntSlider(value=current.get("blue") or 10, min=0, max=255,
                                description="blue weight", continuous_update=False)
        self.green = w.IntSlider(value=current.get("green") or 0, min=0, max=255,
                                 description="green weight", continuous_update=False)
        self.ttl = w.FloatSlider(value=ttl_s, min=0, max=900, step=30, description="TTL (s)",
                                 continuous_update=False)
        for widget, css in ((self.blue, "blue"), (self.green, "green"), (self.ttl, "ttl")):
            widget.add_class(f"tipsim-weights-{css}")
        self.weights_button = w.Button(description="Set weights", button_style="primary")
        self.weights_button.add_class("tipsim-weights-set")
        self.weights_line = w.HTML()
        self.applied = {"blue": self.blue.value, "green": self.green.value}
        self.figure = LiveFigure(self._dns(self.applied, self.applied))
        self.network_fig = LiveFigure(network_graph_figure(stack.inventory()))
        self.run_smoke = guarded(self.message)(self._run_smoke)
        self.apply_weights = guarded(self.message)(self._apply_weights)
        self.smoke_button.on_click(lambda _b: self.run_smoke())
        self.weights_button.on_click(lambda _b: self.apply_weights())
        self.widget = w.VBox([
            self.infra.widget, self.network_fig,
            w.HTML("<h4>Smoke test of the canary (emulator)</h4>"), self.smoke_button,
            self.smoke_out,
            w.HTML("<h4>Weighted DNS records (emulator) and their clients (simulation)</h4>"),
            w.HBox([self.blue, self.green, self.ttl]), self.weights_button, self.weights_line,
            self.message, self.figure])
        self.widget.add_class("tipsim-green-network")

    def _run_smoke(self) -> SmokeReport:
        self.message.clear()
        self.report = run_smoke(self.stack)
        self.smoke_out.value = smoke_html(self.report)
        self.network_fig.show(network_graph_figure(self.stack.inventory()))
        return self.report

    def _dns(self, old: dict[str, int], new: dict[str, int]) -> go.Figure:
        change_at_s, duration_s = 120.0, 120.0 + max(3 * self.ttl.value, 300.0)
        grid, share = weight_change_timeline(
            [old["blue"], old["green"]], [new["blue"], new["green"]], n_clients=self.n_clients,
            ttl_s=self.ttl.value, rate_per_client_per_s=self.rate_per_client_per_s,
            change_at_s=change_at_s, duration_s=duration_s, seed=self.seed)

        def pct(wts: dict[str, int]) -> float:
            total = wts["blue"] + wts["green"]
            return 100.0 * wts["green"] / total if total else 50.0

        return dns_figure(grid, share, [0.0, change_at_s], [pct(old), pct(new)], duration_s,
                          f"clients on green after the change at {change_at_s:.0f} s "
                          f"(TTL {self.ttl.value:.0f} s, {self.n_clients} clients)")

    def _apply_weights(self) -> dict[str, int | None]:
        self.message.clear()
        old = dict(self.applied)
        back = set_weights(self.stack, self.blue.value, self.green.value)
        self.applied = {"blue": int(back["blue"] or 0), "green": int(back["green"] or 0)}
        self.weights_line.value = (f"read back from the emulator: blue <b>{back['blue']}</b>, "
                                   f"green <b>{back['green']}</b>")
        self.figure.show(self._dns(old, self.applied))
        return back
