"""The run-at-every-change cycle the feature-toggle, canary and staging panels share: a good
value runs and redraws; a refused value leaves the last good parameters and results on
screen, marked stale, with one line naming the field; the next good value clears it.

Shown on a small panel over the M/M/c queue scenario's parameters whose run is the
utilisation, refused where the queue is unstable (rho = lambda / (c mu) >= 1)."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

from tipsim import scenarios
from tipsim.errors import ParameterError
from tipsim.widgets.common import STALE
from tipsim.widgets.controls import controls
from tipsim.widgets.live_panel import LivePanel

Queue = scenarios.load("queue").Params
SMALL = Queue(duration_s=300.0, warmup_s=30.0, replications=2)


class UtilisationPanel(LivePanel[Any]):
    scenario = "queue"
    params_type = Queue

    def __init__(self, params: Any = SMALL, seed: int = 1) -> None:
        super().__init__(params, seed)
        self.runs: list[float] = []
        self.controls = controls(Queue, ("arrival_rate_per_s", "servers"), self.params)
        self.summary = w.HTML()
        self._start(self.summary)

    def _run(self, params: Any) -> None:
        rho = params.arrival_rate_per_s / (params.servers * params.service_rate_per_s)
        if rho >= 1.0:
            raise ParameterError("arrival_rate_per_s", params.arrival_rate_per_s,
                                 "below servers x service_rate_per_s (a stable queue)")
        self.runs.append(rho)

    def _figures(self) -> dict[str, Any]:
        return {"rho": go.Figure(go.Bar(y=[self.runs[-1]]))}

    def _show_summary(self) -> None:
        self.summary.value = f"utilisation {100 * self.runs[-1]:.0f} %"


def _stale(panel: UtilisationPanel) -> list[bool]:
    return [STALE in x._dom_classes for x in (panel.summary, panel.figures["rho"])]


def test_a_good_value_runs_once_and_redraws_everything() -> None:
    panel = UtilisationPanel()
    panel.controls["servers"].value = 12
    assert panel.runs == [0.9, 0.75] and panel.params.servers == 12
    assert panel.figures["rho"].figure.data[0].y == (0.75,)
    assert panel.summary.value == "utilisation 75 %" and panel.message.value == ""


def test_a_refused_run_keeps_the_last_good_results_marked_stale_until_the_next_good_one() -> None:
    panel = UtilisationPanel()
    panel.controls["servers"].value = 9  # in the field's range; rho = 1 is refused
    assert panel.params.servers == 10 and panel.summary.value == "utilisation 90 %"
    assert "arrival_rate_per_s=9.0 is not allowed" in panel.message.value
    assert _stale(panel) == [True, True]
    panel.controls["servers"].value = 18
    assert panel.params.servers == 18 and panel.message.value == ""
    assert _stale(panel) == [False, False]


def test_the_share_button_sends_the_panels_parameters_and_their_cli_result() -> None:
    panel = UtilisationPanel()
    params, result = panel.shared_run()
    assert params is panel.params
    assert result == scenarios.load("queue").run_cli(SMALL, seed=1)  # `tipsim run queue --json`
