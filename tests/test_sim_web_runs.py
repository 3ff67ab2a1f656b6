"""Runs of requests taken at once (FCFS workers, DNS cache lookups, requests in flight,
round-robin): the same outcomes as the request-by-request rules they implement."""

from __future__ import annotations

import heapq

import numpy as np
import pytest

from tipsim.sim.queueing import mmc_workload, waits_with_simpy_resource
from tipsim.sim.recorder import RequestLog
from tipsim.sim.web.fcfs import fcfs_ends
from tipsim.sim.web.inflight import InFlight
from tipsim.sim.web.instances import Image, Instance
from tipsim.sim.web.loadbalancer import LoadBalancer
from tipsim.sim.web.lookups import cache_plan


def _one_by_one(free: list[float], arrival: np.ndarray, work: np.ndarray) -> list[float]:
    """Kiefer-Wolfowitz: start at max(arrival, earliest free worker), request by request."""
    ends = []
    for a, w in zip(arrival.tolist(), work.tolist(), strict=True):
        e = max(a, free[0]) + w
        heapq.heapreplace(free, e)
        ends.append(e)
    return ends


@pytest.mark.parametrize(("lam", "mu", "c"), [(3.0, 5.0, 1), (9.0, 1.0, 10), (5.0, 2.0, 3)])
def test_fcfs_waits_equal_a_simpy_resource_queue(lam: float, mu: float, c: int) -> None:
    """A whole run through the workers at once waits as a plain simpy.Resource queue."""
    wl = mmc_workload(lam, mu, 300.0, seed=4)
    ends = fcfs_ends([0.0] * c, wl.arrival_s, wl.demand_s)
    ref = waits_with_simpy_resource(wl, c)
    np.testing.assert_allclose(ends - wl.demand_s - wl.arrival_s, ref, atol=1e-9)
    assert ref.max() > 0  # a queue formed


def test_fcfs_runs_in_a_row_give_the_recursion_bit_for_bit() -> None:
    """Runs at any load (ties, zero work, workers busy from before) end where the
    recursion ends them, with the same free times after each run."""
    rng = np.random.default_rng(7)
    for trial in range(400):
        c = int(rng.integers(1, 6))
        free = sorted(rng.uniform(0.0, 3.0, c).tolist())
        ref_free = list(free)
        t0 = 0.0
        for _ in range(3):
            n = int(rng.integers(0, 60))
            arrival = t0 + np.sort(rng.uniform(0.0, n / (c * rng.choice([0.3, 1.0, 3.0])) + 1e-9, n))
            if trial % 5 == 0:
                arrival = np.round(arrival, 1)
            work = rng.exponential(1.0, n)
            if n and trial % 7 == 0:
                work[rng.integers(0, n)] = 0.0
            assert fcfs_ends(free, arrival, work).tolist() == _one_by_one(ref_free, arrival,
                                                                          work)
            assert sorted(free) == sorted(ref_free)
            t0 = float(arrival[-1]) if n else t0


def _lookups_one_by_one(t: np.ndarray, c: np.ndarray, expires: np.ndarray,
                        lifetime: np.ndarray) -> tuple[list[bool], list[int]]:
    """A cached answer is reused while time < expiry; otherwise ask and keep it a lifetime."""
    expires = expires.copy()
    last: dict[int, int] = {}
    fresh, source = [], []
    for i, (ti, ci) in enumerate(zip(t.tolist(), c.tolist(), strict=True)):
        if ti >= expires[ci]:
            expires[ci] = ti + lifetime[ci]
            last[ci] = i
        fresh.append(last.get(ci) == i)
        source.append(last.get(ci, -1))
    return fresh, source


def test_cache_plan_matches_the_cache_rule_request_by_request() -> None:
    """Which requests ask afresh and whose answer each uses, for TTLs from 0 (every request
    asks) to longer than the run, a few clients with long chains, and tied times."""
    rng = np.random.default_rng(3)
    for trial in range(300):
        clients = int(rng.integers(1, 30))
        n = int(rng.integers(0, 400))
        t = np.sort(rng.uniform(0.0, 100.0, n))
        if trial % 5 == 0:
            t = np.round(t)
        c = rng.integers(0, clients, n)
        lifetime = rng.choice([0.0, 0.5, 5.0, 60.0, 500.0], clients)
        expires = np.where(rng.random(clients) < 0.3, -np.inf, rng.uniform(-10, 50, clients))
        fresh, source = cache_plan(t, c, expires, lifetime)
        assert (fresh.tolist(), source.tolist()) == _lookups_one_by_one(t, c, expires, lifetime)


def test_requests_in_flight_come_out_by_end_then_acceptance() -> None:
    """One at a time or in runs, finished requests are handed out ordered by end time, ties
    in the order they were accepted (as a heap of (end, sequence) would)."""
    rng = np.random.default_rng(5)
    store, ref = InFlight(), []
    seq = 0
    for step in range(60):
        now = float(step)
        if step % 3 == 0:
            end = now + float(rng.integers(0, 4))
            store.push(end, now, step, end - now, True)
            seq += 1
            heapq.heappush(ref, (end, seq, now))
        else:
            n = int(rng.integers(0, 8))
            end = now + rng.integers(0, 4, n).astype(float)
            store.push_many(end, np.full(n, now), np.arange(n), end - now, np.ones(n, bool))
            for e in end.tolist():
                seq += 1
                heapq.heappush(ref, (e, seq, now))
        done = store.pop_due(now)
        expected = []
        while ref and ref[0][0] <= now:
            expected.append(heapq.heappop(ref)[2])
        assert (done[0].tolist() if done is not None else []) == expected
        assert len(store) == len(ref)


def test_round_robin_for_a_run_moves_as_one_pick_at_a_time() -> None:
    """Weighted pools and round-robin turns: a run picked at once gives every request the
    instance, and leaves the counters where, picks one by one would."""
    lbs = [LoadBalancer(), LoadBalancer()]
    for lb in lbs:
        for k in range(5):
            inst = Instance(k, Image(name="x", code=0), 1, RequestLog(),
                            pool="old" if k < 3 else "new")
            lb.register(inst)
        lb.set_weights({"old": 0.7, "new": 0.3})
    rng = np.random.default_rng(2)
    for _ in range(5):
        u = rng.random(int(rng.integers(1, 50)))
        one = [lbs[0].pick(0.0, x) for x in u.tolist()]
        picked = lbs[1].pick_many(u)
        assert picked is not None
        many: list[Instance | None] = [None] * u.size
        for inst, at in picked:
            for i in at.tolist():
                many[i] = inst
        assert [i.instance_id if i else None for i in one] == [
            i.instance_id if i else None for i in many]
