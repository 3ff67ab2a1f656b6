"""Exposure, step counts and the traffic model, checked by hand and against Poisson theory."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tipsim.sim.k8s.metrics import StepCount, exposure_end_s, exposure_pod_seconds, step_count
from tipsim.sim.k8s.state import KIND_CODES
from tipsim.sim.k8s.traffic import serve
from tipsim.sim.rng import streams


def test_step_count_integral_time_below_and_recovery():
    s = step_count(np.array([0.0, 0.0, 0.0, 20.0]), np.array([10.0, 30.0, np.nan, np.nan]))
    # 3 on [0,10), 2 on [10,20), 3 on [20,30), 2 from 30 on
    assert s.integral(0, 40) == pytest.approx(3 * 10 + 2 * 10 + 3 * 10 + 2 * 10)
    assert s.time_below(3, 0, 40) == pytest.approx(20.0)
    assert s.last_recovery_s(3, 0, 25) == 20.0
    assert s.last_recovery_s(3, 0, 40) is None
    assert s.minimum(0, 40) == 2 and s.maximum(0, 40) == 3
    assert np.allclose(s.cumulative(np.array([-1.0, 5.0, 15.0])), [0.0, 15.0, 40.0])


def test_exposure_counts_external_time_on_insecure_nodes_after_the_decision():
    """Decision at 100, horizon 400. External pods on insecure node 0: one evicted at 130
    (30 s), one bound there at 200 and evicted at 260 (60 s), one still there at the end
    (bound 350: 50 s). An internal pod and an external pod on secure node 1 do not count."""
    pods = {
        "kind": np.array([KIND_CODES[k] for k in ("external", "external", "external", "internal",
                                                  "external")], dtype=np.int8),
        "node": np.array([0, 0, 0, 0, 1]),
        "bound_s": np.array([0.0, 200.0, 350.0, 0.0, 0.0]),
        "ended_s": np.array([130.0, 260.0, np.nan, np.nan, np.nan]),
    }
    assert exposure_pod_seconds(pods, np.array([0]), 100.0, 400.0) == pytest.approx(140.0)
    assert exposure_end_s(pods, np.array([0]), 100.0, 400.0) is None
    pods["ended_s"][2] = 380.0
    assert exposure_end_s(pods, np.array([0]), 100.0, 400.0) == 380.0


@pytest.mark.parametrize("ready_pods", [3, 4])
def test_failed_requests_match_poisson_overflow_theory(ready_pods):
    """With k ready pods of c req/s each and Poisson(lambda) arrivals a second, failures per
    second are E[(N - floor(k c))+]; affected users follow U (1 - (1 - 1/U)^F).
    Tolerance 5% over 5 replications of 3000 s."""
    rate, cap, users, horizon = 60.0, 15.0, 5000, 3000.0
    ready = StepCount(np.array([0.0]), np.array([ready_pods]))
    capacity = int(np.floor(ready_pods * cap))
    n = np.arange(0, 400)
    theory_per_s = float(np.sum(np.clip(n - capacity, 0, None) * stats.poisson.pmf(n, rate)))
    failed, affected, theory_users = [], [], []
    for rep in range(5):
        rng = streams(11, ["arrivals", "users"], rep)
        res = serve(ready, rate_per_s=rate, pod_capacity_rps=cap, users=users, start_s=0.0,
                    end_s=horizon, arrivals_rng=rng["arrivals"], users_rng=rng["users"])
        failed.append(res.failed / horizon)
        affected.append(res.affected_users)
        theory_users.append(users * (1 - (1 - 1 / users) ** res.failed))
    assert np.mean(failed) == pytest.approx(theory_per_s, rel=0.05)
    assert np.mean(affected) == pytest.approx(np.mean(theory_users), rel=0.05)


def test_every_request_fails_while_no_pod_is_ready_and_none_when_capacity_is_ample():
    ready = StepCount(np.array([0.0, 10.0]), np.array([0, 4]))
    rng = streams(3, ["arrivals", "users"])
    res = serve(ready, rate_per_s=20.0, pod_capacity_rps=100.0, users=50, start_s=0.0, end_s=20.0,
                arrivals_rng=rng["arrivals"], users_rng=rng["users"])
    early = res.time_s < 10.0
    assert not res.ok[early].any() and res.ok[~early].all()
