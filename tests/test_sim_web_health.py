"""ELB health checks: exact times an instance leaves and rejoins service (talk's timing)."""

from __future__ import annotations

import math

import pytest
import simpy

from tipsim.errors import ParameterError
from tipsim.sim.recorder import RequestLog
from tipsim.sim.web.health import HealthCheckConfig, HealthChecker, default_probe, removal_time
from tipsim.sim.web.instances import Image, Instance
from tipsim.sim.web.loadbalancer import LoadBalancer

TALK = HealthCheckConfig()  # every 30 s, timeout 3 s, healthy 2, unhealthy 2


def _one_instance(fail_s: float, recover_s: float = math.inf, refused: bool = False,
                  first_check_s: float = 0.0, until_s: float = 400.0):
    env = simpy.Environment()
    lb = LoadBalancer()
    inst = Instance(0, Image(name="nginx", code=0), 1, RequestLog())
    inst.start_serving(0.0)

    def probe(instance: Instance, t: float) -> tuple[bool, float]:
        if fail_s <= t < recover_s:
            return (False, 0.0) if refused else (False, math.inf)
        return True, 0.01

    checker = HealthChecker(env, lb, [inst], probe, TALK, first_check_s=first_check_s)
    env.run(until=until_s)
    return checker, lb


def test_talk_defaults_are_the_classic_elb_check() -> None:
    """interval 30 s, timeout 3 s, healthy 2, unhealthy 2 (the talk's Terraform example,
    ``aws_elb`` health_check block)."""
    assert (TALK.interval_s, TALK.timeout_s, TALK.healthy_threshold,
            TALK.unhealthy_threshold) == (30.0, 3.0, 2, 2)


@pytest.mark.parametrize("fail_s, expected_s", [
    (40.0, 93.0),   # checks at 60 and 90 time out: out at 90 + 3
    (59.9, 93.0),   # just before a check: the earliest removal after failing
    (60.0, 93.0),   # at a check: that check already fails
    (60.1, 123.0),  # just after a check: the latest removal (almost 2 intervals later)
])
def test_unanswering_instance_leaves_service_at_the_exact_time(fail_s: float,
                                                               expected_s: float) -> None:
    """A target that stops answering leaves service when the second failed check times
    out: simulation, closed form and the hand-worked times agree."""
    checker, lb = _one_instance(fail_s)
    assert checker.log.time_s[0] == pytest.approx(expected_s)
    assert checker.log.in_service[0] is False
    assert removal_time(fail_s, TALK, failure="timeout") == pytest.approx(expected_s)
    assert lb.members() == []


@pytest.mark.parametrize("fail_s", [1.0, 17.5, 29.0, 44.4, 100.0, 131.0])
def test_removal_lies_between_one_and_two_intervals_plus_timeout(fail_s: float) -> None:
    """With unhealthy threshold 2 the delay is in [(U-1) I + T, U I + T) = [33, 63) s."""
    checker, _ = _one_instance(fail_s, first_check_s=0.0)
    delay = checker.log.time_s[0] - fail_s
    assert 33.0 <= delay < 63.0


def test_refused_connection_fails_without_waiting_for_the_timeout() -> None:
    """A crashed instance refuses at once: removed at the second failing check's start."""
    checker, _ = _one_instance(40.0, refused=True)
    assert checker.log.time_s[0] == pytest.approx(90.0)
    assert removal_time(40.0, TALK, failure="immediate") == pytest.approx(90.0)


SWEEP_S = [0.0, 0.1, 7.3, 29.9, 30.0, 30.1, 44.4, 59.99, 60.0, 61.0, 88.8, 119.0, 131.0]


@pytest.mark.parametrize("failure, refused, window_s", [
    ("immediate", True, (30.0, 60.0)),   # (U-1) I to U I
    ("timeout", False, (33.0, 63.0)),    # (U-1) I + T to U I + T
])
def test_removal_window_per_failure_kind_matches_the_simulation(failure, refused,
                                                                window_s) -> None:
    """Classic ELB, interval 30 s, unhealthy threshold 2, timeout 3 s: a target that fails
    at once leaves service 30-60 s after it starts failing, one that stops answering
    33-63 s after; the helper gives the simulation's time for every failure time swept."""
    low, high = window_s
    for fail_s in SWEEP_S:
        checker, _ = _one_instance(fail_s, refused=refused)
        simulated = checker.log.time_s[0]
        assert removal_time(fail_s, TALK, failure=failure) == pytest.approx(simulated)
        assert low <= simulated - fail_s < high


def test_removal_time_refuses_an_unknown_failure_kind() -> None:
    with pytest.raises(ParameterError, match="failure"):
        removal_time(40.0, TALK, failure="slow")  # type: ignore[arg-type]


def test_instance_rejoins_after_two_passing_checks() -> None:
    """Failing 40-130 s: out at 93 s; checks at 150 and 180 pass (answer after 0.01 s),
    so it is back in service at 180.01 s."""
    checker, lb = _one_instance(40.0, recover_s=130.0)
    assert checker.log.time_s == pytest.approx([93.0, 180.01])
    assert checker.log.in_service == [False, True]
    assert len(lb.members()) == 1


def test_default_probe_times_out_behind_a_long_queue() -> None:
    """The default probe answers after the queue ahead of it: 100 requests of 0.1 s on
    one worker (10 s) is longer than the 3 s timeout, so checks fail."""
    inst = Instance(0, Image(name="nginx", code=0), 1, RequestLog())
    inst.start_serving(0.0)
    for _ in range(100):
        inst.accept(0.0, 0, 0.1, 1.0)
    probe = default_probe(0.1)
    ok, after = probe(inst, 0.0)
    assert ok and after == pytest.approx(10.0)
    assert after > TALK.timeout_s
    inst.crash(1.0)
    assert probe(inst, 2.0) == (False, 0.0)


def test_bad_check_timing_names_the_field() -> None:
    """A timeout not shorter than the interval is refused."""
    with pytest.raises(ParameterError, match="timeout_s"):
        HealthCheckConfig.create(interval_s=10.0, timeout_s=10.0)
    with pytest.raises(ParameterError, match="unhealthy_threshold"):
        HealthCheckConfig.create(unhealthy_threshold=1)
