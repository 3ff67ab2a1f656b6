"""The DNS entry point of a blue/green service: a weight change reaches Route 53's servers
over the propagation spread, health is always current."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.errors import ParameterError
from tipsim.sim.recorder import RequestLog
from tipsim.sim.web.dns import ClientCaches
from tipsim.sim.web.entry import DnsEntry
from tipsim.sim.web.instances import Image, Instance
from tipsim.sim.web.loadbalancer import LoadBalancer
from tipsim.sim.web.network import NetworkPath, Side


def _entry(propagation_s: float, seed: int = 1) -> DnsEntry:
    sides = []
    log = RequestLog()
    for code, name in enumerate(("blue", "green")):
        lb = LoadBalancer()
        inst = Instance(code, Image(name=name, code=code), 1, log, pool=name)
        inst.start_serving(0.0)
        lb.register(inst)
        sides.append(Side(name, code, lb, NetworkPath(), np.random.default_rng(code)))
    rng = np.random.default_rng(seed) if propagation_s > 0 else None
    entry = DnsEntry(sides, ClientCaches(10, 60.0), log, propagation_s=propagation_s, rng=rng)
    entry.set_weights([100.0, 0.0], 0.0)
    entry.note_change(0.0)
    return entry


def test_fresh_answers_follow_a_uniform_propagation_spread() -> None:
    """Servers apply a change at uniform times within 60 s (Route 53: "generally within
    60 seconds"): the chance that a fresh answer already names green climbs linearly
    from the change to 60 s after it."""
    entry = _entry(60.0)
    entry.set_weights([0.0, 100.0], 100.0)
    entry.note_change(100.0)
    grid = np.array([99.0, 100.0, 115.0, 130.0, 145.0, 160.0, 200.0])
    np.testing.assert_allclose(entry.fresh_share(grid, record=1),
                               [0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0], atol=1e-9)


def test_sampled_answers_match_the_spread() -> None:
    """Drawn answers agree with it: 30 s into the spread about half the fresh queries see
    green (binomial, 4 standard deviations)."""
    entry = _entry(60.0, seed=3)
    entry.set_weights([0.0, 100.0], 100.0)
    current = entry.probabilities(130.0)
    n = 4000
    green = sum(int(entry.answering(130.0, current)[1] == 1.0) for _ in range(n))
    assert abs(green / n - 0.5) < 4 * np.sqrt(0.25 / n)


def test_without_propagation_a_change_is_seen_at_once() -> None:
    entry = _entry(0.0)
    entry.set_weights([0.0, 100.0], 100.0)
    entry.note_change(100.0)
    np.testing.assert_allclose(entry.fresh_share(np.array([99.9, 100.0, 100.1])),
                               [0.0, 1.0, 1.0])


def test_propagation_needs_a_generator() -> None:
    with pytest.raises(ParameterError, match="propagation_s"):
        DnsEntry([], ClientCaches(1, 60.0), RequestLog(), propagation_s=60.0)


def test_a_run_of_requests_at_once_is_routed_as_one_at_a_time() -> None:
    """``accept_many`` (the traffic's batch hand-over between two events) records the same
    requests, sides and outcomes as ``pick`` + ``accept`` per request, with lossy paths and
    a weight change still propagating."""
    logs = []
    for batched in (False, True):
        entry = _entry(60.0, seed=5)
        for side in entry.sides:
            side.path = NetworkPath(loss_prob=0.2)
        entry.set_weights([50.0, 50.0], 100.0)
        rng = np.random.default_rng(11)
        t = np.sort(rng.uniform(100.0, 200.0, 400)).tolist()
        user = rng.integers(0, 10, 400).tolist()
        demand, u_err, u_route = (rng.random(400).tolist() for _ in range(3))
        if batched:
            entry.accept_many(t, user, demand, u_err, u_route, 0, 400)
        else:
            for i in range(400):
                entry.pick(t[i], u_route[i]).accept(t[i], user[i], demand[i], u_err[i])
        for side in entry.sides:
            for inst in side.lb.members():
                inst.flush(np.inf)
        logs.append((entry.log.arrays(), [s.requests for s in entry.sides]))
    (a, counts_a), (b, counts_b) = logs
    assert counts_a == counts_b and 0 < counts_a[1] < 400
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


@pytest.mark.parametrize("ttl_s", [0.0, 5.0, 60.0])
def test_runs_with_queues_refusals_and_failures_are_routed_as_one_at_a_time(
        ttl_s: float) -> None:
    """Busy instances (requests queue), a crashed instance (refuses), a lossy path, a path
    that refuses old clients, short and long DNS caches: runs of requests handed over at
    once record what ``pick`` + ``accept`` per request records, row for row."""
    logs = []
    for batched in (False, True):
        log = RequestLog()
        sides = []
        for code, name in enumerate(("blue", "green")):
            lb = LoadBalancer()
            for k in range(3):
                inst = Instance(3 * code + k, Image(name=name, code=code, error_prob=0.1), 2,
                                log, pool=name)
                inst.start_serving(0.0)
                lb.register(inst)
            sides.append(Side(name, code, lb, NetworkPath(loss_prob=0.1 * code,
                                                          refuses_old_clients=code == 1),
                              np.random.default_rng(code)))
        sides[1].lb.members()[0].crash(0.0)
        entry = DnsEntry(sides, ClientCaches(20, ttl_s), log, propagation_s=60.0,
                         rng=np.random.default_rng(9),
                         old_clients=[u % 4 == 0 for u in range(20)])
        entry.set_weights([50.0, 50.0], 0.0)
        entry.note_change(0.0)
        rng = np.random.default_rng(13)
        n = 3000
        t = np.sort(rng.uniform(0.0, 200.0, n))
        user = rng.integers(0, 20, n)
        demand, u_err, u_route = (rng.exponential(0.3, n), rng.random(n), rng.random(n))
        cuts = [0, 5, 6, 700, 1500, 1507, 2600, n]  # runs of every size, short ones too
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            if batched:
                entry.accept_many(t, user, demand, u_err, u_route, lo, hi)
            else:
                for i in range(lo, hi):
                    entry.pick(float(t[i]), float(u_route[i])).accept(
                        float(t[i]), int(user[i]), float(demand[i]), float(u_err[i]))
            for side in entry.sides:  # an event between runs: everything finished is recorded
                for inst in side.lb.members():
                    inst.flush(float(t[hi - 1]))
        for side in entry.sides:
            for inst in side.lb.members():
                inst.flush(np.inf)
        logs.append((log.arrays(), [s.requests for s in sides], entry.caches.resolutions()))
    (a, counts_a, res_a), (b, counts_b, res_b) = logs
    assert counts_a == counts_b
    assert set(np.unique(a["instance"]).tolist()) >= {-1, -3, 3}  # lost, refused, crashed
    assert (a["latency_s"] > b["latency_s"].min() + 0.5).any()  # requests did queue
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    for field in ("time_s", "client", "record"):
        np.testing.assert_array_equal(getattr(res_a, field), getattr(res_b, field))
