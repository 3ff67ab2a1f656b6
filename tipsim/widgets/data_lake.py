"""The A/B data-lake panel (notebook 04): controls, a progress bar, verdicts and four charts.

The simulation takes a second or more, so it runs when the learner presses "Run A/B test"
or "Sweep loads", not on every slider move. Charts are
:class:`~tipsim.widgets.live_figure.LiveFigure`s built with the first run's data and redrawn
after each run.
"""

from __future__ import annotations

import functools
import html
from typing import Any

import ipywidgets as w
import numpy as np

from tipsim.analysis.cost import PriceTable, load_prices
from tipsim.scenarios import data_lake_ab as dl
from tipsim.viz import data_lake as viz
from tipsim.widgets.common import MessageLine, guarded
from tipsim.widgets.live_figure import LiveFigure

PRICE_ITEMS = ("lambda_request", "lambda_gb_second_x86", "ec2_m5.xlarge", "emr_m5.xlarge")


def _styled(widget: w.Widget, css: str) -> w.Widget:
    widget.add_class(css)
    return widget


class DataLakePanel:
    """Controls for load, both back ends and prices; results as verdicts and four charts.

    Parameters
    ----------
    params
        Starting parameters (the notebook's ``parameters`` cell).
    seed
        Seed of the replications (common random numbers for both arms).
    crossover_rates
        Loads of the crossover chart (records/s).
    """

    def __init__(self, params: dl.Params, *, seed: int = 1,
                 crossover_rates: tuple[float, ...] = (500, 3000, 20_000),
                 crossover_replications: int = 2) -> None:
        self.base = params
        self.seed = seed
        self.crossover_rates = list(crossover_rates)
        self.crossover_replications = crossover_replications
        p = params
        table = load_prices()
        self.message = MessageLine()
        self.rate = _styled(w.FloatLogSlider(value=p.rate_per_s, base=10, min=2, max=4.7, step=0.05,
                                             description="records/s"), "tipsim-rate")
        self.pattern = w.Dropdown(options=["steady", "on_off", "daily"], value=p.pattern,
                                  description="pattern")
        self.burst = w.FloatSlider(value=p.burst_factor, min=1, max=10, step=0.5, description="burst x")
        self.partitions = w.IntSlider(value=p.partitions, min=1, max=96, description="partitions")
        self.batch_size = w.BoundedIntText(value=p.batch_size, min=1, max=10_000, description="batch size")
        self.window = w.FloatSlider(value=p.batching_window_s, min=0, max=5, step=0.1,
                                    description="window (s)")
        self.memory = w.Dropdown(options=sorted({512, 1024, 1769, 3008, p.memory_mb}), value=p.memory_mb,
                                 description="memory MB")
        self.nodes = w.IntSlider(value=p.core_nodes, min=1, max=16, description="core nodes")
        self.trigger = w.FloatSlider(value=p.trigger_interval_s, min=0, max=60, step=1,
                                     description="trigger (s)")
        self.arm_a = w.Dropdown(options=["faas", "spark"], value=p.arm_a, description="arm A")
        self.arm_b = w.Dropdown(options=["faas", "spark"], value=p.arm_b, description="arm B")
        self.reps = w.IntSlider(value=p.replications, min=2, max=20, description="replications")
        self.prices_in = {item: w.FloatText(value=table.usd(item), description=item,
                                            style={"description_width": "160px"})
                          for item in PRICE_ITEMS}
        self.run_button = _styled(w.Button(description="Run A/B test", button_style="primary"),
                                  "tipsim-run")
        self.sweep_button = _styled(w.Button(description="Sweep loads"), "tipsim-sweep")
        self.progress = _styled(w.IntProgress(value=0, min=0, max=1, description="progress"),
                                "tipsim-progress")
        self.verdict = _styled(w.HTML(), "tipsim-verdict")
        self.result: dl.ABResult | None = None
        self.cross: dict[str, Any] | None = None

        res = dl.run(p, seed=seed, prices=table)
        self.result = res
        names, colours = self._names(res.params)
        self.fig_latency = LiveFigure(viz.latency_figure(self._cdfs(res), names, colours, p.slo_s))
        self.fig_lag = LiveFigure(viz.lag_figure(self._lags(res), names, colours))
        self.fig_cost = LiveFigure(viz.cost_figure(self._summary(res), names, colours,
                                                   p.confidence))
        self.cross = dl.crossover(p, self.crossover_rates, seed=seed,
                                  replications=crossover_replications, prices=table)
        self.fig_crossover = LiveFigure(viz.crossover_figure(self.cross, names, colours))
        self._show_verdicts(res)
        self.run_button.on_click(guarded(self.message)(lambda _b: self.run()))
        self.sweep_button.on_click(guarded(self.message)(lambda _b: self.sweep()))

    # ------------------------------------------------------------------ reading the controls
    def params(self) -> dl.Params:
        """Validated parameters from the controls (raises ParameterError naming a field)."""
        return self.base.replace(
            rate_per_s=self.rate.value, pattern=self.pattern.value, burst_factor=self.burst.value,
            partitions=self.partitions.value, batch_size=self.batch_size.value,
            batching_window_s=self.window.value, memory_mb=self.memory.value,
            core_nodes=self.nodes.value, trigger_interval_s=self.trigger.value,
            arm_a=self.arm_a.value, arm_b=self.arm_b.value, replications=self.reps.value)

    def prices(self) -> PriceTable:
        return load_prices(overrides={k: v.value for k, v in self.prices_in.items()})

    # ------------------------------------------------------------------ actions
    def _progress(self, done: int, total: int) -> None:
        self.progress.max = total
        self.progress.value = done

    def run(self) -> dl.ABResult:
        """Run the A/B replications with the controls' values and update every chart."""
        p, prices = self.params(), self.prices()
        self.message.note("running replications...")
        res = dl.run(p, seed=self.seed, prices=prices, progress=self._progress)
        self.result = res
        names, colours = self._names(p)
        self.fig_latency.show(viz.latency_figure(self._cdfs(res), names, colours, p.slo_s))
        self.fig_lag.show(viz.lag_figure(self._lags(res), names, colours))
        self.fig_cost.show(viz.cost_figure(self._summary(res), names, colours, p.confidence))
        self._show_verdicts(res)
        self.message.clear()
        return res

    def sweep(self) -> dict[str, Any]:
        """Recompute the crossover chart over :attr:`crossover_rates`."""
        p, prices = self.params(), self.prices()
        self.message.note("sweeping loads...")
        self.cross = dl.crossover(p, self.crossover_rates, seed=self.seed,
                                  replications=self.crossover_replications, prices=prices,
                                  progress=self._progress)
        names, colours = self._names(p)
        self.fig_crossover.show(viz.crossover_figure(self.cross, names, colours))
        self.message.clear()
        return self.cross

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _names(p: dl.Params) -> tuple[dict[str, str], dict[str, str]]:
        names = {"a": f"A ({p.arm_a})", "b": f"B ({p.arm_b})"}
        colours = {arm: viz.arm_colour(arm, p.arm_a, p.arm_b) for arm in ("a", "b")}
        return names, colours

    @staticmethod
    def _cdfs(res: dl.ABResult) -> dict[str, list[float]]:
        return {arm: res.last_runs[arm].latency_quantiles_s(viz.CDF_POINTS.tolist()).tolist()
                for arm in ("a", "b")}

    @staticmethod
    def _lags(res: dl.ABResult) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        assert res.last_load is not None
        return {arm: res.last_runs[arm].lag_series(res.last_load) for arm in ("a", "b")}

    @staticmethod
    def _summary(res: dl.ABResult) -> dict[str, dict[str, Any]]:
        return {arm: res.summary(arm) for arm in ("a", "b")}

    def _show_verdicts(self, res: dl.ABResult) -> None:
        v = res.verdicts()
        same = res.to_json()["same_input"]
        lines = [f"<b>Faster?</b> {html.escape(str(v['faster']['text']))}",
                 f"<b>Cheaper?</b> {html.escape(str(v['cheaper']['text']))}",
                 f"Both arms read the same records: {'yes' if same else 'NO'}"]
        self.verdict.value = "<br>".join(lines)

    # ------------------------------------------------------------------ layout
    @functools.cached_property
    def widget(self) -> w.Widget:
        """The panel's box (built once: every display shows the same widgets)."""
        load = w.VBox([w.HTML("<b>Load</b>"), self.rate, self.pattern, self.burst, self.partitions])
        faas = w.VBox([w.HTML("<b>FaaS</b>"), self.batch_size, self.window, self.memory])
        spark = w.VBox([w.HTML("<b>Spark</b>"), self.nodes, self.trigger])
        test = w.VBox([w.HTML("<b>Test</b>"), self.arm_a, self.arm_b, self.reps])
        prices = w.VBox([w.HTML("<b>Prices (USD)</b>"), *self.prices_in.values()])
        box = w.VBox([
            w.HBox([load, faas, spark, test]), prices,
            w.HBox([self.run_button, self.sweep_button, self.progress]),
            self.message, self.verdict,
            self.fig_latency, self.fig_lag, self.fig_cost, self.fig_crossover,
        ])
        box.add_class("tipsim-data-lake")
        return box
