"""The emulator side of the canary: build the green network, smoke-test it, shift the weights.

The panel embeds the infra panel (toggles, plan, apply), adds a **Smoke test** button
(the kit's version of the talk's kitchen/InSpec check, run against the emulator's API
objects), and blue/green weight sliders whose **Set weights** button updates the
weighted records in the emulator, reads them back, and shows in simulation how the
change reaches clients as their DNS caches expire (the TTL). Every step is the canary
scenario's (:mod:`tipsim.scenarios.canary.emulator`); the panel only wires controls to it.
"""

from __future__ import annotations

import html

import ipywidgets as w
import plotly.graph_objects as go

from tipsim.scenarios.canary import (
    CANARY_TOGGLES,
    Params,
    SmokeReport,
    Weights,
    clients_following,
    read_weights,
    set_weights,
    smoke_test,
)
from tipsim.scenarios.infrastructure import Stack
from tipsim.viz.canary import dns_figure
from tipsim.viz.infra_graph import network_graph_figure
from tipsim.widgets.common import MessageLine, button, guarded
from tipsim.widgets.controls import control, controls
from tipsim.widgets.infra_panel import InfraPanel
from tipsim.widgets.live_figure import LiveFigure

__all__ = ["CANARY_TOGGLES", "GreenNetworkPanel", "smoke_html"]


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
        The talk's stack (:func:`tipsim.scenarios.canary.open_stack`).
    ttl_s
        DNS TTL used to show how a weight change reaches clients.
    n_clients, rate_per_client_per_s, seed
        The simulated clients for the DNS timeline.
    """

    def __init__(self, stack: Stack, *, ttl_s: float = 60.0, n_clients: int = 500,
                 rate_per_client_per_s: float = 0.05, seed: int = 1) -> None:
        self.stack = stack
        self.seed = seed
        self.n_clients = n_clients
        self.rate_per_client_per_s = rate_per_client_per_s
        self.infra = InfraPanel(stack=stack, initial=CANARY_TOGGLES)
        self.message = MessageLine()
        self.smoke_button = button("Smoke test", css="tipsim-smoke-button", icon="check")
        self.smoke_out = w.HTML()
        self.report: SmokeReport | None = None
        current = read_weights(stack)
        self.applied = Weights(blue=current.get("blue") or 10, green=current.get("green") or 0)
        made = controls(Weights, ["blue", "green"], self.applied, prefix="tipsim-weights-")
        self.blue, self.green = made["blue"], made["green"]
        self.ttl = control(Params, "dns_ttl_s", ttl_s, css="tipsim-weights-ttl")
        self.weights_button = button("Set weights", css="tipsim-weights-set",
                                     button_style="primary")
        self.weights_line = w.HTML()
        self.figure = LiveFigure(self._dns(self.applied, self.applied))
        self.network_fig = LiveFigure(network_graph_figure(stack.inventory()))
        self.message.watch(self.smoke_out, self.weights_line, self.figure, self.network_fig)
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
        self.report = smoke_test(self.stack)
        self.smoke_out.value = smoke_html(self.report)
        self.network_fig.show(network_graph_figure(self.stack.inventory()))
        return self.report

    def _dns(self, old: Weights, new: Weights) -> go.Figure:
        shift = clients_following(old, new, ttl_s=self.ttl.value, clients=self.n_clients,
                                  rate_per_client_per_s=self.rate_per_client_per_s,
                                  seed=self.seed)
        return dns_figure(shift.grid_s, shift.green_share, shift.weight_time_s,
                          shift.weight_pct, shift.duration_s,
                          f"clients on green after the change at {shift.change_at_s:.0f} s "
                          f"(TTL {shift.dns.ttl_s:.0f} s, {shift.dns.clients} clients)")

    def _apply_weights(self) -> dict[str, int | None]:
        self.message.clear()
        old = self.applied
        back = set_weights(self.stack, Weights.create(blue=self.blue.value,
                                                      green=self.green.value))
        self.applied = Weights(blue=int(back["blue"] or 0), green=int(back["green"] or 0))
        self.weights_line.value = (f"read back from the emulator: blue <b>{back['blue']}</b>, "
                                   f"green <b>{back['green']}</b>")
        self.figure.show(self._dns(old, self.applied))
        return back
