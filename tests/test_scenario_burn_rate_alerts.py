"""Every scenario's run reports the SRE workbook's burn-rate alerts; a page fires no earlier
than the closed form allows (at most every request bad: t >= W x threshold)."""

from __future__ import annotations

import pytest

from tipsim.analysis.burn_rate import WORKBOOK_ALERTS, closed_form_fire_s
from tipsim.scenarios import canary, data_lake_ab, feature_toggle, node_groups

KEYS = {"name", "severity", "burn_rate", "long_window_s", "short_window_s", "fired_at_s"}


def _fast(alerts):
    return next(a for a in alerts if a["burn_rate"] == 14.4)


def test_node_groups_reports_alerts_and_no_page_for_a_careful_migration() -> None:
    out = node_groups.run_cli(node_groups.Params(), seed=1)
    assert [set(a) for a in out["burn_rate_alerts"]] == [KEYS] * 3
    assert out["first_page_s"] is None


def test_half_the_external_requests_failing_pages_as_the_closed_form_says() -> None:
    """Two external replicas tainted at once with no spare nodes: about half the requests
    fail from the decision on. At SLO 99 % the 1 h window needs t = 3600 x 0.144 / e."""
    p = node_groups.Params.create(strategy="all-at-once", spare_nodes=0, external_replicas=2,
                                  horizon_s=3600.0)
    out = node_groups.run_cli(p, seed=1)
    error_ratio = out["failed_requests"] / out["requests"]
    expected = closed_form_fire_s(error_ratio, 0.99, WORKBOOK_ALERTS[0])
    fired = _fast(out["burn_rate_alerts"])["fired_at_s"]
    assert expected is not None and fired is not None
    # traffic starts at the decision (60 s); the evaluation runs every minute
    assert p.decision_s + expected - 60.0 <= fired <= p.decision_s + expected + 120.0


def test_data_lake_arm_that_falls_behind_pages_no_earlier_than_possible() -> None:
    """Spark with one node and 5 ms/record cannot keep up: nearly every record misses the
    30 s objective. Even with every record late, the 1 h window at target 99 % needs
    3600 x 0.144 = 518 s, so the page cannot come before that; the healthy FaaS arm
    pages nobody."""
    p = data_lake_ab.Params.create(cpu_ms_per_record=5, core_nodes=1, replications=2)
    out = data_lake_ab.run_cli(p, seed=1)
    assert out["a"]["first_page_s"] is None
    fired = _fast(out["b"]["burn_rate_alerts"])["fired_at_s"]
    earliest = closed_form_fire_s(1.0, 0.99, WORKBOOK_ALERTS[0])
    assert fired is not None and fired >= earliest
    assert out["b"]["slo_share"] < 0.05


@pytest.mark.parametrize("target", [0.5, 0.99])
def test_freshness_counts_cover_every_landed_record(target) -> None:
    res = data_lake_ab.run(data_lake_ab.Params.create(freshness_target=target, replications=2),
                           seed=3)
    run = res.last_runs["a"]
    good, bad = run.freshness_per_window(30.0)
    assert good.sum() + bad.sum() >= run.records_landed - 1e-6
    assert good.sum() + bad.sum() <= run.records_produced + 1e-6


def test_a_big_bang_onto_a_blocked_port_pages_after_the_switch_no_earlier_than_possible() -> None:
    """Big-bang onto a green network that drops the listener port: every request that reaches
    green fails from the switch on (clients move as their DNS answers expire). Even at 100 %
    errors the 1 h window at SLO 99 % needs 3600 x 0.144 = 518 s after the switch; at the
    run's measured error ratio after the switch the closed form says when at the latest."""
    p = canary.Params.create(strategy="big-bang", defect="blocked-port")
    out = canary.run_cli(p, seed=1)
    fired = _fast(out["burn_rate_alerts"])["fired_at_s"]
    assert out["first_page_s"] is not None and out["first_page_s"] > p.switch_at_s
    earliest = closed_form_fire_s(1.0, p.availability_target, WORKBOOK_ALERTS[0])
    after = out["failed_requests"] / (out["requests"] * (1 - p.switch_at_s / p.duration_s))
    latest = closed_form_fire_s(after, p.availability_target, WORKBOOK_ALERTS[0])
    assert earliest is not None and latest is not None
    # evaluated at the end of each minute; clients need up to a TTL (60 s) and propagation
    assert p.switch_at_s + earliest <= fired <= p.switch_at_s + latest + 60.0 + 120.0


@pytest.mark.parametrize("strategy", canary.STRATEGIES)
def test_a_healthy_green_pages_nobody(strategy) -> None:
    """With no defect the error ratio stays at the background 0.1 %, burn rate 0.1 at
    SLO 99 %: below every threshold, so no alert of any severity fires."""
    out = canary.run_cli(canary.Params.create(strategy=strategy, defect="none"), seed=1)
    assert out["first_page_s"] is None
    assert all(a["fired_at_s"] is None for a in out["burn_rate_alerts"])


def test_an_in_place_image_that_fails_everything_pages_as_the_closed_form_says() -> None:
    """In place, every request on the new image fails; a slow monitor (20 bad checks of
    30 s) leaves it in service for 10 minutes. At 100 % errors and SLO 99 % the 1 h window
    crosses 14.4x after 518 s of serving (the closed form), evaluated each minute."""
    p = feature_toggle.Params.create(strategy="in-place", defect="errors",
                                     defect_error_rate=1.0, alarm_checks=20, duration_s=1800.0)
    r = feature_toggle.run(p, seed=1)
    out = r.summary()
    fired = _fast(out["burn_rate_alerts"])["fired_at_s"]
    earliest = closed_form_fire_s(1.0, p.availability_target, WORKBOOK_ALERTS[0])
    assert r.onset_s is not None and earliest is not None and fired is not None
    # the replacement outage (boot) already fails every request from the change on
    assert p.change_at_s + earliest <= fired <= r.onset_s + earliest + 60.0
    assert out["first_page_s"] == fired


def test_the_default_toggle_pages_nobody() -> None:
    """The toggle sends 20 % to a new image failing 20 % of requests and turns it off within
    two checks: about 4 % errors for a minute is far from 14.4x over an hour."""
    out = feature_toggle.run_cli(feature_toggle.Params(), seed=1)
    assert out["first_page_s"] is None
    assert [set(a) for a in out["burn_rate_alerts"]] == [KEYS] * 3
