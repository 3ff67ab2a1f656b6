"""``tipsim run staging-vs-production``: what the issue asks it to show, and the pieces that
make it honest (impact from simulations, staging cost from the price table, pages from the
SRE workbook's alerts)."""

from __future__ import annotations

import json

import pytest

from tipsim.analysis.burn_rate import WORKBOOK_ALERTS, closed_form_fire_s
from tipsim.analysis.cost import HOURS_PER_MONTH, load_prices
from tipsim.errors import ParameterError
from tipsim.scenarios import staging_vs_production as svp
from tipsim.scenarios.staging_vs_production import outcome, runs

FIELDS = ("infra_cost_usd_per_month", "failed_requests_per_month", "affected_users_per_month",
          "error_budget_used_per_month", "pages_per_month", "defects_caught_before_users",
          "defects_escaped", "lead_time_s_per_change")
FAST = {"months": 200}


def _by_approach(out: dict) -> dict[str, dict]:
    assert all(name == row["approach"] for name, row in out["approaches"].items())
    return out["approaches"]


def _within(a: dict, b: dict, name: str) -> bool:
    """The two means lie within each other's 95 % intervals."""
    lo_a, hi_a = a[f"{name}_ci"]
    lo_b, hi_b = b[f"{name}_ci"]
    return lo_a <= b[name] <= hi_a and lo_b <= a[name] <= hi_b


@pytest.fixture(scope="module")
def default() -> dict:
    return svp.run_cli(svp.Params(), seed=1)


def test_the_default_run_returns_six_approaches_with_every_field(default) -> None:
    rows = _by_approach(default)
    assert list(rows) == ["staging", "big-bang", "feature-toggle", "canary", "blue-green",
                          "staging+canary"]
    for row in rows.values():
        for name in FIELDS:
            assert isinstance(row[name], float), (row["approach"], name)
            assert f"{name}_ci" in row
    assert json.loads(json.dumps(default)) == default  # JSON-ready


def test_staging_costs_the_copy_from_the_price_table(default) -> None:
    """Staging = production's instances x size share x 730 h x the instance price, plus the
    copy's load balancer for the month; the production approaches pay only the minutes
    their rollouts add."""
    p, prices = svp.Params(), load_prices()
    expected = (p.instances * p.staging_size_share * HOURS_PER_MONTH
                * prices.usd(f"ec2_{p.instance_type}")
                + HOURS_PER_MONTH * prices.usd("elb_classic_hour"))
    rows = _by_approach(default)
    assert default["staging_cost"]["total_usd"] == pytest.approx(expected)
    assert rows["staging"]["infra_cost_usd_per_month"] == pytest.approx(
        expected + rows["big-bang"]["infra_cost_usd_per_month"])
    assert rows["big-bang"]["infra_cost_usd_per_month"] < 0.1 * expected


def test_without_defects_every_approach_fails_fewer_requests_and_staging_still_costs() -> None:
    """Must-show: defect_rate 0 fails fewer requests than 0.3 for every approach; what
    remains is the baseline error ratio and the rollouts' own failures, named in the output."""
    clean = svp.run_cli(svp.Params.create(defect_rate=0.0, **FAST), seed=1)
    dirty = svp.run_cli(svp.Params.create(defect_rate=0.3, **FAST), seed=1)
    a, b = _by_approach(clean), _by_approach(dirty)
    for name in a:
        assert a[name]["failed_requests_per_month"] < b[name]["failed_requests_per_month"], name
    assert a["staging"]["infra_cost_usd_per_month"] > 0
    remains = clean["without_defects"]
    assert remains["baseline_failed_requests_per_month"] > 0
    assert set(remains["rollout_failed_requests_per_month"]) == set(a)
    for name, row in a.items():
        expected = (remains["baseline_failed_requests_per_month"]
                    + remains["rollout_failed_requests_per_month"][name])
        assert row["failed_requests_per_month"] == pytest.approx(expected, rel=0.02), name


def test_a_staging_that_reproduces_everything_for_a_day_lets_no_defect_escape() -> None:
    """Must-show: fidelity 1 for every kind and a day-long soak: staging's escaped defects
    are 0, and its lead time includes the day."""
    out = svp.run_cli(svp.Params.from_sets(["staging_fidelity=1", "staging_soak_s=86400",
                                            "months=200"]), seed=1)
    staging = _by_approach(out)["staging"]
    assert staging["defects_escaped"] == 0.0
    assert staging["defects_caught_before_users"] > 0
    assert staging["lead_time_s_per_change"] >= 86_400


def test_a_staging_that_reproduces_nothing_fails_what_big_bang_fails_and_costs_more() -> None:
    """Must-show: fidelity 0: every defect goes out big-bang, so staging's failed requests
    match big-bang's within their intervals, while it costs the copy on top."""
    out = svp.run_cli(svp.Params.from_sets(["staging_fidelity=0", "months=200"]), seed=1)
    rows = _by_approach(out)
    staging, big_bang = rows["staging"], rows["big-bang"]
    assert _within(staging, big_bang, "failed_requests_per_month")
    assert staging["defects_caught_before_users"] == 0.0
    assert staging["infra_cost_usd_per_month"] > big_bang["infra_cost_usd_per_month"]


@pytest.mark.parametrize("item, field", [
    ("staging_fidelity.overload=1.5", "staging_fidelity.overload"),
    ("staging_fidelity=-0.1", "staging_fidelity.errors"),
    ("defect_mix.blocked-port=-1", "defect_mix.blocked_port"),
    ("defect_mix=0", "defect_mix"),
    ("staging_soak_s=10", "staging_soak_s"),
    ("defect_rate=2", "defect_rate"),
    ("max_weight_pct=5", "max_weight_pct"),
])
def test_a_bad_value_names_its_field(item, field) -> None:
    with pytest.raises(ParameterError) as err:
        svp.Params.from_sets([item])
    assert err.value.field == field


def test_the_cli_exits_2_naming_a_bad_group_key(run_cli) -> None:
    code, _, err = run_cli("run", "staging-vs-production", "--set",
                           "staging_fidelity.overload=2")
    assert code == 2 and "staging_fidelity.overload" in err and "<= 1" in err


def test_a_big_bang_defect_lasts_until_the_page_plus_the_reaction() -> None:
    """A big-bang release of a closed port fails every request that reaches it; nobody
    undoes it until the burn-rate page fires and a person reacts: the defect's life is the
    page's time (no earlier than the closed form at 100 % errors) plus ``reaction_s``."""
    p = svp.Params()
    run = runs.production(p, "big-bang", "blocked-port", seed=1, replication=0)
    healthy = runs.production(p, "big-bang", "none", seed=1, replication=0)
    o = outcome.measure(run, healthy, slo=p.availability_target,
                        latency_threshold_s=p.latency_threshold_s, reaction_s=p.reaction_s,
                        ticket_reaction_s=p.ticket_reaction_s, users=p.users)
    earliest = closed_form_fire_s(1.0, p.availability_target, WORKBOOK_ALERTS[0])
    assert earliest is not None and o.paged
    assert o.lasted_s >= earliest + p.reaction_s
    assert o.failed > 0.5 * p.rate_per_s * (o.lasted_s - p.reaction_s - 120.0)


def test_a_canary_limits_a_closed_port_to_its_step_and_pages_nobody() -> None:
    """The canary rolls a closed port back within its first steps: fewer failed requests
    than big-bang by far, no page (the hour-long window never reaches 14.4x)."""
    p = svp.Params()
    out = svp.run(p, seed=1).per_kind()
    port = out[out["kind"] == "blocked-port"].set_index("approach")
    assert port.loc["canary", "failed_requests"] < 0.1 * port.loc["big-bang", "failed_requests"]
    assert port.loc["canary", "paged_share"] == 0.0 and port.loc["big-bang", "paged_share"] == 1.0


def test_month_level_changes_reuse_the_cached_simulations() -> None:
    """Changing the month (change and defect rates, fidelity) runs no new simulation."""
    p = svp.Params.create(**FAST)
    svp.run(p, seed=1)
    before = svp.cache_size()
    svp.run(p.replace(defect_rate=0.4, changes_per_month=50,
                      **{"staging_fidelity.latency": 0.1}), seed=1)
    assert svp.cache_size() == before
