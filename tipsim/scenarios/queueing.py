"""Scenario ``queue``: can we trust the simulator? An M/M/c queue against Erlang C.

Runs independent replications of the M/M/c station (:mod:`tipsim.sim.queueing`, built from
the same traffic, service and instance code as every other scenario), trims the warm-up,
and reports the mean wait in queue and the utilisation with 95 % Student-t intervals
beside the Erlang C values (:mod:`tipsim.analysis.queueing`). FACTS.md worked values:
M/M/1 lambda=3, mu=5 gives Wq = 0.3 s; M/M/10 lambda=9, mu=1 gives Wq = 0.6687 s.

``tipsim run queue --set arrival_rate_per_s=3 --set service_rate_per_s=5 --set servers=1``
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from tipsim.analysis.metrics import mean_ci
from tipsim.analysis.queueing import mmc_mean_wait_s, mmc_utilisation
from tipsim.params import Params as _BaseParams
from tipsim.sim.queueing import simulate_mmc

_STABILITY = "arrival_rate_per_s: must be < servers * service_rate_per_s"


class Params(_BaseParams):
    """Parameters of the M/M/c trust check."""

    arrival_rate_per_s: float = Field(9.0, gt=0.0, le=10_000.0,
                                      description="lambda, customers per second")
    service_rate_per_s: float = Field(1.0, gt=0.0, le=10_000.0,
                                      description="mu, customers per second per server")
    servers: int = Field(10, ge=1, le=200, description="c, number of servers")
    duration_s: float = Field(2000.0, gt=0.0, le=1_000_000.0,
                              description="simulated time per replication")
    warmup_s: float = Field(200.0, ge=0.0, le=1_000_000.0,
                            description="customers arriving before this are not counted")
    replications: int = Field(10, ge=2, le=1000, description="independent replications")

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
