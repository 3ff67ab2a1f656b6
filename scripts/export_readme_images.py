"""Draw the README's pictures: static PNG exports of the kit's real charts at notebook defaults.

Run with ``make images`` (needs kaleido and a Chromium on the machine). Each picture is made
by the same panel a learner uses, so the README shows what the notebooks show.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"
WIDTH, HEIGHT = 900, 380


def _static(chart: Any, height: int = HEIGHT) -> go.Figure:
    """A copy of a panel's chart (a LiveFigure, or a plain figure) sized for the README."""
    out = go.Figure(getattr(chart, "figure", chart))
    out.update_layout(width=WIDTH, height=height)
    return out


def start_here() -> go.Figure:
    from tipsim.widgets.start_here import ArrivalsPanel

    return _static(ArrivalsPanel(rate_per_s=5.0).figure, 320)


def feature_toggle_blast_radius() -> go.Figure:
    from tipsim.widgets.feature_toggle import FeatureTogglePanel

    return _static(FeatureTogglePanel().figures["blast"], 340)


def feature_toggle_success() -> go.Figure:
    from tipsim.widgets.feature_toggle import FeatureTogglePanel

    panel = FeatureTogglePanel()
    panel.controls["strategy"].value = "in-place"
    return _static(panel.figures["success"])


def infra_plan_graph() -> go.Figure:
    from tipsim.infra.engine import Stack
    from tipsim.widgets.infra_panel import InfraPanel

    stack = Stack("talk")
    stack.apply({})
    panel = InfraPanel(stack=stack, initial={"enable_new_ami": True,
                                             "enable_green_application": True})
    fig = _static(panel.figure, 460)
    fig.update_layout(title_text="Plan: enable_new_ami + enable_green_application "
                                 "(touched directly / downstream highlighted)")
    return fig


def canary_rollout() -> go.Figure:
    from tipsim.scenarios.canary import Params
    from tipsim.widgets.canary import CanaryPanel

    panel = CanaryPanel(Params(defect="blocked-port"), seed=1)
    return _static(panel.figures["rollout"], 420)


def canary_dns_ttl() -> go.Figure:
    from tipsim.scenarios.canary import Params
    from tipsim.widgets.canary import CanaryPanel

    panel = CanaryPanel(Params(strategy="big-bang", defect="none", dns_ttl_s=300.0), seed=1)
    panel.show.value = "big-bang"
    return _static(panel.figures["dns"], 320)


def node_groups_tradeoff() -> go.Figure:
    from tipsim.widgets.node_groups import NodeGroupsPanel

    panel = NodeGroupsPanel()
    return _static(panel.tradeoff_fig, 380)


def data_lake_crossover() -> go.Figure:
    from tipsim.scenarios.data_lake_ab import Params
    from tipsim.widgets.data_lake import DataLakePanel

    panel = DataLakePanel(Params(), crossover_rates=(500, 2000, 5000, 10_000, 20_000, 30_000))
    return _static(panel.fig_crossover, 420)


def staging_cost_vs_budget() -> go.Figure:
    from tipsim.widgets.staging import StagingPanel

    return _static(StagingPanel().figures["cost"], 420)


PICTURES: dict[str, Callable[[], go.Figure]] = {
    "00_arrivals": start_here,
    "01_plan_graph": infra_plan_graph,
    "01_success_in_place": feature_toggle_success,
    "01_blast_radius": feature_toggle_blast_radius,
    "02_canary_rollout": canary_rollout,
    "02_dns_ttl": canary_dns_ttl,
    "03_exposure_vs_disruption": node_groups_tradeoff,
    "04_crossover": data_lake_crossover,
    "05_cost_vs_error_budget": staging_cost_vs_budget,
}


def main(names: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in PICTURES.items():
        if names and name not in names:
            continue
        t0 = time.perf_counter()
        fig = make()
        path = OUT / f"{name}.png"
        fig.write_image(path, scale=1)
        print(f"{path.relative_to(OUT.parents[1])}  {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
