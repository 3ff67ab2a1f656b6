"""The M/M/c station: the simulator's trust check against queueing theory.

A bank with ``c`` tellers, customers arriving at random (Poisson, rate lambda) and each
needing an exponential time with rate mu: the textbook M/M/c queue, whose mean wait is
known exactly (Erlang C, :mod:`tipsim.analysis.queueing`). The station here is built from
the very pieces every scenario uses (:func:`~tipsim.sim.web.traffic.make_workload`, a
:class:`~tipsim.sim.web.service.Service` with one :class:`~tipsim.sim.web.instances.Instance`
of ``c`` workers), so agreement with theory vouches for the core, not for a side model.

:func:`waits_with_simpy_resource` runs the same workload through a plain
``simpy.Resource`` queue, one process per customer: the reference for the instance's
FCFS recursion (identical waits) and the baseline of ``benchmarks/bench_sim.py``.

Method (Robinson, *Simulation: The Practice of Model Development and Use*, 2014; Ciw's
documented M/M/1 check: 100 replications, warm-up 50 time units): each
replication discards customers arriving during the warm-up, averages the waits of the
others, and measures utilisation as busy worker-time over ``[warmup, duration]``.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from tipsim.errors import ParameterError
from tipsim.sim.web.instances import Image
from tipsim.sim.web.service import Service
from tipsim.sim.web.traffic import Workload, make_workload

_REFERENCE_IMAGE = Image(name="reference", code=0)


@dataclass(frozen=True)
class MMCReplication:
    """One replication's results.

    Attributes
    ----------
    mean_wait_s
        Mean time in queue (before service) of customers arriving after the warm-up.
    utilisation
        Busy worker-time / (servers x measured time), over ``[warmup, duration]``.
    customers
        Customers counted in ``mean_wait_s``.
    """

    mean_wait_s: float
    utilisation: float
    customers: int


def mmc_workload(arrival_rate_per_s: float, service_rate_per_s: float, duration_s: float,
                 seed: int, replication: int = 0) -> Workload:
    """Poisson arrivals with exponential demands of mean ``1 / service_rate_per_s``."""
    if not service_rate_per_s > 0:
        raise ParameterError("service_rate_per_s", service_rate_per_s, "a number > 0")
    return make_workload(seed, rate_per_s=arrival_rate_per_s, duration_s=duration_s,
                         mean_service_s=1.0 / service_rate_per_s, users=1,
                         service_dist="exponential", replication=replication)


def station_waits(workload: Workload, servers: int) -> np.ndarray:
    """Queue wait of every customer of ``workload`` at a tipsim instance with ``servers``
    workers (arrival order)."""
    svc = Service(workload, workers_per_instance=servers)
    svc.launch(_REFERENCE_IMAGE, boot_s=0.0)
    cols = svc.run().arrays()
    if cols["time_s"].size != len(workload):
        raise AssertionError("every customer of an M/M/c station must be recorded once")
    return cols["latency_s"].astype(np.float64) - workload.demand_s


def waits_with_simpy_resource(workload: Workload, servers: int) -> np.ndarray:
    """The same queue as a plain ``simpy.Resource``: one process per customer."""
    env = simpy.Environment()
    tellers = simpy.Resource(env, capacity=servers)
    arrival = workload.arrival_s.tolist()
    demand = workload.demand_s.tolist()
    waits = np.empty(len(arrival))

    def customer(i: int) -> Generator[Any, Any, None]:
        with tellers.request() as req:
            yield req
            waits[i] = env.now - arrival[i]
            yield env.timeout(demand[i])

    def source() -> Generator[Any, Any, None]:
        for i, t in enumerate(arrival):
            yield env.timeout(t - env.now)
            env.process(customer(i))

    env.process(source())
    env.run()
    return waits


def summarise(workload: Workload, waits_s: np.ndarray, servers: int,
              warmup_s: float) -> MMCReplication:
    """Mean wait after the warm-up and utilisation over ``[warmup, duration]``."""
    duration_s = workload.duration_s
    arrival = workload.arrival_s
    start = arrival + waits_s
    end = start + workload.demand_s
    busy = np.clip(np.minimum(end, duration_s) - np.maximum(start, warmup_s), 0.0, None).sum()
    counted = arrival >= warmup_s
    n = int(counted.sum())
    mean_wait = float(waits_s[counted].mean()) if n else float("nan")
    return MMCReplication(mean_wait_s=mean_wait,
                          utilisation=float(busy / (servers * (duration_s - warmup_s))),
                          customers=n)


def simulate_mmc(arrival_rate_per_s: float, service_rate_per_s: float, servers: int,
                 duration_s: float, warmup_s: float, *, seed: int,
                 replication: int = 0) -> MMCReplication:
    """One replication of the M/M/c station.

    Examples
    --------
    >>> r = simulate_mmc(3.0, 5.0, 1, 2000.0, 50.0, seed=1)
    >>> 0.5 < r.utilisation < 0.7
    True
    """
    if servers < 1:
        raise ParameterError("servers", servers, "a whole number >= 1")
    if not 0 <= warmup_s < duration_s:
        raise ParameterError("warmup_s", warmup_s, f"a number >= 0 and < duration_s={duration_s}")
    workload = mmc_workload(arrival_rate_per_s, service_rate_per_s, duration_s, seed,
                            replication)
    return summarise(workload, station_waits(workload, servers), servers, warmup_s)
