"""The canary judge as Kayenta documents and implements it: classification, outliers, effect
size, the NoData rule, and the rank-sum test against R's documented figures and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tipsim.analysis.canary_judge import (
    DEFAULT_METRICS,
    JudgeParams,
    MetricSpec,
    classify_metric,
    interval_series,
    judge,
    remove_outliers,
)
from tipsim.analysis.mann_whitney import rank_sum_test
from tipsim.errors import ParameterError

# Hollander & Wolfe (1973), p. 69: the two-sample example of R's ?wilcox.test.
# R reports W = 35, p = 0.1272 (exact, alternative "greater") and p = 0.1103 for the
# large-sample approximation without continuity correction (exact = FALSE, correct = FALSE).
HW_X = np.array([0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46])
HW_Y = np.array([1.15, 0.88, 0.90, 0.74, 1.21])


def _error_series(rng: np.random.Generator, rate: float, intervals: int = 30,
                  requests: int = 400) -> np.ndarray:
    return rng.binomial(requests, rate, size=intervals) / requests


def test_identical_samples_pass_every_metric() -> None:
    """The same series for canary and baseline: every metric passes, score 100."""
    rng = np.random.default_rng(3)
    series = {"error_rate": _error_series(rng, 0.01),
              "latency_p50_s": rng.lognormal(-3, 0.2, 30),
              "latency_p99_s": rng.lognormal(-1.5, 0.3, 30)}
    res = judge(series, dict(series))
    assert res.verdict == "pass"
    assert res.score == 100.0
    assert [m.classification for m in res.metrics] == ["Pass", "Pass", "Pass"]


def test_same_distribution_passes_in_most_replications() -> None:
    """Canary and baseline drawn from one distribution: at confidence 0.98 a metric is
    flagged High in about 1% of windows (one-sided half of alpha); allow up to 5 of 100."""
    highs = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        res = classify_metric(rng.lognormal(-3, 0.3, 30), rng.lognormal(-3, 0.3, 30),
                              MetricSpec(name="latency_p50_s"))
        highs += res.classification == "High"
    assert highs <= 5


@pytest.mark.parametrize("seed", range(5))
def test_doubled_error_rate_is_high_and_fails_the_critical_metric(seed: int) -> None:
    """Error rate 2% vs 1% over 30 intervals of 400 requests: High, score 0, fail."""
    rng = np.random.default_rng(seed)
    canary = {"error_rate": _error_series(rng, 0.02),
              "latency_p50_s": rng.lognormal(-3, 0.2, 30),
              "latency_p99_s": rng.lognormal(-1.5, 0.3, 30)}
    baseline = {"error_rate": _error_series(rng, 0.01),
                "latency_p50_s": rng.lognormal(-3, 0.2, 30),
                "latency_p99_s": rng.lognormal(-1.5, 0.3, 30)}
    res = judge(canary, baseline)
    err = res.metrics[0]
    assert err.name == "error_rate" and err.classification == "High"
    assert res.critical_failed
    assert res.score == 0.0 and res.verdict == "fail"


def test_lower_error_rate_is_not_a_failure_for_an_increase_metric() -> None:
    """Direction matters: a canary with fewer errors is Pass for an 'increase' metric
    and Low for an 'either' metric, which is Kayenta's default direction."""
    rng = np.random.default_rng(11)
    canary, base = _error_series(rng, 0.005), _error_series(rng, 0.03)
    increase = MetricSpec(name="e", direction="increase")
    assert classify_metric(canary, base, increase).classification == "Pass"
    assert MetricSpec(name="e").direction == "either"
    assert classify_metric(canary, base, MetricSpec(name="e")).classification == "Low"
    assert [m.direction for m in DEFAULT_METRICS] == ["increase"] * 3  # the kit's, explicit


def test_rank_sum_test_matches_rs_documented_example() -> None:
    """R's ?wilcox.test example: W = 35; the large-sample approximation without continuity
    correction gives one-sided p = 0.1103, so two-sided 0.2207; the estimate lies inside
    its interval."""
    r = rank_sum_test(HW_X, HW_Y, confidence=0.95, correct=False)
    assert r.statistic == 35.0
    assert r.p_value == pytest.approx(2 * 0.1103, abs=2e-4)
    assert r.ci_low < r.estimate < r.ci_high


def test_statistic_and_p_value_match_scipy_asymptotic_with_ties() -> None:
    """On heavily tied integer data, the statistic and the two-sided p-value equal scipy's
    normal approximation with tie and continuity corrections (R's exact = FALSE,
    correct = TRUE)."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        x = rng.integers(0, 5, 20).astype(float)
        y = rng.integers(1, 6, 25).astype(float)
        ours = rank_sum_test(x, y)
        ref = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
                                 use_continuity=True)
        assert ours.statistic == ref.statistic
        assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9)


@pytest.mark.parametrize("shift", [0.0, 0.05, 0.3, 1.0])
def test_interval_excludes_zero_exactly_when_the_test_rejects(shift: float) -> None:
    """The interval inverts the test: at confidence 0.98 it excludes 0 exactly when
    scipy's asymptotic two-sided p-value (with continuity correction) is below 0.02."""
    rng = np.random.default_rng(42)
    base = rng.normal(1.0, 0.2, 40)
    canary = rng.normal(1.0 + shift, 0.2, 40)
    r = rank_sum_test(canary, base, 0.98)
    p = stats.mannwhitneyu(canary, base, alternative="two-sided", method="asymptotic",
                           use_continuity=True).pvalue
    assert (r.ci_low > 0 or r.ci_high < 0) == (p < 0.02)
    res = classify_metric(canary, base, MetricSpec(name="m"))
    assert res.p_value == pytest.approx(p, rel=1e-9)


def test_effect_band_lets_a_small_shift_pass() -> None:
    """Kayenta's band (+/- fraction x |estimate|): a significant shift passes when the
    interval's lower end is inside the band, and fails once the band is narrowed."""
    rng = np.random.default_rng(5)
    base = rng.normal(1.0, 0.05, 200)
    canary = rng.normal(1.02, 0.05, 200)
    wide = classify_metric(canary, base, MetricSpec(name="m"), JudgeParams(effect_fraction=2.0))
    narrow = classify_metric(canary, base, MetricSpec(name="m"),
                             JudgeParams(effect_fraction=0.0))
    assert wide.ci_low > 0  # significant ...
    assert wide.classification == "Pass"  # ... but inside the allowed band
    assert narrow.classification == "High"


def test_non_critical_failure_gives_partial_score_and_thresholds() -> None:
    """One of three equal-weight metrics High (not critical): score 66.67 (Kayenta rounds
    to 2 decimals), a fail at the default thresholds (pass 95, marginal 75), marginal when
    the marginal bar is 60."""
    rng = np.random.default_rng(8)
    base = {"error_rate": np.zeros(20), "latency_p50_s": rng.normal(0.05, 0.002, 20),
            "latency_p99_s": rng.normal(0.2, 0.01, 20)}
    canary = dict(base, latency_p99_s=base["latency_p99_s"] + 0.2)
    res = judge(canary, base)
    assert res.score == 66.67
    assert not res.critical_failed and res.verdict == "fail"
    res2 = judge(canary, base, DEFAULT_METRICS, JudgeParams(marginal_score=60))
    assert res2.verdict == "marginal"


def test_no_data_for_a_critical_metric_fails() -> None:
    """No canary values at all (NaN everywhere): NoData, and a critical NoData fails."""
    res = judge({"error_rate": np.full(5, np.nan)}, {"error_rate": np.zeros(5)},
                [MetricSpec(name="error_rate", critical=True)])
    assert res.metrics[0].classification == "NoData"
    assert res.verdict == "fail" and res.score == 0.0


def test_one_pass_and_two_no_data_fails_with_score_zero() -> None:
    """Kayenta's WeightedSumScorer: 50 % or more of the metrics NoData fails the run
    (score 0), although the one metric with data passes and none is critical."""
    series = np.full(10, 0.05)
    res = judge({"a": series, "b": np.array([]), "c": np.full(10, np.nan)},
                {"a": series, "b": series, "c": series},
                [MetricSpec(name=n) for n in ("a", "b", "c")])
    assert [m.classification for m in res.metrics] == ["Pass", "NoData", "NoData"]
    assert res.score == 0.0 and res.verdict == "fail" and "no data" in res.reason
    two_of_three = judge({"a": series, "b": series, "c": np.array([])},
                         {"a": series, "b": series, "c": series},
                         [MetricSpec(name=n) for n in ("a", "b", "c")])
    assert two_of_three.score == 100.0  # one NoData in three: left out of the share


def test_an_extreme_canary_outlier_is_kept_unless_removal_is_configured() -> None:
    """Kayenta keeps outliers unless the metric says outliers.strategy: remove. One
    interval of the canary at 50x: kept, it counts (n = 20, mean ratio far above 1);
    with removal configured it is dropped (n = 19, ratio about 1)."""
    rng = np.random.default_rng(4)
    base = rng.normal(1.0, 0.02, 20)
    canary = np.r_[rng.normal(1.0, 0.02, 19), 50.0]
    kept = classify_metric(canary, base, MetricSpec(name="latency_p99_s"))
    removed = classify_metric(canary, base, MetricSpec(name="latency_p99_s",
                                                       remove_outliers=True))
    assert kept.n_canary == 20 and kept.mean_ratio > 2.0
    assert removed.n_canary == 19 and removed.mean_ratio == pytest.approx(1.0, abs=0.05)


def test_effect_size_gate_needs_the_mean_ratio_beyond_the_allowed_change() -> None:
    """A clear 10 % increase is High at Kayenta's default allowedIncrease 1.0, Pass when
    the metric allows 1.2; a clear 10 % decrease is Low unless allowedDecrease is 0.8."""
    rng = np.random.default_rng(6)
    base = rng.normal(1.0, 0.01, 30)
    up, down = rng.normal(1.1, 0.01, 30), rng.normal(0.9, 0.01, 30)
    assert classify_metric(up, base, MetricSpec(name="m")).classification == "High"
    assert classify_metric(up, base, MetricSpec(name="m", allowed_increase=1.2)
                           ).classification == "Pass"
    assert classify_metric(down, base, MetricSpec(name="m")).classification == "Low"
    assert classify_metric(down, base, MetricSpec(name="m", allowed_decrease=0.8)
                           ).classification == "Pass"


def test_outlier_removal_uses_kayenta_fences() -> None:  # when a metric asks for it
    """One wild value among steady ones is removed; a 1%-quantile-wide spread is kept."""
    x = np.r_[np.linspace(1.0, 1.1, 99), 50.0, np.nan]
    kept = remove_outliers(x, 3.0)
    assert 50.0 not in kept and kept.size == 99


def test_bad_thresholds_name_the_field() -> None:
    """A marginal bar above the pass bar is refused with a ParameterError naming it."""
    with pytest.raises(ParameterError, match="marginal_score"):
        JudgeParams.create(pass_score=70, marginal_score=80)
    with pytest.raises(ParameterError, match="confidence"):
        JudgeParams.create(confidence=1.5)


def test_interval_series_counts_errors_and_percentiles_per_interval() -> None:
    """Two 10 s intervals: error rates and latency percentiles computed per interval."""
    t = np.array([0.5, 1.0, 2.0, 9.9, 10.0, 15.0])
    lat = np.array([0.1, 0.2, 0.3, 0.4, 1.0, 1.0])
    ok = np.array([True, False, True, True, False, False])
    s = interval_series(t, lat, ok, 0.0, 30.0, 10.0)
    np.testing.assert_allclose(s["error_rate"][:2], [0.25, 1.0])
    assert np.isnan(s["error_rate"][2])
    assert s["latency_p50_s"][0] == pytest.approx(0.25)
    np.testing.assert_array_equal(s["requests"], [4, 2, 0])
