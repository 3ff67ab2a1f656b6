"""The feature-toggle scenario's defect kinds, each checked against what the real system
does: a closed port is refused and fails the talk's ELB health check (every 30 s, out after
2 failures); less capacity is invisible at light load and unstable once an instance's load
passes its service rate (queueing theory: rho = lambda / (c mu) >= 1), with requests then
failing at the classic ELB's 60 s idle timeout (HTTP 504); a client-specific defect fails
only its users."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tipsim.scenarios.feature_toggle import DEFECTS, Params, run
from tipsim.sim.web.instances import user_in_share
from tipsim.sim.web.rollouts.feature_toggle import NEW, OLD


def test_every_defect_kind_the_staging_comparison_needs_is_offered() -> None:
    assert set(DEFECTS) == {"none", "errors", "latency", "crash", "blocked-port", "overload",
                            "production-clients"}


def test_a_closed_port_is_refused_and_the_health_check_takes_it_out_within_two_checks() -> None:
    """The toggled instance's port is closed: each request it gets is refused at once. The
    ELB checks every 30 s and deregisters after 2 failed checks, so the instance gets
    traffic for at most 2 x 30 s (+ the phase of the check) after it starts serving."""
    p = Params.create(strategy="toggle", defect="blocked-port", alarm_checks=20)
    r = run(p, seed=1)
    a = r.arrays
    new = a["image"] == NEW
    assert new.sum() > 0 and not a["ok"][new].any()
    assert np.all(a["latency_s"][new] == 0.0)  # refused, not timed out
    assert r.onset_s is not None
    toggled = a["instance"] == a["instance"][new].min()  # the first new-image instance
    served = a["time_s"][toggled]
    assert served.min() >= r.onset_s and served.max() <= r.onset_s + 2 * 30.0 + 30.0
    # with a monitor that counts a failing health check as a bad check, the toggle is
    # turned off after its 2 checks
    quick = run(p.replace(alarm_checks=2), seed=1)
    assert quick.detected_s is not None and quick.onset_s is not None
    assert quick.detected_s - quick.onset_s <= 2 * p.check_interval_s


@pytest.mark.parametrize("seed", [1, 2])
def test_less_capacity_is_invisible_at_light_load(seed) -> None:
    """One worker at 0.05 s per request serves up to 20 req/s; the toggled instance gets
    20 % of 10 req/s (rho = 0.1): no slow or failed request, nothing detected, the same
    outcome as a healthy image."""
    p = Params.create(strategy="toggle", defect="overload")
    r, healthy = run(p, seed=seed), run(p.replace(defect="none"), seed=seed)
    assert r.detected_s is None
    assert r.blast.failed_requests == healthy.blast.failed_requests == 0
    assert r.blast.slow_requests == healthy.blast.slow_requests


def test_less_capacity_breaks_at_production_load_and_requests_hit_the_idle_timeout() -> None:
    """At 150 req/s the four new-image instances (one worker each, 20 req/s) get 37.5 req/s
    each: rho = 1.9, the queue grows by about 17.5 requests a second, and latency with it
    until the load balancer gives up at its 60 s idle timeout. With a monitor too slow to
    react (20 checks), the in-place rollout fails requests at exactly 60 s."""
    p = Params.create(strategy="in-place", defect="overload", arrival_rate_per_s=150.0,
                      alarm_checks=20, duration_s=900.0)
    r = run(p, seed=1)
    a = r.arrays
    new = a["image"] == NEW
    timed_out = new & ~a["ok"] & np.isclose(a["latency_s"], p.idle_timeout_s)
    assert timed_out.sum() > 0
    # the queue of one instance grows at (lambda - mu) per second: a request waits more
    # than 60 s once the backlog it joins exceeds 60 s of work, ~60 s x 20 / 17.5 s after
    # the instance starts serving (plus the time the first requests take)
    lam, mu = 150.0 / 4, 1 / 0.05
    assert r.onset_s is not None
    first = float(a["time_s"][timed_out].min()) - r.onset_s
    assert first == pytest.approx(p.idle_timeout_s * mu / (lam - mu), rel=0.25)
    # the old image (4 workers each) never came near its capacity (rho = 150 / 320): every
    # request it got until a few seconds before the change (then killed in flight) succeeded
    done = (a["image"] == OLD) & (a["time_s"] < p.change_at_s - 5.0)
    assert a["ok"][done].all() and a["latency_s"][done].max() < 1.0


def test_a_production_client_defect_fails_only_its_share_of_users() -> None:
    """The new image fails every request of 10 % of the users and nobody else's: in place
    with a slow monitor, the users with a failed new-image request are exactly the share
    (users picked by a fixed hash, the same on every run), about 50 of 500."""
    p = Params.create(strategy="in-place", defect="production-clients", alarm_checks=20,
                      health_check=False)
    r = run(p, seed=1)
    a = r.arrays
    new = a["image"] == NEW
    in_share = np.array([user_in_share(int(u), p.defect_user_share) for u in a["user"]])
    assert not a["ok"][new & in_share].any()
    assert a["ok"][new & ~in_share].all()
    failed_users = set(a["user"][new & ~a["ok"]].tolist())
    assert len(failed_users) == pytest.approx(p.defect_user_share * p.users, abs=5)


def test_background_errors_and_an_error_defect_combine_independently() -> None:
    """Both images fail 2 % of requests; the new one's defect fails another 10 %,
    independently: 1 - 0.98 x 0.9 = 11.8 %. Binomial tolerance of 4 standard errors."""
    p = Params.create(strategy="in-place", defect="errors", background_error_prob=0.02,
                      defect_error_rate=0.1, alarm_checks=20, arrival_rate_per_s=50.0)
    a = run(p, seed=3).arrays
    for code, expected in ((OLD, 0.02), (NEW, 1 - 0.98 * 0.9)):
        sel = (a["image"] == code) & (a["instance"] >= 0)
        n = int(sel.sum())
        ratio = float((~a["ok"][sel]).mean())
        assert abs(ratio - expected) < 4 * math.sqrt(expected * (1 - expected) / n), code
