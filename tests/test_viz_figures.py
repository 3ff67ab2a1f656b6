"""Every figure the kit draws, built from the scenarios at their defaults, shows its data
and no label sits on another (estimates stated in ``tests/figure_checks.py``)."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest

from tests.figure_checks import (
    FIGURE_WIDTH_PX,
    annotation_boxes,
    axis_problems,
    axis_range,
    overlaps,
    text_size_px,
)
from tipsim import viz
from tipsim.viz import (
    arrivals,
    canary,
    canary_power,
    data_lake,
    feature_toggle,
    infra_graph,
    node_groups,
    staging,
)
from tipsim.viz import timeline as timeline_viz

MODULES = (arrivals, canary, canary_power, data_lake, feature_toggle, infra_graph, node_groups,
           staging,
           timeline_viz)


def _arrivals() -> dict[str, go.Figure]:
    from tipsim.scenarios.queueing import count_arrivals

    d = count_arrivals(5.0, seed=1)
    return {"arrivals_figure": arrivals.arrivals_figure(d.window_start_s, d.counts, d.expected,
                                                        d.window_s)}


def _feature_toggle() -> dict[str, go.Figure]:
    from tipsim.scenarios.feature_toggle import STRATEGIES, Params, compare_strategies, run
    from tipsim.scenarios.feature_toggle import timeline as ft_timeline

    figs = {"blast_radius_figure (feature toggle)": feature_toggle.blast_radius_figure(
        compare_strategies(Params(), seed=1))}
    for strategy in STRATEGIES:
        for defect in ("errors", "crash", "none"):
            r = run(Params(strategy=strategy, defect=defect), seed=1)
            frame = ft_timeline(r, 30.0)
            figs[f"timeline_figure {strategy} {defect}"] = timeline_viz.timeline_figure(
                frame, "success_rate", title="Success rate per image", y_title="success (%)",
                percent=True, events=r.events)
    return figs


def _canary() -> dict[str, go.Figure]:
    from tipsim.scenarios.canary import Params, compare

    runs = compare(Params(), seed=1)
    figs: dict[str, go.Figure] = {}
    for name, run in runs.items():
        s = run.summary()
        figs[f"rollout_figure {name}"] = canary.rollout_figure(
            canary.timeline_data(run.requests, run.params.duration_s),
            run.record.weight_time_s, run.record.weight_pct, s["steps"], run.params.duration_s,
            f"{name}: {s['decision']}")
        figs[f"dns_figure {name}"] = canary.dns_figure(
            run.dns_grid_s, run.dns_green_share, run.record.weight_time_s,
            run.record.weight_pct, run.params.duration_s, f"DNS: clients on green ({name})")
    judged = runs["canary"].judged_steps()
    figs["judge_table"] = canary.judge_table([m.as_dict() for m in judged[-1][1].metrics],
                                             "judge: last canary window")
    figs["blast_radius_figure (canary)"] = canary.blast_radius_figure(
        {n: r.summary() for n, r in runs.items()}, "blast radius, same seed")
    return figs


def _canary_power() -> dict[str, go.Figure]:
    """A small power table from real runs (2 step weights x 2 severities x 2 runs, and the
    healthy green), each quantity as a map and as curves."""
    import pandas as pd

    from tipsim.scenarios.canary import Params, run_cli
    from tipsim.scenarios.canary.power import summarise

    rows = []
    for step, rate, defect, seed in itertools.product((10.0, 25.0), (0.02, 0.2),
                                                      ("errors", "none"), (1, 2)):
        p = Params(defect=defect, switch_at_s=60.0, duration_s=420.0, step_weight_pct=step,
                   window_s=60.0, green_error_rate=rate)
        rows.append(p.model_dump() | run_cli(p, seed=seed))
    runs = pd.DataFrame(rows)
    table = summarise(runs[runs["defect"] == "errors"])
    healthy = summarise(runs[runs["defect"] == "none"],
                        by=("step_weight_pct", "window_s", "confidence"))
    figs = {f"power_map_figure {m}": canary_power.power_map_figure(table, m)
            for m in canary_power.METRICS}
    figs |= {f"power_curves_figure {m}": canary_power.power_curves_figure(table, m)
             for m in canary_power.METRICS}
    figs["power_curves_figure healthy"] = canary_power.power_curves_figure(
        healthy, colour="confidence")
    return figs


def _data_lake() -> dict[str, go.Figure]:
    from tipsim.scenarios import data_lake_ab as dl

    p = dl.Params()
    res = dl.run(p, seed=1)
    names = {a: f"{a.upper()} ({p.backend(a)})" for a in dl.ARMS}
    colours = {a: data_lake.arm_colour(a, p.arm_a, p.arm_b) for a in dl.ARMS}
    cdfs = {a: res.latency_quantiles_s(a, data_lake.CDF_POINTS.tolist()) for a in dl.ARMS}
    study = dl.poller_study(p.replace(duration_s=120.0), seed=1)
    return {
        "latency_figure": data_lake.latency_figure(cdfs, names, colours, p.slo_s),
        "latency_figure, objective far off": data_lake.latency_figure(cdfs, names, colours,
                                                                      3600.0),
        "lag_figure": data_lake.lag_figure({a: res.lag_series(a) for a in dl.ARMS}, names,
                                           colours),
        "cost_figure": data_lake.cost_figure({a: res.summary(a) for a in dl.ARMS}, names,
                                             colours),
        "crossover_figure": data_lake.crossover_figure(
            dl.crossover(p.replace(duration_s=120.0), seed=1), names, colours),
        "concurrency_lag_figure": data_lake.concurrency_lag_figure(study.lags["bursts"],
                                                                   "Bursts"),
    }


def _node_groups() -> dict[str, go.Figure]:
    from tipsim.scenarios import node_groups as ng

    figs: dict[str, go.Figure] = {}
    for label, kw in (("defaults", {}), ("node-by-node", {"strategy": "node-by-node"}),
                      ("tolerating", {"toleration_seconds": 60.0, "cordon": "none"})):
        r = ng.run(ng.Params(**kw), seed=1)
        t_s, failed = r.traffic.failed_per_s(r.plan.decision_s, r.horizon_s)
        view = node_groups.view_end_s(r.pods, r.nodes, horizon_s=r.horizon_s,
                                      decision_s=r.plan.decision_s, failed_t_s=t_s[failed > 0])
        figs[f"placement_figure {label}"] = node_groups.placement_figure(
            r.pods, r.nodes, horizon_s=r.horizon_s, decision_s=r.plan.decision_s, view_s=view)
        figs[f"ready_figure {label}"] = node_groups.ready_figure(
            r.ready.times_s, r.ready.values, r.desired_external, horizon_s=r.horizon_s,
            failed_t_s=t_s, failed_per_s=failed, view_s=view)
    figs["tradeoff_figure"] = node_groups.tradeoff_figure(
        ng.compare(ng.Params(), seed=1, replications=2))
    return figs


def _staging() -> dict[str, go.Figure]:
    from tipsim.scenarios import staging_vs_production as svp

    r = svp.run(svp.Params.create(months=100), seed=1)
    rows = r.frame().to_dict("records")
    baseline = r.inputs.baseline_bad_ratio / (1.0 - r.params.availability_target)
    return {"cost_vs_budget_figure": staging.cost_vs_budget_figure(
                rows, baseline_budget=baseline),
            "pages_and_lead_time_figure": staging.pages_and_lead_time_figure(rows)}


BUILDERS: dict[str, Callable[[], dict[str, go.Figure]]] = {
    "arrivals": _arrivals, "feature_toggle": _feature_toggle, "canary": _canary,
    "canary_power": _canary_power,
    "data_lake": _data_lake, "node_groups": _node_groups, "staging": _staging}


def _check(figs: dict[str, go.Figure]) -> list[str]:
    problems = []
    for name, fig in figs.items():
        problems += [f"{name}: {p}" for p in axis_problems(fig)]
        problems += [f"{name}: {a!r} overlaps {b!r}" for a, b in overlaps(fig)]
    return problems


@pytest.mark.parametrize("scenario", sorted(BUILDERS))
def test_every_figure_shows_its_data_and_no_label_hides_another(scenario: str) -> None:
    """Built from the scenario at its defaults, no axis leaves out most of its data or
    squashes it into a corner, and no two annotation boxes overlap."""
    figs = BUILDERS[scenario]()
    assert figs
    assert _check(figs) == []


@pytest.mark.infra
def test_dependency_graphs_show_every_label_at_a_readable_size(emulator: Any) -> None:
    """The stack's graph (every toggle on: the largest plan) keeps its labels inside the
    axes and at 12 px or more."""
    from tipsim.scenarios.infrastructure import open_stack

    stack = open_stack("talk", emulator.session)
    plan = stack.plan({name: True for name in stack.spec.toggles})
    figs = {"infra_graph_figure": infra_graph.infra_graph_figure(plan.graph,
                                                                 plan.blast_radius()),
            "network_graph_figure": infra_graph.network_graph_figure(plan.graph)}
    assert _check(figs) == []
    for fig in figs.values():
        x0, x1 = axis_range(fig, "xaxis") or (0.0, 0.0)
        px_per_unit = (FIGURE_WIDTH_PX - 80) / (x1 - x0)
        for trace in fig.data[1:]:
            assert trace.textfont.size >= 12
            for x, text in zip(trace.x, trace.text, strict=True):
                # a label is centred on its node: half of its longest line must fit between
                # the node and the axis's end, on the narrow figure of the checks
                half = 0.5 * text_size_px(text, trace.textfont.size)[0]
                assert min(x - x0, x1 - x) * px_per_unit >= half, text


def test_the_latency_axis_stays_on_the_data() -> None:
    """Issue 15's check: the latency chart's x range ends below 10 x the largest p99, with
    the objective inside it (30 s) or named at the edge (1 h)."""
    from tipsim.scenarios import data_lake_ab as dl

    p = dl.Params()
    res = dl.run(p, seed=1)
    cdfs = {a: res.latency_quantiles_s(a, data_lake.CDF_POINTS.tolist()) for a in dl.ARMS}
    largest_p99 = max(res.summary(a)["latency_p99_s"] for a in dl.ARMS)
    for slo in (p.slo_s, 3600.0):
        fig = data_lake.latency_figure(cdfs, {"a": "A", "b": "B"}, {"a": "red", "b": "blue"},
                                       slo)
        lo, hi = axis_range(fig, "xaxis") or (0, np.inf)
        assert hi < 10 * largest_p99, (slo, hi, largest_p99)
        assert any(f"objective {slo:g} s" in text for text, _ in annotation_boxes(fig))


def test_the_checks_catch_a_label_that_stretches_a_log_axis() -> None:
    """The check itself: plotly's own vline label on a log axis (the old chart) fails it,
    and two labels at one spot overlap."""
    fig = go.Figure(go.Scatter(x=[0.1, 1, 10], y=[0, 0.5, 1]))
    fig.update_xaxes(type="log")
    fig.add_vline(x=30, annotation_text="objective 30 s")
    assert any("fills" in p for p in axis_problems(fig))
    fig = go.Figure(go.Scatter(x=[0, 10], y=[0, 1]))
    for text in ("defect detected", "toggle off"):
        fig.add_annotation(x=4, y=1, yref="paper", text=text, showarrow=False)
    assert overlaps(fig) == [("defect detected", "toggle off")]


def test_every_figure_builder_is_checked() -> None:
    """A new ``*_figure`` builder in ``tipsim.viz`` has to be added to this file."""
    covered = {name.split(" ")[0] for fn in BUILDERS.values() for name in inspect.getsource(
        fn).split('"') if name.endswith("_figure") or name.split(" ")[0].endswith("_figure")}
    covered |= {"infra_graph_figure", "network_graph_figure", "judge_table"}
    builders = {name for mod in MODULES for name, obj in vars(mod).items()
                if name.endswith("_figure") and inspect.isfunction(obj)
                and obj.__module__ == mod.__name__}
    assert viz.__doc__
    assert builders <= covered, builders - covered


def test_node_group_time_axes_end_soon_after_the_last_event() -> None:
    """Notebook 03's charts: a move that is over by ~100 s is not drawn on the 900 s
    horizon, a move that never settles keeps the whole horizon, and the failed-requests
    axis on the right has ticks of its own (not synced to the pods axis: 6.08, 12.16...)."""
    from tipsim.scenarios import node_groups as ng

    for kw, settles in (({}, True), ({"toleration_seconds": 60.0, "cordon": "none"}, False)):
        r = ng.run(ng.Params(**kw), seed=1)
        times = np.concatenate([r.pods[k] for k in ("bound_s", "ready_s", "ended_s")])
        last = float(np.nanmax(times[times < r.horizon_s]))
        t_s, failed = r.traffic.failed_per_s(r.plan.decision_s, r.horizon_s)
        view = node_groups.view_end_s(r.pods, r.nodes, horizon_s=r.horizon_s,
                                      decision_s=r.plan.decision_s, failed_t_s=t_s[failed > 0])
        assert last < view <= r.horizon_s
        if settles:
            assert view <= 1.5 * last + 30 < r.horizon_s / 3
        else:
            assert view == r.horizon_s
        fig = node_groups.ready_figure(r.ready.times_s, r.ready.values, r.desired_external,
                                       horizon_s=r.horizon_s, failed_t_s=t_s,
                                       failed_per_s=failed, view_s=view)
        assert fig.layout.xaxis.range[1] == view
        assert fig.layout.yaxis2.tickmode == "auto"
        assert fig.layout.yaxis2.range[1] == pytest.approx(1.1 * max(1.0, failed.max()))
