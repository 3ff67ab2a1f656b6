"""Scenario 1 (feature toggles): strategies compared on common random numbers, and the
blast-radius figures checked against what simple arithmetic on the parameters predicts."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tipsim.scenarios.feature_toggle import Params, compare_strategies, run, timeline

REQUIRED = ("requests", "failed_requests", "affected_users", "slo_breach_minutes",
            "error_budget_used", "time_to_detect_s", "time_to_recover_s")


@pytest.mark.parametrize("defect", ["errors", "latency", "crash"])
def test_toggle_blast_radius_is_smaller_than_in_place_for_a_defective_image(defect) -> None:
    """Must-show: on the same seed, toggling the new image beside the old ones hurts fewer
    requests and users and uses less error budget than replacing them in place."""
    df = compare_strategies(Params.create(defect=defect), seed=1).set_index("strategy")
    toggle, in_place = df.loc["toggle"], df.loc["in-place"]
    assert toggle["requests"] == in_place["requests"]  # the same requests (CRN)
    assert toggle["failed_requests"] + toggle["slow_requests"] < \
        0.2 * (in_place["failed_requests"] + in_place["slow_requests"])
    assert toggle["affected_users"] < in_place["affected_users"]
    assert toggle["error_budget_used"] < in_place["error_budget_used"]
    assert toggle["slo_breach_minutes"] <= in_place["slo_breach_minutes"]


def test_strategies_on_one_seed_see_the_same_arrivals() -> None:
    a = run(Params.create(strategy="toggle"), seed=3).arrays
    b = run(Params.create(strategy="in-place"), seed=3).arrays
    assert np.array_equal(a["time_s"], b["time_s"]) and np.array_equal(a["user"], b["user"])


def test_in_place_outage_fails_about_rate_times_boot_time() -> None:
    """With no defect, in-place replacement serves nothing while the new instances boot:
    failed requests ~ Poisson(lambda * boot_s) = 600 (+ the few in flight). Mean over 5
    seeds within 4 standard errors; rolling and toggle fail none."""
    p = Params.create(defect="none", strategy="in-place", duration_s=400.0)
    failed = [run(p, seed=s).blast.failed_requests for s in range(5)]
    expected = p.arrival_rate_per_s * p.boot_s
    assert abs(np.mean(failed) - expected) < 4 * math.sqrt(expected / 5) + 1
    for strategy in ("rolling", "toggle"):
        assert run(p.replace(strategy=strategy), seed=0).blast.failed_requests == 0


def test_toggle_failures_match_share_times_error_rate_times_detection_time() -> None:
    """Toggle with a 20 % error defect: the new instance gets 20 % of 10 req/s; the monitor
    needs 2 bad checks 30 s apart, so detection is 60 s after it starts serving and about
    0.2 * 10 * 0.2 * 60 = 24 requests fail. Mean over 6 seeds within 4 standard errors."""
    p = Params.create(strategy="toggle", defect="errors")
    runs = [run(p, seed=s) for s in range(6)]
    assert all(r.blast.time_to_detect_s == pytest.approx(60.0) for r in runs)
    failed = np.array([r.blast.failed_requests for r in runs])
    expected = p.toggle_share * p.arrival_rate_per_s * p.defect_error_rate * 60.0
    assert abs(failed.mean() - expected) < 4 * math.sqrt(expected / failed.size)


def test_healthy_toggle_rolls_forward_to_the_new_image() -> None:
    """No defect: after the bake time the toggle rolls forward; the last minute is all
    new image, with no failures at all."""
    r = run(Params.create(strategy="toggle", defect="none"), seed=2)
    last = r.arrays["time_s"] > r.params.duration_s - 60
    assert np.all(r.arrays["image"][last] == 1)
    assert r.blast.failed_requests == 0 and r.detected_s is None


def test_detected_defect_is_toggled_off_and_old_image_takes_everything() -> None:
    r = run(Params.create(strategy="toggle", defect="errors"), seed=2)
    after = r.arrays["time_s"] > r.detected_s
    assert np.all(r.arrays["image"][after] == 0)
    assert any("toggle off" in e for _, e in r.events)


def test_timeline_has_success_rate_per_window_per_image() -> None:
    r = run(Params.create(strategy="in-place", defect="errors"), seed=1)
    tl = timeline(r, window_s=30.0)
    assert set(tl["image"]) == {-1, 0, 1}  # old, outage (no instance), new
    new = tl[tl["image"] == 1]
    assert new["success_rate"].mean() == pytest.approx(0.8, abs=0.05)
    assert tl.groupby("window_start_s")["requests"].sum().sum() == r.blast.requests + \
        int(np.sum(r.arrays["time_s"] < r.params.change_at_s))


def test_cli_json_holds_the_blast_radius(run_cli) -> None:
    code, out, err = run_cli("run", "feature-toggle", "--set", "strategy=in-place",
                             "--set", "defect_error_rate=0.3", "--seed", "4", "--json")
    assert code == 0, err
    res = json.loads(out)
    for key in REQUIRED:
        assert key in res
    assert res["failed_requests"] > 0 and res["strategy"] == "in-place"


def test_cli_replications_report_intervals(run_cli) -> None:
    code, out, err = run_cli("run", "feature-toggle", "--replications", "3", "--json")
    assert code == 0, err
    res = json.loads(out)
    lo, hi = res["failed_requests_ci"]
    assert lo <= res["failed_requests"] <= hi and len(res["per_replication"]) == 3


def test_cli_rejects_bad_values_with_the_valid_names(run_cli) -> None:
    code, _, err = run_cli("run", "feature-toggle", "--set", "strategy=big-bang")
    assert code == 2 and "strategy" in err and "'toggle'" in err
    code, _, err = run_cli("run", "feature-toggle", "--set", "defect_error_rate=1.5")
    assert code == 2 and "defect_error_rate" in err and "<= 1" in err
    code, _, err = run_cli("run", "feature-toggle", "--set", "change_at_s=5000")
    assert code == 2 and "change_at_s" in err
