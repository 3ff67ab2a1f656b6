"""The canary scenario's defect kinds against outside behaviour: a binomial error count, the
ELB's removal window after a crash, a TLS policy that refuses exactly the old clients, and
an overload that only production's full load reaches."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tipsim.scenarios.canary import (
    BLUE,
    GREEN,
    HEALTH_CHECK,
    Params,
    green_utilisation,
    removal_time,
    simulate,
)
from tipsim.sim.web.network import REFUSED


def _within_binomial(k: int, n: int, p: float, sigmas: float = 4.0) -> bool:
    return abs(k - n * p) <= sigmas * math.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("seed", (1, 2))
def test_errors_fail_green_requests_at_the_defect_rate_binomially(seed: int) -> None:
    """'errors': each request green serves fails with probability ``green_error_rate``
    (2 %), blue's with the background 0.1 %: counts within 4 binomial sigmas."""
    p = Params(strategy="big-bang", defect="errors")
    r = simulate(p, seed=seed).requests
    served = r["instance"] >= 0
    for code, rate in ((GREEN, p.green_error_rate), (BLUE, p.background_error_prob)):
        sel = served & (r["image"] == code)
        assert sel.sum() > 5000
        assert _within_binomial(int((~r["ok"][sel]).sum()), int(sel.sum()), rate)


def test_a_smaller_error_defect_fails_proportionally_fewer_requests() -> None:
    """The severity is the rate: 0.5 % instead of 2 % fails about a quarter as many."""
    base = Params(strategy="big-bang", defect="errors")
    failed = {}
    for rate in (0.005, 0.02):
        r = simulate(base.replace(green_error_rate=rate), seed=3).requests
        sel = (r["instance"] >= 0) & (r["image"] == GREEN)
        failed[rate] = int((~r["ok"][sel]).sum())
        assert _within_binomial(failed[rate], int(sel.sum()), rate)
    assert failed[0.005] < failed[0.02] / 2


def test_crashed_green_instances_leave_the_elb_within_the_documented_window() -> None:
    """'crash': both green instances crash at 615 s; the talk's check (every 30 s,
    unhealthy after 2) refuses them at once and takes each out at ``removal_time``, between
    30 and 60 s after the crash (Classic Load Balancer health checks); requests that reach
    green after the crash all fail, and blue takes over."""
    crash_s = 615.0
    p = Params(strategy="big-bang", defect="crash", green_crash_after_s=crash_s)
    run = simulate(p, seed=1)
    out_s = removal_time(crash_s, "immediate")
    assert crash_s + HEALTH_CHECK.interval_s <= out_s <= crash_s + 2 * HEALTH_CHECK.interval_s
    log = run.health["green"]
    assert log.time_s == [out_s] * p.instances_per_side
    assert log.in_service == [False] * p.instances_per_side
    assert run.health["blue"].time_s == []
    r = run.requests
    green_after = (r["image"] == GREEN) & (r["time_s"] >= crash_s)
    assert green_after.sum() > 100 and not r["ok"][green_after].any()
    before = (r["image"] == GREEN) & (r["time_s"] < crash_s) & (r["time_s"] >= 300.0)
    assert r["ok"][before].mean() > 0.99
    assert (r["image"][r["time_s"] > out_s + 400.0] == BLUE).all()


@pytest.mark.parametrize("seed", (1, 4))
def test_green_refuses_exactly_the_old_clients_that_production_has(seed: int) -> None:
    """'production-clients': green's TLS 1.2-only listener refuses every request of the
    users on an old client, after one round trip, and no one else's; those users are the
    ``old_client_share`` (2.04 %) of production's 500 (within 4 binomial sigmas). A load
    without old clients (a synthetic generator: share 0) never triggers it."""
    p = Params(strategy="big-bang", defect="production-clients")
    old = p.traffic().old_clients(seed)
    assert _within_binomial(int(old.sum()), p.users, p.old_client_share)
    r = simulate(p, seed=seed).requests
    green = r["image"] == GREEN
    from_old = old[r["user"]]
    assert green[from_old].sum() > 0
    assert not r["ok"][green & from_old].any()
    assert (r["instance"][green & from_old] == REFUSED).all()
    assert r["latency_s"][green & from_old].max() < 0.1  # a round trip, not a timeout
    assert (r["instance"][green & ~from_old] != REFUSED).all()
    synthetic = simulate(p.replace(old_client_share=0.0), seed=seed).requests
    assert not (synthetic["instance"] == REFUSED).any()
    assert (~synthetic["ok"]).mean() < 3 * p.background_error_prob


def test_overload_is_within_capacity_at_a_small_step_and_over_it_at_full_weight() -> None:
    """'overload': green's capacity, 2 instances x 1 worker / 0.1 s = 20 requests/s, is
    below production's 25/s, so utilisation (offered load per worker) is 1.25 at full
    weight and 0.125 at the 10 % step. Above 1 a queue grows without bound: in a
    big-bang green's requests time out by the thousands; at the canary's first step green
    fails no more than blue and its mean latency stays within 10 % of blue's."""
    p = Params(defect="overload")
    capacity_per_s = p.instances_per_side * p.overload_workers / p.mean_service_s
    assert capacity_per_s == pytest.approx(20.0) and p.rate_per_s > capacity_per_s
    assert green_utilisation(p, 100.0) == pytest.approx(p.rate_per_s / capacity_per_s)
    assert green_utilisation(p, 10.0) == pytest.approx(0.125)
    assert green_utilisation(p.replace(defect="none"), 100.0) < 1.0
    canary = simulate(p, seed=1)
    first = canary.record.steps[0]
    assert first.weight_pct == 10.0 and first.verdict == "pass"
    r = canary.requests
    window = (r["time_s"] >= first.start_s + p.dns_ttl_s) & (r["time_s"] < first.end_s)
    g, b = window & (r["image"] == GREEN), window & (r["image"] == BLUE)
    assert (~r["ok"][g]).mean() <= max((~r["ok"][b]).mean(), 0.01)
    assert np.mean(r["latency_s"][g]) < 1.1 * np.mean(r["latency_s"][b])
    bb = simulate(p.replace(strategy="big-bang"), seed=1).requests
    timed_out = (bb["image"] == GREEN) & (bb["latency_s"] >= p.client_timeout_s - 1e-6)
    assert timed_out.sum() > 1000
