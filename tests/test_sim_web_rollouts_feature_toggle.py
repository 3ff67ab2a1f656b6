"""The image rollout (in place, rolling, toggle), its monitor and its response, on a bare
service: timings follow from the strategy as described, not from a scenario."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tipsim.errors import ParameterError
from tipsim.sim.web.instances import Image
from tipsim.sim.web.rollouts.feature_toggle import NEW, OLD, Deployment, RolloutPlan
from tipsim.sim.web.service import UNROUTED, Service
from tipsim.sim.web.traffic import make_workload

OLD_IMAGE = Image(name="xenial", code=OLD)


def _deploy(plan: RolloutPlan, new: Image, *, seed: int = 1, rate_per_s: float = 10.0,
            duration_s: float = 900.0) -> tuple[Deployment, dict[str, np.ndarray], Service]:
    svc = Service(make_workload(seed, rate_per_s=rate_per_s, duration_s=duration_s,
                                mean_service_s=0.05), slow_threshold_s=0.5)
    svc.lb.set_weights({"old": 1.0})
    deploy = Deployment(plan, svc, OLD_IMAGE, new)
    deploy.start()
    return deploy, svc.run().arrays(), svc


def test_toggle_is_detected_after_alarm_checks_intervals_and_switched_off() -> None:
    """Onset at change + boot = 180 s falls on a check (every 30 s): the two checks after
    it see the 50 % error rate, so detection is at 180 + 2 x 30 = 240 s; from then on
    the old image takes every request."""
    plan = RolloutPlan(strategy="toggle")
    deploy, a, _ = _deploy(plan, Image(name="bionic", code=NEW, error_prob=0.5))
    assert deploy.onset_s == pytest.approx(plan.change_at_s + plan.boot_s)
    assert deploy.detected_s == pytest.approx(deploy.onset_s + plan.alarm_checks *
                                              plan.check_interval_s)
    assert np.all(a["image"][a["time_s"] > deploy.detected_s] == OLD)
    assert deploy.rolled_back


def test_toggle_sends_its_share_of_requests_to_the_new_image() -> None:
    """A clean toggle at 30 %: while it bakes, the new image takes 30 % of requests
    (binomial, 4 standard deviations)."""
    plan = RolloutPlan(strategy="toggle", toggle_share=0.3, toggle_bake_s=600.0)
    deploy, a, _ = _deploy(plan, Image(name="bionic", code=NEW), rate_per_s=20.0)
    assert deploy.onset_s is not None and deploy.detected_s is None
    sel = (a["time_s"] > deploy.onset_s) & (a["time_s"] < deploy.onset_s + plan.toggle_bake_s)
    n = int(sel.sum())
    share = float(np.mean(a["image"][sel] == NEW))
    assert abs(share - 0.3) < 4 * math.sqrt(0.3 * 0.7 / n)


def test_in_place_serves_nobody_while_the_replacements_boot() -> None:
    """In place: every instance is destroyed at the change, so every request arriving
    before the new ones finish booting finds no instance; afterwards all succeed."""
    plan = RolloutPlan(strategy="in-place")
    _, a, _ = _deploy(plan, Image(name="bionic", code=NEW))
    t = a["time_s"]
    gap = (t > plan.change_at_s) & (t < plan.change_at_s + plan.boot_s)
    assert gap.sum() > 0 and np.all(a["instance"][gap] == UNROUTED)
    assert np.all(a["ok"][t > plan.change_at_s + plan.boot_s])
    assert np.all(a["image"][t > plan.change_at_s + plan.boot_s] == NEW)


def test_rolling_replaces_one_instance_per_boot_and_pause() -> None:
    """Rolling: launch one, wait for its boot, drain an old one, pause; so the k-th new
    instance starts serving at change + boot + k (boot + pause)."""
    plan = RolloutPlan(strategy="rolling", instances=3, boot_s=40.0, rolling_pause_s=20.0)
    deploy, _, svc = _deploy(plan, Image(name="bionic", code=NEW))
    started = sorted(i.started_s for i in svc.instances if i.image.code == NEW)
    expected = [plan.change_at_s + plan.boot_s + k * (plan.boot_s + plan.rolling_pause_s)
                for k in range(plan.instances)]
    assert started == pytest.approx(expected)
    assert deploy.detected_s is None and any("rolled out" in e for _, e in deploy.events)


def test_slow_new_image_trips_the_slow_share_alarm() -> None:
    """A 20x slowdown (1 s for a 0.05 s request) makes far more than 1 % of the new
    image's successes slower than 0.5 s: detected, and the toggle goes off."""
    deploy, _, _ = _deploy(RolloutPlan(strategy="toggle"),
                           Image(name="bionic", code=NEW, latency_factor=20.0))
    assert deploy.detected_s is not None
    assert any("toggle off" in e for _, e in deploy.events)


def test_a_crashed_new_instance_is_a_bad_check_even_without_traffic() -> None:
    """The toggled instance crashes 10 s after it starts serving; the monitor counts the
    crash itself, so detection needs no failed request."""
    plan = RolloutPlan(strategy="toggle")
    deploy, _, _ = _deploy(plan, Image(name="bionic", code=NEW, crash_after_s=10.0))
    assert deploy.detected_s == pytest.approx(deploy.onset_s + plan.alarm_checks *
                                              plan.check_interval_s)


def test_plan_refuses_a_zero_toggle_share_naming_the_field() -> None:
    with pytest.raises(ParameterError, match="toggle_share"):
        RolloutPlan.create(toggle_share=0.0)
