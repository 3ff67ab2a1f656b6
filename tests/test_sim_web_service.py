"""Behaviour of the web tier's request-level core: traffic, instances, load balancer, service."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import simpy

from tipsim.errors import ParameterError
from tipsim.sim.recorder import RequestLog
from tipsim.sim.web.instances import Image, Instance
from tipsim.sim.web.loadbalancer import LoadBalancer
from tipsim.sim.web.service import UNROUTED, Service
from tipsim.sim.web.traffic import make_workload, poisson_arrival_times

OLD = Image(name="old", code=0)


def test_poisson_arrival_count_matches_rate_times_duration() -> None:
    """Over 20 seeds the number of arrivals has mean lambda*T and variance lambda*T
    (Poisson), within 4 standard errors."""
    rate, duration = 5.0, 400.0
    counts = np.array([poisson_arrival_times(np.random.default_rng(s), rate, duration).size
                       for s in range(20)])
    expected = rate * duration
    assert abs(counts.mean() - expected) < 4 * math.sqrt(expected / counts.size)
    assert 0.4 * expected < counts.var(ddof=1) < 2.0 * expected


def test_daily_pattern_peak_to_trough_ratio_follows_amplitude() -> None:
    """With amplitude A the rate at the peak hour is (1+A)/(1-A) times the trough's
    (the thinning must reproduce the intended intensity)."""
    amp, rate = 0.5, 2.0
    t = poisson_arrival_times(np.random.default_rng(3), rate, 86_400.0, daily_amplitude=amp,
                              peak_hour=12.0)
    peak = np.sum(np.abs(t - 12 * 3600) < 1800)      # one hour around noon
    trough = np.sum((t < 1800) | (t > 86_400 - 1800))  # one hour around midnight
    expected_peak = rate * 3600 * (1 + amp) * 0.98  # cos averages ~0.98 over the hour
    assert abs(peak - expected_peak) < 4 * math.sqrt(expected_peak)
    assert 2.4 < peak / trough < 3.7  # (1.5/0.5 = 3), Poisson noise on ~3600 arrivals


def test_same_seed_gives_same_requests_whatever_else_is_drawn() -> None:
    """Common random numbers: arrival, user, demand and error draws depend only on the seed."""
    a = make_workload(11, rate_per_s=3, duration_s=100, mean_service_s=0.1, users=50)
    b = make_workload(11, rate_per_s=3, duration_s=100, mean_service_s=0.1, users=50)
    c = make_workload(12, rate_per_s=3, duration_s=100, mean_service_s=0.1, users=50)
    for col in ("arrival_s", "user", "demand_s", "u_error", "u_route"):
        assert np.array_equal(getattr(a, col), getattr(b, col))
    assert not np.array_equal(a.arrival_s[:10], c.arrival_s[:10])


def test_weighted_pools_split_traffic_by_weight() -> None:
    """A 90/10 split sends 10 % of requests to the new pool (binomial, 4 sigma)."""
    wl = make_workload(2, rate_per_s=50, duration_s=200, mean_service_s=0.01)
    svc = Service(wl)
    svc.launch(OLD, pool="old")
    svc.launch(Image(name="new", code=1), pool="new")
    svc.lb.set_weights({"old": 0.9, "new": 0.1})
    arrays = svc.run().arrays()
    n = arrays["image"].size
    share = np.mean(arrays["image"] == 1)
    assert abs(share - 0.1) < 4 * math.sqrt(0.1 * 0.9 / n)


def test_error_probability_of_an_image_is_its_failure_rate() -> None:
    """An image failing 20 % of requests fails 20 % of them (binomial, 4 sigma)."""
    wl = make_workload(4, rate_per_s=50, duration_s=100, mean_service_s=0.01)
    svc = Service(wl)
    svc.launch(Image(name="bad", code=1, error_prob=0.2))
    ok = svc.run().arrays()["ok"]
    assert abs((~ok).mean() - 0.2) < 4 * math.sqrt(0.2 * 0.8 / ok.size)


def test_least_outstanding_sends_less_to_a_slow_instance_than_round_robin() -> None:
    """With one instance 10x slower, least-outstanding routes around it; round robin
    keeps sending it exactly its 1/2 share."""
    shares = {}
    for policy in ("round-robin", "least-outstanding"):
        wl = make_workload(5, rate_per_s=20, duration_s=300, mean_service_s=0.05)
        svc = Service(wl, policy=policy, workers_per_instance=1)
        svc.launch(OLD)
        svc.launch(Image(name="slow", code=1, latency_factor=10.0))
        shares[policy] = np.mean(svc.run().arrays()["image"] == 1)
    assert abs(shares["round-robin"] - 0.5) < 0.01
    assert shares["least-outstanding"] < 0.35


def test_crash_fails_in_flight_and_refuses_until_health_check_removes_it() -> None:
    """After a crash, requests sent to the instance fail until the health check (every
    30 s, unhealthy after 2) deregisters it; then the healthy instance takes them all."""
    wl = make_workload(6, rate_per_s=20, duration_s=200, mean_service_s=0.05)
    svc = Service(wl)
    svc.launch(OLD)
    svc.launch(Image(name="crashy", code=1, crash_after_s=10.0))
    svc.start_health_check(interval_s=30.0, unhealthy_threshold=2)
    a = svc.run().arrays()
    failed_t = a["time_s"][~a["ok"]]
    assert failed_t.size > 0
    assert failed_t.min() >= 10.0 - 1.0  # only in-flight at the crash can start before it
    assert failed_t.max() < 60.0  # checks at 30 s and 60 s: gone after the second
    assert np.all(a["ok"][a["time_s"] > 60.0])
    assert np.all(a["image"][a["time_s"] > 60.0] == 0)


def test_terminate_without_drain_fails_in_flight_requests_and_drain_keeps_them() -> None:
    """A destroy without draining fails what was in flight; draining lets it finish."""
    for drain in (False, True):
        log = RequestLog()
        inst = Instance(0, OLD, 1, log)
        inst.start_serving(0.0)
        inst.accept(0.0, 1, 5.0, 0.9)   # busy until 5 s
        inst.accept(1.0, 2, 5.0, 0.9)   # queued until 10 s
        inst.terminate(2.0, drain=drain)
        inst.flush(math.inf)
        a = log.arrays()
        assert a["ok"].tolist() == ([True, True] if drain else [False, False])
        expected = [5.0, 9.0] if drain else [2.0, 1.0]
        assert np.allclose(a["latency_s"], expected)


def test_requests_with_no_instance_are_recorded_as_failed() -> None:
    """While nothing is registered (all booting), requests fail as 'no instance'."""
    wl = make_workload(7, rate_per_s=10, duration_s=100, mean_service_s=0.05)
    svc = Service(wl)
    svc.launch(OLD, boot_s=30.0)
    a = svc.run().arrays()
    before = a["time_s"] < 30.0
    assert np.all(~a["ok"][before]) and np.all(a["instance"][before] == UNROUTED)
    assert np.all(a["ok"][~before])


def test_batched_arrivals_see_state_changes_at_the_right_time() -> None:
    """Arrivals handed over in batches still see a pool switch exactly when it happens."""
    wl = make_workload(8, rate_per_s=30, duration_s=100, mean_service_s=0.01)
    svc = Service(wl)
    svc.launch(OLD, pool="old")
    new = svc.launch(Image(name="new", code=1), pool="new", boot_s=40.0)
    svc.lb.set_weights({"old": 1.0, "new": 0.0})

    def switch(env: simpy.Environment):
        yield new.ready
        svc.lb.set_weights({"old": 0.0, "new": 1.0})

    svc.env.process(switch(svc.env))
    a = svc.run().arrays()
    assert np.all(a["image"][a["time_s"] < 40.0] == 0)
    assert np.all(a["image"][a["time_s"] > 40.0] == 1)


def test_bad_image_and_balancer_settings_name_the_field() -> None:
    with pytest.raises(ParameterError, match="error_prob"):
        Image.create(name="x", code=1, error_prob=1.5)
    with pytest.raises(ParameterError, match="policy"):
        LoadBalancer("random")  # type: ignore[arg-type]


def test_importing_the_simulation_core_loads_no_plotting_widgets_or_aws() -> None:
    """Layering: tipsim.sim never imports boto3, plotly or ipywidgets."""
    code = ("import sys, tipsim.sim.web.service, tipsim.sim.queueing; "
            "print(sorted(m for m in ('boto3','plotly','ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_balancer_follows_membership_and_weight_changes_between_picks() -> None:
    """Only pools with members and weight > 0 get traffic, whatever was picked before: a
    pool emptied by deregistration, or set to weight 0, gets nothing from then on."""
    log = RequestLog()
    lb = LoadBalancer()
    a, b = (Instance(i, OLD, 1, log, pool=p) for i, p in enumerate(("a", "b")))
    for inst in (a, b):
        inst.start_serving(0.0)
        lb.register(inst)
    assert {lb.pick(0.0, u) for u in (0.1, 0.9)} == {a, b}
    lb.deregister(a)
    assert {lb.pick(1.0, u) for u in (0.1, 0.9)} == {b}
    lb.register(a)
    lb.set_weights({"b": 0.0})
    assert {lb.pick(2.0, u) for u in (0.1, 0.9)} == {a}
    lb.deregister(a)
    assert lb.pick(3.0, 0.5) is None and lb.has_members


def test_a_cold_instance_slows_down_as_a_filling_cache_misses_and_warms_with_requests() -> None:
    """Cold start: an empty cache over a working set of K equally likely keys (the
    independent reference model, simulated here key by key) misses request n with
    probability (1 - 1/K)^n; a miss costing ``cold_start_factor`` x the work makes the
    instance's n-th request that much slower on average. A warm instance is not slowed."""
    k_keys, factor, n = 200, 3.0, 1000
    image = Image(name="new", code=0, cold_start_factor=factor, warmup_requests=k_keys)
    log = RequestLog()
    cold, warm = (Instance(i, image, 1, log, warm=w) for i, w in ((0, False), (1, True)))
    for inst in (cold, warm):
        inst.start_serving(0.0)
        for i in range(n):  # 1 s of work every 10 s: no queueing
            inst.accept(10.0 * i, 0, 1.0, 1.0)
        inst.flush(math.inf)
    rows = log.arrays()
    slowdown = {i: rows["latency_s"][rows["instance"] == i] - 1.0 for i in (0, 1)}
    assert np.allclose(slowdown[1], 0.0, atol=1e-6)
    rng = np.random.default_rng(3)
    trials = 2000
    misses = np.zeros(n)
    for _ in range(trials):  # a real cache, filled by uniform keys
        seen = np.zeros(k_keys, dtype=bool)
        keys = rng.integers(0, k_keys, n)
        for j, key in enumerate(keys):
            misses[j] += not seen[key]
            seen[key] = True
    miss_rate = misses / trials
    for j in (0, 50, 200, 400, 800):
        expected = (factor - 1.0) * miss_rate[j]
        sd = (factor - 1.0) * math.sqrt(max(miss_rate[j] * (1 - miss_rate[j]), 1e-4) / trials)
        assert abs(slowdown[0][j] - expected) < 4 * sd + 1e-4
    assert slowdown[0][0] == pytest.approx(factor - 1.0, rel=1e-6)
    assert slowdown[0][-1] < 0.01 * slowdown[0][0]  # five working sets later: warm
