"""The M/M/c station: the instance's FCFS recursion against simpy and against theory."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.analysis.metrics import mean_ci
from tipsim.analysis.queueing import mmc_mean_wait_s
from tipsim.sim.queueing import mmc_workload, simulate_mmc, station_waits, waits_with_simpy_resource


@pytest.mark.parametrize(("lam", "mu", "c"), [(3.0, 5.0, 1), (9.0, 1.0, 10), (5.0, 2.0, 3)])
def test_instance_waits_equal_a_simpy_resource_queue(lam: float, mu: float, c: int) -> None:
    """Request by request, the instance gives the waits of a plain simpy.Resource queue
    (up to the float32 latency column of the request log)."""
    wl = mmc_workload(lam, mu, 500.0, seed=3)
    ours = station_waits(wl, c)
    ref = waits_with_simpy_resource(wl, c)
    assert ours.shape == ref.shape
    assert np.max(np.abs(ours - ref)) < 1e-5 * max(1.0, float(ref.max()))
    assert ref.max() > 0  # the queue did form: the check is not trivial


def test_mm1_pooled_replications_agree_with_erlang_c() -> None:
    """M/M/1 lambda=3, mu=5 (Erlang C: Wq = rho/(mu - lambda) = 0.3 s): 30 replications of
    2000 s with 200 s warm-up; the 95 % interval of the mean wait holds 0.3, and is narrow (< 0.02 s)."""
    waits = [simulate_mmc(3.0, 5.0, 1, 2000.0, 200.0, seed=21, replication=r).mean_wait_s
             for r in range(30)]
    mean, half = mean_ci(waits)
    assert abs(mean - mmc_mean_wait_s(3.0, 5.0, 1)) <= half
    assert half < 0.02


def test_utilisation_is_lambda_over_c_mu() -> None:
    """Measured utilisation of M/M/10 (lambda 9, mu 1) is 0.9 within its 95 % interval."""
    utils = [simulate_mmc(9.0, 1.0, 10, 1000.0, 100.0, seed=5, replication=r).utilisation
             for r in range(10)]
    mean, half = mean_ci(utils)
    assert abs(mean - 0.9) <= half
    assert half < 0.01
