"""The Kayenta-style canary judge: classification, score, and agreement with Mann-Whitney theory."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tipsim.analysis.canary_judge import (
    DEFAULT_METRICS,
    JudgeParams,
    MetricSpec,
    classify_metric,
    hodges_lehmann,
    interval_series,
    judge,
    remove_outliers,
)
from tipsim.errors import ParameterError

# Hollander & Wolfe (1973), p. 69: the two-sample example of R's ?wilcox.test.
# R reports W = 35, p = 0.1272 (exact, alternative "greater").
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
                              MetricSpec("latency_p50_s"))
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
    and Low for an 'either' metric."""
    rng = np.random.default_rng(11)
    canary, base = _error_series(rng, 0.005), _error_series(rng, 0.03)
    assert classify_metric(canary, base, MetricSpec("e", "increase")).classification == "Pass"
    assert classify_metric(canary, base, MetricSpec("e", "either")).classification == "Low"


def test_mann_whitney_u_matches_published_example_and_scipy_decision() -> None:
    """On Hollander & Wolfe's example the shift interval, read as a two-sided test at
    level 1 - confidence, takes the same decision as scipy's Mann-Whitney p-value, and
    the Hodges-Lehmann estimate is the median of pairwise differences."""
    u = stats.mannwhitneyu(HW_X, HW_Y, alternative="greater")
    assert u.statistic == 35.0
    assert u.pvalue == pytest.approx(0.1272, abs=5e-5)  # R's printed value
    est, lo, hi = hodges_lehmann(HW_X, HW_Y, confidence=0.95)
    assert est == pytest.approx(np.median(np.subtract.outer(HW_X, HW_Y)))
    p_two = stats.mannwhitneyu(HW_X, HW_Y, alternative="two-sided").pvalue
    assert (lo > 0 or hi < 0) == (p_two < 0.05)
    assert lo < est < hi


@pytest.mark.parametrize("shift", [0.0, 0.05, 0.3, 1.0])
def test_interval_decision_agrees_with_scipy_on_shifted_samples(shift: float) -> None:
    """For clearly separated and clearly equal cases, 'interval excludes 0' equals
    scipy's asymptotic two-sided p < 0.02 (the judge's default confidence 0.98)."""
    rng = np.random.default_rng(42)
    base = rng.normal(1.0, 0.2, 40)
    canary = rng.normal(1.0 + shift, 0.2, 40)
    _, lo, hi = hodges_lehmann(canary, base, 0.98)
    p = stats.mannwhitneyu(canary, base, alternative="two-sided",
                           method="asymptotic").pvalue
    assert (lo > 0 or hi < 0) == (p < 0.02)
    res = classify_metric(canary, base, MetricSpec("m", "either"))
    assert res.p_value == pytest.approx(stats.mannwhitneyu(canary, base).pvalue)


def test_effect_band_lets_a_small_shift_pass() -> None:
    """Kayenta's band (+/- fraction x |estimate|): a significant shift passes when the
    interval's lower end is inside the band, and fails once the band is narrowed."""
    rng = np.random.default_rng(5)
    base = rng.normal(1.0, 0.05, 200)
    canary = rng.normal(1.02, 0.05, 200)
    wide = classify_metric(canary, base, MetricSpec("m"), JudgeParams(effect_fraction=2.0))
    narrow = classify_metric(canary, base, MetricSpec("m"), JudgeParams(effect_fraction=0.0))
    assert wide.ci_low > 0  # significant ...
    assert wide.classification == "Pass"  # ... but inside the allowed band
    assert narrow.classification == "High"


def test_non_critical_failure_gives_partial_score_and_thresholds() -> None:
    """One of three equal-weight metrics High (not critical): score 66.7, a fail at the
    default thresholds (pass 95, marginal 75), marginal when the marginal bar is 60."""
    rng = np.random.default_rng(8)
    base = {"error_rate": np.zeros(20), "latency_p50_s": rng.normal(0.05, 0.002, 20),
            "latency_p99_s": rng.normal(0.2, 0.01, 20)}
    canary = dict(base, latency_p99_s=base["latency_p99_s"] + 0.2)
    res = judge(canary, base)
    assert res.score == pytest.approx(200 / 3, abs=1e-4)
    assert not res.critical_failed and res.verdict == "fail"
    res2 = judge(canary, base, DEFAULT_METRICS, JudgeParams(marginal_score=60))
    assert res2.verdict == "marginal"


def test_no_data_for_a_critical_metric_fails() -> None:
    """No canary values at all (NaN everywhere): NoData, and a critical NoData fails."""
    res = judge({"error_rate": np.full(5, np.nan)}, {"error_rate": np.zeros(5)},
                [MetricSpec("error_rate", critical=True)])
    assert res.metrics[0].classification == "NoData"
    assert res.verdict == "fail"


def test_outlier_removal_uses_kayenta_fences() -> None:
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
