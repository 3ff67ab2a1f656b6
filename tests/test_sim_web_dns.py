"""Weighted DNS answers (Route 53 rules) and the TTL delay of a weight change."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tipsim.sim.web.dns import (
    ClientCaches,
    DnsConfig,
    cache_lifetimes,
    client_share_timeline,
    pick_record,
    record_probabilities,
    weight_change_timeline,
)


def test_weights_give_proportional_answers() -> None:
    """Weights 9/1: 10 000 fresh answers name green about 10% of the time
    (binomial two-sided test at 0.001 does not reject)."""
    rng = np.random.default_rng(1)
    p = record_probabilities([9, 1], [True, True])
    picks = [pick_record(p, u) for u in rng.random(10_000)]
    greens = int(np.sum(picks))
    assert stats.binomtest(greens, 10_000, 0.1).pvalue > 0.001


@pytest.mark.parametrize("weights, healthy, expected", [
    ([10, 0], [True, True], [1.0, 0.0]),    # zero weight never answered while others live
    ([10, 0], [False, True], [0.0, 1.0]),   # all non-zero unhealthy: zero-weight answers
    ([1, 1], [False, False], [0.5, 0.5]),   # nothing healthy: all count as healthy
    ([0, 0], [True, True], [0.5, 0.5]),     # all zero: equally likely
    ([3, 1], [True, False], [1.0, 0.0]),    # unhealthy record skipped
])
def test_route53_health_rules(weights, healthy, expected) -> None:
    """Route 53 Developer Guide, "How Route 53 chooses records when health checking is
    configured": the answer probabilities for each documented case."""
    np.testing.assert_allclose(record_probabilities(weights, healthy), expected)


def test_without_evaluate_target_health_an_unhealthy_side_still_gets_traffic() -> None:
    """Health is ignored unless evaluate target health is on."""
    np.testing.assert_allclose(
        record_probabilities([3, 1], [True, False], evaluate_target_health=False), [0.75, 0.25])


def _ttl_case(ttl_s: float, change_s: float, end_s: float, n_clients: int = 200):
    """Clients sending Poisson requests (1 per 5 s each); weights 10/0 before
    ``change_s`` and 0/10 after (the talk's blue/green records, flipped)."""
    rng = np.random.default_rng(7)
    caches = ClientCaches(n_clients, ttl_s)
    n = int(n_clients * end_s / 5.0)
    times = np.sort(rng.uniform(0.0, end_s, n))
    clients = rng.integers(0, n_clients, n)
    blue, green = record_probabilities([10, 0]), record_probabilities([0, 10])
    caches.prefill(blue, rng)  # clients started at different times: steady state
    for t, c, u in zip(times, clients, rng.random(n), strict=True):
        caches.lookup(int(c), float(t), blue if t < change_s else green, float(u))
    grid = np.arange(0.0, end_s, 1.0)
    fresh = np.where(grid < change_s, 0.0, 1.0)
    share = client_share_timeline(caches.resolutions(), n_clients, ttl_s, grid, fresh)
    return grid, share, caches


def test_weight_change_reaches_every_client_only_after_the_ttl() -> None:
    """TTL 300 s, weights 10/0 -> 0/10 at t = 1000 s: no client on green before the
    change, most still on blue 10 s after it, some still on blue until just before
    t + TTL, and every client on green from t + TTL on."""
    ttl, change = 300.0, 1000.0
    grid, share, _ = _ttl_case(ttl, change, 2000.0)
    assert np.all(share[grid < change] == 0.0)
    assert share[grid == change + 10][0] < 0.1  # nearly all clients still cached on blue
    assert share[grid == change + ttl - 10][0] < 1.0  # some still on blue near the end
    assert np.all(share[grid >= change + ttl] == 1.0)
    # in between the share climbs steadily (each client's cache runs out once)
    mid = share[(grid >= change) & (grid < change + ttl)]
    assert np.all(np.diff(mid) >= 0)


def test_ttl_spread_is_uniform_for_busy_clients() -> None:
    """Busy clients' caches were filled at uniform times, so the green share grows
    about linearly: half way through the TTL about half are on green (+/- 0.1)."""
    grid, share, _ = _ttl_case(300.0, 1000.0, 2000.0, n_clients=400)
    assert share[grid == 1150.0][0] == pytest.approx(0.5, abs=0.1)


def test_zero_ttl_switches_every_client_at_once() -> None:
    """TTL 0: every request resolves afresh, so the change is immediate."""
    grid, share, _ = _ttl_case(0.0, 1000.0, 1200.0)
    assert np.all(share[grid < 1000.0] == 0.0) and np.all(share[grid >= 1000.0] == 1.0)


def test_cache_reuses_answer_until_expiry() -> None:
    """Within the TTL the cached answer is reused whatever the weights; after it, not."""
    caches = ClientCaches(1, 60.0)
    assert caches.lookup(0, 0.0, record_probabilities([10, 0]), 0.5) == 0
    assert caches.lookup(0, 59.9, record_probabilities([0, 10]), 0.5) == 0
    assert caches.lookup(0, 60.0, record_probabilities([0, 10]), 0.5) == 1
    assert caches.resolutions().time_s.tolist() == [0.0, 60.0]


def test_prefill_spreads_expiries_over_one_ttl() -> None:
    """Prefilled caches expire uniformly over (0, TTL] (KS test against uniform)."""
    caches = ClientCaches(500, 120.0)
    caches.prefill(record_probabilities([10, 0]), np.random.default_rng(2))
    fills = caches.resolutions().time_s
    assert np.all((fills >= -120.0) & (fills <= 0.0))
    assert stats.kstest(fills + 120.0, stats.uniform(0, 120).cdf).pvalue > 0.001


TTL_EXACT = {"propagation_s": 0.0, "stale_share": 0.0}


def test_full_switch_reaches_every_client_exactly_one_ttl_after_the_change() -> None:
    """Without propagation delay or TTL-extending resolvers (both 0): 10/0 -> 0/10 at
    300 s, TTL 300 s: nobody on green before, everybody from 600 s on."""
    dns = DnsConfig(clients=400, ttl_s=300.0, **TTL_EXACT)
    grid, share = weight_change_timeline([10, 0], [0, 10], dns, change_at_s=300.0,
                                         duration_s=900.0, seed=3)
    assert np.all(share[grid < 300.0] == 0.0)
    assert 0.0 < share[grid == 450.0][0] < 1.0
    assert np.all(share[grid >= 600.0] == 1.0)


def test_half_split_settles_near_one_half_within_binomial_noise() -> None:
    """5/5: each client's cached answer is green with probability 1/2 (sd 0.5/sqrt(n))."""
    n = 1000
    dns = DnsConfig(clients=n, ttl_s=60.0, **TTL_EXACT)
    grid, share = weight_change_timeline([10, 0], [5, 5], dns, change_at_s=100.0,
                                         duration_s=600.0, seed=5)
    settled = share[grid >= 300.0]
    assert np.all(np.abs(settled - 0.5) < 4 * 0.5 / np.sqrt(n))


def test_with_the_documented_defaults_some_clients_reach_blue_after_switch_plus_ttl() -> None:
    """Route 53's servers take up to 60 s to apply a change and 8.74 % of clients sit
    behind resolvers holding answers 300 s: one TTL (60 s) after the switch some clients
    are still on blue; all are on green once propagation plus the longest hold passed."""
    dns = DnsConfig(clients=1000, ttl_s=60.0)
    grid, share = weight_change_timeline([10, 0], [0, 10], dns, change_at_s=300.0,
                                         duration_s=1000.0, seed=4)
    assert share[grid == 360.0][0] < 1.0
    assert share[grid == 420.0][0] < 1.0  # the resolvers holding 300 s
    assert np.all(share[grid >= 300.0 + 60.0 + 300.0] == 1.0)


def test_propagation_alone_delays_the_last_client_by_at_most_the_spread() -> None:
    """No stale resolvers, propagation within 60 s, TTL 60 s: a query answered just
    before a server applied the change is cached one TTL more, so the last client
    arrives after switch + TTL but no later than switch + 60 + TTL."""
    dns = DnsConfig(clients=1000, ttl_s=60.0, propagation_s=60.0, stale_share=0.0)
    grid, share = weight_change_timeline([10, 0], [0, 10], dns, change_at_s=300.0,
                                         duration_s=800.0, seed=6)
    assert share[grid == 360.0][0] < 1.0
    assert np.all(share[grid >= 420.0] == 1.0)


def test_share_behind_ttl_extending_resolvers_is_the_configured_share() -> None:
    """Each client sits behind a TTL-extending resolver with probability stale_share
    (binomial, 4 standard deviations); their caches last stale_hold_s, others the TTL."""
    n, q = 5000, 0.0874
    lifetimes = cache_lifetimes(n, DnsConfig(ttl_s=60.0, stale_share=q, stale_hold_s=300.0),
                                np.random.default_rng(9))
    assert set(np.unique(lifetimes)) == {60.0, 300.0}
    share = float(np.mean(lifetimes == 300.0))
    assert abs(share - q) < 4 * np.sqrt(q * (1 - q) / n)
    shorter = cache_lifetimes(10, DnsConfig(ttl_s=600.0, stale_share=1.0, stale_hold_s=300.0),
                              np.random.default_rng(1))
    assert np.all(shorter == 600.0)  # a hold shorter than the TTL changes nothing
