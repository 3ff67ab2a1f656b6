"""Scenario 2: canary vs blue/green vs big-bang on the same seed, DNS TTL, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tipsim.scenarios import canary
from tipsim.scenarios.canary import GREEN, Params, compare, run_cli, simulate

SEEDS = (1, 2, 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_blocked_port_canary_rolls_back_at_first_step_with_a_small_blast_radius(seed: int):
    """Blocked green port: the canary never leaves its first (10%) step and rolls back;
    its failed requests are under 5% of big-bang's on the same seed."""
    p = Params(defect="blocked-port")
    runs = {s: simulate(p.replace(strategy=s), seed=seed) for s in ("canary", "big-bang")}
    c = runs["canary"].summary()
    b = runs["big-bang"].summary()
    assert c["decision"] == "rollback"
    assert {s["weight"] for s in c["steps"]} == {p.step_weight_pct}
    assert len(c["steps"]) == p.failed_check_threshold
    assert c["steps"][0]["metrics"]["error_rate"] == "High"
    assert c["failed_requests"] < 0.05 * b["failed_requests"]
    assert c["affected_users"] < b["affected_users"]


@pytest.mark.parametrize("seed", SEEDS)
def test_healthy_green_is_promoted(seed: int) -> None:
    """No defect: every step passes and green is promoted after the last (50%) window."""
    run = simulate(Params(), seed=seed).summary()
    assert run["decision"] == "promote"
    assert [s["weight"] for s in run["steps"]] == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert run["decision_time_s"] == pytest.approx(300.0 + 5 * 120.0)


TTL_EXACT = {"dns_propagation_s": 0.0, "stale_resolver_share": 0.0}


def test_green_share_of_requests_follows_the_weight() -> None:
    """Route 53 weighting: once the TTL has passed within a step (no propagation delay,
    no TTL-extending resolvers), green's share of requests is the step weight
    (client-level split, 500 clients: sd ~2.2%, allow 8%)."""
    p = Params(dns_ttl_s=30.0, **TTL_EXACT)
    run = simulate(p, seed=4)
    r = run.requests
    for step in run.record.steps:
        sel = (r["time_s"] >= step.start_s + p.dns_ttl_s) & (r["time_s"] < step.end_s)
        share = float(np.mean(r["image"][sel] == GREEN))
        assert share == pytest.approx(step.weight_pct / 100.0, abs=0.08)


def test_ttl_300_big_bang_reaches_all_clients_only_after_the_ttl() -> None:
    """Propagation and TTL-extending resolvers at 0 (the TTL-exact switch): TTL 300 s and
    a 0 -> 100% switch at 300 s: no client on green before, most still on blue 10 s
    after, some still on blue 290 s after, all on green from 600 s."""
    p = Params(strategy="big-bang", dns_ttl_s=300.0, **TTL_EXACT)
    run = simulate(p, seed=5)
    g, share = run.dns_grid_s, run.dns_green_share
    assert np.all(share[g < 300.0] == 0.0)
    assert share[g == 310.0][0] < 0.1
    assert share[g == 590.0][0] < 1.0
    assert np.all(share[g >= 600.0] == 1.0)
    # and the requests agree: some go to blue after the switch, none after the TTL
    r = run.requests
    late = r["time_s"] >= 600.0
    assert np.all(r["image"][late] == GREEN)
    assert np.any(r["image"][(r["time_s"] > 300.0) & (r["time_s"] < 590.0)] != GREEN)


def test_with_default_dns_some_clients_still_reach_blue_after_switch_plus_ttl() -> None:
    """With the documented defaults (Route 53 propagation within 60 s, 8.74 % of clients
    behind resolvers holding answers 300 s), a big-bang switch at 300 s with TTL 60 s
    still sends requests to blue after 360 s, and none once 300 + 60 + 300 s passed."""
    run = simulate(Params(strategy="big-bang", dns_ttl_s=60.0), seed=5)
    r = run.requests
    t, blue = r["time_s"], r["image"] != GREEN
    assert np.any(blue & (t >= 360.0))
    assert not np.any(blue & (t >= 660.0))
    g, share = run.dns_grid_s, run.dns_green_share
    assert share[g == 360.0][0] < 1.0 and np.all(share[g >= 660.0] == 1.0)


def test_failed_smoke_test_blocks_the_canary() -> None:
    """The canary is gated first by the smoke test: a failure sends no traffic to green."""
    run = simulate(Params(defect="blocked-port", smoke_test="fail"), seed=1)
    s = run.summary()
    assert s["decision"] == "blocked" and s["green_requests"] == 0
    passed = simulate(Params(defect="none"), seed=1, smoke_passed=False).summary()
    assert passed["decision"] == "blocked"


def test_overload_passes_small_steps_and_health_checks_pull_green_in_big_bang() -> None:
    """Failure under load only: the canary's first step passes (green lightly loaded);
    in a big-bang the green ELB's checks take instances out of service and, with
    evaluate target health, DNS sends clients back to blue, so fewer requests fail than
    without it."""
    p = Params(defect="overload")
    can = simulate(p, seed=1)
    assert can.record.steps[0].verdict == "pass"
    assert can.record.decision == "rollback"
    bb = simulate(p.replace(strategy="big-bang"), seed=1)
    assert len(bb.health["green"].time_s) > 0
    assert False in bb.health["green"].in_service
    bb_no_eth = simulate(p.replace(strategy="big-bang", evaluate_target_health=False), seed=1)
    assert bb.summary()["failed_requests"] < bb_no_eth.summary()["failed_requests"]


def test_strategies_share_the_same_requests_on_one_seed() -> None:
    """Common random numbers: the three strategies see identical arrivals and users."""
    runs = compare(Params(duration_s=600.0), seed=9)
    times = [np.sort(r.requests["time_s"]) for r in runs.values()]
    assert all(np.array_equal(times[0], t) for t in times[1:])


def test_run_cli_json_has_the_contract_fields(run_cli) -> None:
    """`tipsim run canary --json` gives decision, timing, blast radius and steps."""
    code, out, err = run_cli("run", "canary", "--set", "defect=blocked-port",
                             "--set", "dns_ttl_s=60", "--seed", "1", "--json")
    assert code == 0, err
    data = json.loads(out)
    for key in ("decision", "decision_time_s", "failed_requests", "affected_users",
                "error_budget_used", "steps"):
        assert key in data
    assert data["decision"] == "rollback"
    assert set(data["steps"][0]) >= {"weight", "start", "end", "verdict"}


def test_bad_parameter_gives_exit_2_naming_the_field(run_cli) -> None:
    """A wrong strategy or TTL is refused with the field and the allowed values."""
    code, _, err = run_cli("run", "canary", "--set", "strategy=yolo")
    assert code == 2 and "strategy" in err
    code, _, err = run_cli("run", "canary", "--set", "dns_ttl_s=-1")
    assert code == 2 and "dns_ttl_s" in err
    code, _, err = run_cli("run", "canary", "--set", "max_weight_pct=5")
    assert code == 2 and "max_weight_pct" in err


def test_replications_summarise_independent_runs() -> None:
    """--replications adds the spread of failed requests over independent streams."""
    out = run_cli(Params(defect="blocked-port", duration_s=900.0), seed=1, replications=2)
    rs = out["replications_summary"]
    assert rs["replications"] == 2 and rs["decisions"] == ["rollback", "rollback"]
    assert rs["failed_requests_min"] <= rs["failed_requests_mean"] <= rs["failed_requests_max"]


def test_module_exposes_the_scenario_contract() -> None:
    """The registry's `canary` entry provides Params and run_cli."""
    assert canary.Params is Params and callable(canary.run_cli)
