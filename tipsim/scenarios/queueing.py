"""Scenario ``queue``: can we trust the simulator? An M/M/c queue against Erlang C.

Runs independent replications of the M/M/c station (:mod:`tipsim.sim.queueing`, built from
the same traffic, service and instance code as every other scenario), trims the warm-up,
and reports the mean wait in queue and the utilisation with 95 % Student-t intervals
beside the Erlang C values (:mod:`tipsim.analysis.queueing`). Worked values of Erlang C,
Wq = C(c, a) / (c mu - lambda) with a = lambda / mu: M/M/1 with lambda=3, mu=5 gives
Wq = 0.3 s; M/M/10 with lambda=9, mu=1 gives Wq = 0.6687 s.

:func:`count_arrivals` is the first look at those arrivals (notebook 00): Poisson requests
counted per window beside their expected count, from an explicit seed.

``tipsim run queue --set arrival_rate_per_s=3 --set service_rate_per_s=5 --set servers=1``
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from pydantic import model_validator

from tipsim.analysis.metrics import mean_ci
from tipsim.analysis.queueing import mmc_mean_wait_s, mmc_utilisation
from tipsim.params import Params as BaseParams
from tipsim.params import param, same_as
from tipsim.sim.queueing import simulate_mmc
from tipsim.sim.rng import stream

_STABILITY = "arrival_rate_per_s: must be < servers * service_rate_per_s"


class Params(BaseParams):
    """Parameters of the M/M/c trust check."""

    arrival_rate_per_s: float = param(9.0, gt=0.0, le=10_000.0, unit="req/s", slider=(0.5, 50),
                                      step=0.5, description="lambda, requests per second")
    service_rate_per_s: float = param(1.0, gt=0.0, le=10_000.0, unit="req/s", slider=(0.1, 20),
                                      step=0.1, description="mu, requests per second per server")
    servers: int = param(10, ge=1, le=200, slider=(1, 50), description="c, number of servers")
    duration_s: float = param(2000.0, gt=0.0, le=1_000_000.0, unit="s", slider=(100, 20_000),
                              step=100, description="simulated time per replication")
    warmup_s: float = param(200.0, ge=0.0, le=1_000_000.0, unit="s", slider=(0, 2000), step=50,
                            description="requests arriving before this are not counted")
    replications: int = param(10, ge=2, le=1000, slider=(2, 100),
                              description="independent replications")

    @model_validator(mode="after")
    def _check(self) -> Self:
        capacity = self.servers * self.service_rate_per_s
        if self.arrival_rate_per_s >= capacity:
            raise ValueError(f"{_STABILITY} = {capacity:g} (an unstable queue grows forever)")
        if self.warmup_s >= self.duration_s:
            raise ValueError(f"warmup_s: must be < duration_s = {self.duration_s:g}")
        if self.arrival_rate_per_s * self.duration_s * self.replications > 20_000_000:
            raise ValueError("duration_s: arrival_rate_per_s * duration_s * replications "
                             "must stay <= 20 million customers")
        return self


class ArrivalParams(BaseParams):
    """The first look at arrivals: Poisson requests counted per window (notebook 00)."""

    rate_per_s: float = same_as(Params, "arrival_rate_per_s", 5.0,
                                description="requests per second")
    duration_s: float = param(600.0, gt=0, le=86_400, unit="s", slider=(60, 3600), step=60,
                              description="how long arrivals are counted")
    window_s: float = param(10.0, gt=0, le=3600, unit="s", slider=(1, 60), step=1,
                            description="length of one counting window")

    @model_validator(mode="after")
    def _size(self) -> Self:
        if self.rate_per_s * self.duration_s > 10_000_000:
            raise ValueError("duration_s: rate_per_s * duration_s must stay <= 10 million arrivals")
        return self


@dataclass(frozen=True)
class ArrivalCounts:
    """Arrivals counted per window, with the expected count."""

    window_start_s: np.ndarray
    counts: np.ndarray
    expected: float
    window_s: float

    @property
    def mean(self) -> float:
        """Mean count per window."""
        return float(self.counts.mean())

    @property
    def mean_ci95(self) -> float:
        """Half-width of the 95 % Student-t interval of the mean count per window."""
        return mean_ci(self.counts.astype(float))[1]


def count_arrivals(rate_per_s: float, duration_s: float = 600.0, window_s: float = 10.0,
                   seed: int = 1) -> ArrivalCounts:
    """Poisson arrivals at ``rate_per_s`` for ``duration_s``, counted per ``window_s``.

    Inter-arrival times are exponential with mean ``1 / rate_per_s``; the count in a
    window of length ``window_s`` is then Poisson with mean ``rate_per_s * window_s``.
    The arrivals come from the ``"arrivals"`` stream of ``seed``, as in every scenario.
    """
    p = ArrivalParams.create(rate_per_s=rate_per_s, duration_s=duration_s, window_s=window_s)
    rng = stream(seed, "arrivals")
    n_expected = int(p.rate_per_s * p.duration_s * 1.2 + 50)
    times = np.cumsum(rng.exponential(1.0 / p.rate_per_s, size=n_expected))
    times = times[times < p.duration_s]
    edges = np.arange(0.0, p.duration_s + p.window_s, p.window_s)
    counts, _ = np.histogram(times, bins=edges)
    return ArrivalCounts(edges[:-1], counts, p.rate_per_s * p.window_s, p.window_s)


def run(params: Params, *, seed: int = 1) -> dict[str, Any]:
    """Run ``params.replications`` replications and compare with Erlang C."""
    reps = [simulate_mmc(params.arrival_rate_per_s, params.service_rate_per_s, params.servers,
                         params.duration_s, params.warmup_s, seed=seed, replication=r)
            for r in range(params.replications)]
    wait, wait_half = mean_ci([r.mean_wait_s for r in reps])
    util, util_half = mean_ci([r.utilisation for r in reps])
    theory_wait = mmc_mean_wait_s(params.arrival_rate_per_s, params.service_rate_per_s,
                                  params.servers)
    theory_util = mmc_utilisation(params.arrival_rate_per_s, params.service_rate_per_s,
                                  params.servers)
    return {
        "mean_wait_s": wait,
        "mean_wait_ci_s": [wait - wait_half, wait + wait_half],
        "erlang_c_mean_wait_s": theory_wait,
        "wait_within_ci": bool(abs(wait - theory_wait) <= wait_half),
        "utilisation": util,
        "utilisation_ci": [util - util_half, util + util_half],
        "theory_utilisation": theory_util,
        "customers": int(sum(r.customers for r in reps)),
        "replications": params.replications,
        "confidence": 0.95,
        "per_replication": [
            {"mean_wait_s": r.mean_wait_s, "utilisation": r.utilisation,
             "customers": r.customers} for r in reps],
    }


def run_cli(params: Params, *, seed: int, replications: int | None = None) -> dict[str, Any]:
    """The ``tipsim run queue`` entry point (``--replications`` overrides the parameter)."""
    if replications is not None:
        params = params.replace(replications=replications)
    return run(params, seed=seed)
