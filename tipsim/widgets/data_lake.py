"""The A/B data-lake panel (notebook 04): controls, a progress bar, verdicts and four charts.

The simulation takes a second or more, so it runs when the learner presses "Run A/B test"
or "Sweep loads", not on every slider move. "Sweep loads" runs the crossover's batches of
loads as sweeps on Dask (:mod:`~tipsim.widgets.load_sweep`: a local cluster started at the
first sweep and kept until :meth:`DataLakePanel.close`, results cached per user, so the same
sweep again computes nothing); the chart the panel opens with is the same runs, serially. Every control comes from the scenario's field
(:func:`~tipsim.widgets.controls.control`), so its range is the one the CLI checks. Charts are
:class:`~tipsim.widgets.live_figure.LiveFigure`s built with the first run's data and redrawn
after each run.
"""

from __future__ import annotations

import functools
import html
import os
from typing import Any

import ipywidgets as w
import numpy as np

from tipsim.scenarios import data_lake_ab as dl
from tipsim.sweep import run_seed
from tipsim.viz import data_lake as viz
from tipsim.widgets.common import MessageLine, button, guarded
from tipsim.widgets.controls import STYLE, NumberText, control, values
from tipsim.widgets.live_figure import LiveFigure
from tipsim.widgets.load_sweep import LoadSweeper
from tipsim.widgets.share import ShareButton

LOAD_FIELDS = ("rate_per_s", "pattern", "burst_factor", "partitions")
FAAS_FIELDS = ("batch_size", "batching_window_s", "memory_mb", "invocations_per_poller")
SPARK_FIELDS = ("core_nodes", "trigger_interval_s")
TEST_FIELDS = ("arm_a", "arm_b", "replications")
CSS = {"rate_per_s": "tipsim-rate"}
"""CSS classes the browser tests look for."""


def _check_price(item: str, usd: float) -> None:
    """Raise ParameterError for a price the table refuses (e.g. 1e308: "inf USD" costs)."""
    dl.price_table({item: usd})


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
        Coarse loads of the crossover chart (records/s); the sweep adds loads around the
        crossover until it is placed within 10 %.
    crossover_replications
        Paired replications at each load of the crossover chart.
    sweep_out
        Folder of the load sweeps' files (default: the per-user cache,
        :func:`tipsim.sweep.cache_folder`).
    sweep_workers
        Worker processes of the sweeps' local cluster (default: one per core).
    """

    def __init__(self, params: dl.Params, *, seed: int = 1,
                 crossover_rates: tuple[float, ...] = dl.DEFAULT_RATES_PER_S,
                 crossover_replications: int = 2,
                 sweep_out: str | os.PathLike[str] | None = None,
                 sweep_workers: int | None = None) -> None:
        self.base = params
        self.seed = seed
        self.crossover_rates = list(crossover_rates)
        self.crossover_replications = crossover_replications
        p = params
        table = dl.priced(p)  # the dated table, with the price fields ``params`` sets
        self.message = MessageLine()
        self.inputs: dict[str, w.ValueWidget] = {
            name: control(dl.Params, name, getattr(p, name), css=CSS.get(name))
            for name in LOAD_FIELDS + FAAS_FIELDS + SPARK_FIELDS + TEST_FIELDS}
        self.prices_in = {item: NumberText(item, table.usd(item), low=0.0, unit="USD",
                                           check=functools.partial(_check_price, item),
                                           description=item, style=dict(STYLE))
                          for item in dl.PRICE_ITEMS}
        self.message.check_numbers([*self.inputs.values(), *self.prices_in.values()])
        self.run_button = button("Run A/B test", css="tipsim-run", button_style="primary")
        self.sweep_button = button("Sweep loads", css="tipsim-sweep")
        self.progress = _styled(w.IntProgress(value=0, description="progress"),
                                "tipsim-progress")
        self.verdict = _styled(w.HTML(), "tipsim-verdict")
        self.sweeper = LoadSweeper(sweep_out, sweep_workers)

        res = dl.run(p, seed=seed)
        self.result: dl.ABResult = res
        names, colours = self._names(res.params)
        self.fig_latency = LiveFigure(viz.latency_figure(self._cdfs(res), names, colours, p.slo_s))
        self.fig_lag = LiveFigure(viz.lag_figure(self._lags(res), names, colours))
        self.fig_cost = LiveFigure(viz.cost_figure(self._summary(res), names, colours,
                                                   p.confidence))
        # the runs a sweep makes (its run seed), serially: no worker process at start-up
        self.cross: dict[str, Any] = dl.crossover(p, self.crossover_rates,
                                                  seed=run_seed(seed, 0),
                                                  replications=crossover_replications)
        self.fig_crossover = LiveFigure(viz.crossover_figure(self.cross, names, colours))
        self._show_verdicts(res)
        self.message.watch(self.verdict, self.fig_latency, self.fig_lag, self.fig_cost,
                           self.fig_crossover)
        self.share = ShareButton("data-lake-ab", self.shared_run)
        self.run_button.on_click(guarded(self.message)(lambda _b: self.run()))
        self.sweep_button.on_click(guarded(self.message)(lambda _b: self.sweep()))

    # ------------------------------------------------------------------ reading the controls
    def params(self) -> dl.Params:
        """Validated parameters from the controls (raises ParameterError naming a field),
        a price that differs from the dated table's set as its price field (so the runs of
        a sweep's workers get it too)."""
        prices, dated = self.prices(), dl.price_table()
        own = {dl.PRICE_FIELDS[item]: (prices.usd(item) if prices.usd(item) != dated.usd(item)
                                       else None) for item in dl.PRICE_ITEMS}
        return self.base.replace(**values(self.inputs), **own)

    def prices(self) -> dl.PriceTable:
        """The price table with the panel's prices (each refused above 1,000 x its dated
        price, and letters refused, naming the item)."""
        return dl.price_table({k: v.number for k, v in self.prices_in.items()})

    # ------------------------------------------------------------------ actions
    def _progress(self, done: int, total: int) -> None:
        self.progress.max = total
        self.progress.value = done

    def run(self) -> dl.ABResult:
        """Run the A/B replications with the controls' values and update every chart."""
        p = self.params()
        self.message.note("running replications...")
        res = dl.run(p, seed=self.seed, progress=self._progress)
        self.result = res
        names, colours = self._names(p)
        self.fig_latency.show(viz.latency_figure(self._cdfs(res), names, colours, p.slo_s))
        self.fig_lag.show(viz.lag_figure(self._lags(res), names, colours))
        self.fig_cost.show(viz.cost_figure(self._summary(res), names, colours, p.confidence))
        self._show_verdicts(res)
        self.message.clear()
        return res

    def shared_run(self) -> tuple[dl.Params, dict[str, Any]]:
        """What "Share with the room" sends: the last A/B run's parameters (prices
        included) and its JSON summary, which is what ``tipsim run data-lake-ab --json``
        prints for them (the panel's run, not a new one: replications take seconds)."""
        return self.result.params, self.result.to_json()

    def sweep(self) -> dict[str, Any]:
        """Recompute the crossover chart over :attr:`crossover_rates` (then narrowed), each
        batch of loads one sweep on Dask; the message says how many runs were computed."""
        p = self.params()
        if not self.sweeper.cluster.started:
            self.message.note("sweeping loads (the first sweep starts Dask's worker processes)...")
        else:
            self.message.note("sweeping loads...")
        self.sweeper.begin()
        cross = dl.crossover(p, self.crossover_rates, seed=self.seed,
                             replications=self.crossover_replications, measure=self.sweeper)
        self.cross = cross
        names, colours = self._names(p)
        self.fig_crossover.show(viz.crossover_figure(cross, names, colours))
        self.message.clear()
        self.message.note(self.sweeper.summary())
        return cross

    def close(self) -> None:
        """Stop the sweeps' worker processes and close the panel's widgets."""
        self.sweeper.close()
        if "widget" in self.__dict__:
            self.widget.close()

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _names(p: dl.Params) -> tuple[dict[str, str], dict[str, str]]:
        names: dict[str, str] = {arm: f"{arm.upper()} ({p.backend(arm)})" for arm in dl.ARMS}
        colours: dict[str, str] = {arm: viz.arm_colour(arm, p.arm_a, p.arm_b) for arm in dl.ARMS}
        return names, colours

    @staticmethod
    def _cdfs(res: dl.ABResult) -> dict[str, list[float]]:
        return {arm: res.latency_quantiles_s(arm, viz.CDF_POINTS.tolist()) for arm in dl.ARMS}

    @staticmethod
    def _lags(res: dl.ABResult) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {arm: res.lag_series(arm) for arm in dl.ARMS}

    @staticmethod
    def _summary(res: dl.ABResult) -> dict[str, dict[str, Any]]:
        return {arm: res.summary(arm) for arm in dl.ARMS}

    def _show_verdicts(self, res: dl.ABResult) -> None:
        v = res.verdicts()
        same = res.to_json()["same_input"]
        lines = [f"<b>Faster?</b> {html.escape(str(v['faster']['text']))}",
                 f"<b>Cheaper?</b> {html.escape(str(v['cheaper']['text']))}",
                 f"Both arms read the same records: {'yes' if same else 'NO'}"]
        self.verdict.value = "<br>".join(lines)

    # ------------------------------------------------------------------ layout
    def _group(self, title: str, names: tuple[str, ...]) -> w.VBox:
        return w.VBox([w.HTML(f"<b>{title}</b>"), *(self.inputs[n] for n in names)])

    @functools.cached_property
    def widget(self) -> w.Widget:
        """The panel's box (built once: every display shows the same widgets)."""
        prices = w.VBox([w.HTML("<b>Prices (USD)</b>"), *self.prices_in.values()])
        box = w.VBox([
            w.HBox([self._group("Load", LOAD_FIELDS), self._group("FaaS", FAAS_FIELDS),
                    self._group("Spark", SPARK_FIELDS), self._group("Test", TEST_FIELDS)]),
            prices,
            w.HBox([self.run_button, self.sweep_button, self.progress]),
            self.sweeper.bar.widget,
            self.message, self.verdict,
            self.fig_latency, self.fig_lag, self.fig_cost, self.fig_crossover,
            *self.share.widgets,
        ])
        box.add_class("tipsim-data-lake")
        return box
