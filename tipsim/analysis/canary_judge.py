"""An automated canary judge as Kayenta's NetflixACAJudge does it.

A canary judge answers one question per observation window: does the canary behave
like the baseline? Like a wine judge who tastes two glasses side by side, it does not
ask whether either is good in absolute terms, only whether the new one differs.

For each metric (error rate, latency p50, latency p99, ...), the judge compares the
canary's series of per-interval values with the baseline's:

1. NaNs are dropped. Outliers are **kept** unless the metric's configuration says
   ``remove_outliers`` (Kayenta's ``outliers.strategy: remove``); then Kayenta's
   interquartile-range detector drops them (factor ``outlier_factor``, 3.0 by default,
   "reduced sensitivity": the fences are widened to the 1st/99th percentiles when those
   are further out).
2. Either side empty: **NoData**. Identical data, or a single value on both sides:
   **Pass**.
3. The two-sided rank-sum test (:mod:`tipsim.analysis.mann_whitney`, Kayenta's port of
   R's normal approximation with continuity and tie corrections) gives the shift
   (canary minus baseline), its estimate and its interval at ``confidence`` (0.98).
4. The tolerance band is ``+/- effect_fraction * |estimate|`` (0.25). The metric is
   **High** when the whole interval lies above the band *and* the mean ratio
   (canary / baseline; 1 when the baseline's mean is 0) is at least
   ``allowed_increase``; **Low** when the whole interval lies below the band and the
   ratio is at most ``allowed_decrease`` (both 1.0 by default); a metric's ``direction``
   (Kayenta's default ``"either"``) says which of High and Low it can be.
5. The score is the weighted share of Pass among Pass/High/Low metrics (NoData left
   out), rounded to 2 decimals. It is **0** when a critical metric is not Pass (NoData
   included) or when 50 % or more of the metrics are NoData. Score >= ``pass_score`` is
   a pass, >= ``marginal_score`` marginal, else fail (Kayenta's examples: 95 / 75).

Sources: spinnaker/kayenta ``NetflixACAJudge.scala``, ``MannWhitneyClassifier.scala``
(effect-size thresholds, the control-mean-0 ratio), ``IQRDetector.scala``,
``WeightedSumScorer.scala`` (``criticalFailures``, ``tooManyNodata`` at 50 %), and the
Spinnaker docs, "How canary judgment works" (outlier strategy, effect size, the 50 %
NODATA rule). Simplification: one metric group, with weights per metric instead of
group weights; no ``criticalIncrease``/``criticalDecrease`` (a failing critical metric
always fails the run, as with Kayenta's default thresholds of 1.0).

The kit's three metrics say their direction explicitly (:data:`DEFAULT_METRICS`: more
errors or more latency is bad, less is not).

Example
-------
>>> import numpy as np
>>> base = np.full(20, 0.01)
>>> res = judge({"error_rate": base}, {"error_rate": base},
...             [MetricSpec(name="error_rate", critical=True)])
>>> res.verdict, res.score
('pass', 100.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Self

import numpy as np
from pydantic import model_validator

from tipsim.analysis.mann_whitney import rank_sum_test
from tipsim.param_rules import ordered
from tipsim.params import Params, param

Direction = Literal["increase", "decrease", "either"]
Classification = Literal["Pass", "High", "Low", "NoData"]
Verdict = Literal["pass", "marginal", "fail"]
NODATA_FAIL_SHARE = 0.5
"""Kayenta's NODATA threshold: a run with this share of NoData metrics or more fails."""


class JudgeParams(Params):
    """Thresholds of the canary judge (Kayenta defaults)."""

    confidence: float = param(0.98, ge=0.5, le=0.999, step=0.005, slider=(0.8, 0.999),
                              label="judge confidence",
                              description="judge's confidence level (Mann-Whitney interval)")
    effect_fraction: float = param(0.25, ge=0.0, le=10.0,
                                   description="judge's allowed band, as a fraction of "
                                               "|shift estimate|")
    pass_score: float = param(95.0, ge=0.0, le=100.0, step=5.0,
                              description="judge: score needed to pass")
    marginal_score: float = param(75.0, ge=0.0, le=100.0, step=5.0,
                                  description="judge: score below which the run fails")

    @model_validator(mode="after")
    def _marginal_below_pass(self) -> Self:
        return ordered(self, "marginal_score", "<=", "pass_score")


class MetricSpec(Params):
    """One metric the judge compares, configured as a Kayenta canary config's metric."""

    name: str = param(description="key of the metric in the canary and baseline series")
    direction: Direction = param("either", description="which change fails: 'increase' "
                                 "(only High), 'decrease' (only Low) or 'either'")
    critical: bool = param(False, description="a critical metric that is not Pass fails "
                                              "the run (score 0)")
    weight: float = param(1.0, gt=0.0, le=100.0, description="relative weight in the score")
    remove_outliers: bool = param(False, description="drop values outside the IQR fences "
                                                     "(Kayenta's outliers.strategy: remove)")
    outlier_factor: float = param(3.0, gt=0.0, le=100.0,
                                  description="IQR fence factor when outliers are removed")
    allowed_increase: float = param(1.0, gt=0.0, le=100.0,
                                    description="High only when canary/baseline mean "
                                                "ratio >= this")
    allowed_decrease: float = param(1.0, gt=0.0, le=100.0,
                                    description="Low only when canary/baseline mean "
                                                "ratio <= this")


DEFAULT_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(name="error_rate", direction="increase", critical=True),
    MetricSpec(name="latency_p50_s", direction="increase"),
    MetricSpec(name="latency_p99_s", direction="increase"),
)
"""The kit's metrics: more errors (critical) or more latency fails; less does not."""


@dataclass(frozen=True)
class MetricResult:
    """The judge's finding for one metric (shift = canary minus baseline)."""

    name: str
    classification: Classification
    failed: bool
    critical: bool
    n_canary: int
    n_baseline: int
    canary_median: float
    baseline_median: float
    shift_estimate: float
    ci_low: float
    ci_high: float
    band: float
    p_value: float
    mean_ratio: float

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class JudgeResult:
    """The judge's verdict for one window, and why a run was failed outright."""

    score: float
    verdict: Verdict
    critical_failed: bool
    metrics: tuple[MetricResult, ...]
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"score": self.score, "verdict": self.verdict,
                "critical_failed": self.critical_failed, "reason": self.reason,
                "metrics": [m.as_dict() for m in self.metrics]}


def remove_outliers(values: np.ndarray, factor: float = 3.0) -> np.ndarray:
    """Drop NaNs, then values outside Kayenta's reduced-sensitivity IQR fences.

    The fences are ``min(p1, q1 - factor*IQR)`` and ``max(p99, q3 + factor*IQR)``.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 4:
        return x
    p1, q1, q3, p99 = np.percentile(x, [1, 25, 75, 99])
    iqr = q3 - q1
    lo = min(p1, q1 - factor * iqr)
    hi = max(p99, q3 + factor * iqr)
    return x[(x >= lo) & (x <= hi)]


def _prepare(values: np.ndarray, spec: MetricSpec) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return remove_outliers(x, spec.outlier_factor) if spec.remove_outliers else x


def classify_metric(canary: np.ndarray, baseline: np.ndarray, spec: MetricSpec,
                    params: JudgeParams | None = None) -> MetricResult:
    """Classify one metric as Pass, High, Low or NoData (Kayenta's MannWhitneyClassifier)."""
    p = params or JudgeParams()
    x, y = _prepare(canary, spec), _prepare(baseline, spec)
    nan = float("nan")
    if x.size == 0 or y.size == 0:
        return MetricResult(spec.name, "NoData", spec.critical, spec.critical, int(x.size),
                            int(y.size), nan, nan, nan, nan, nan, nan, nan, nan)
    cmed, bmed = float(np.median(x)), float(np.median(y))
    if np.array_equal(np.sort(x), np.sort(y)) or np.unique(np.r_[x, y]).size == 1:
        return MetricResult(spec.name, "Pass", False, spec.critical, int(x.size), int(y.size),
                            cmed, bmed, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0)
    test = rank_sum_test(x, y, p.confidence)
    base_mean = float(y.mean())
    ratio = 1.0 if base_mean == 0.0 else float(x.mean()) / base_mean
    band = p.effect_fraction * abs(test.estimate)
    label: Classification = "Pass"
    if (spec.direction in ("increase", "either") and test.ci_low > band
            and ratio >= spec.allowed_increase):
        label = "High"
    elif (spec.direction in ("decrease", "either") and test.ci_high < -band
          and ratio <= spec.allowed_decrease):
        label = "Low"
    failed = label != "Pass"
    return MetricResult(spec.name, label, failed, spec.critical, int(x.size), int(y.size),
                        cmed, bmed, test.estimate, test.ci_low, test.ci_high, band,
                        test.p_value, ratio)


def _score(results: Sequence[MetricResult], weights: Mapping[str, float]) -> tuple[float, str]:
    """Kayenta's WeightedSumScorer for one group: (score, why it was forced to 0)."""
    critical = [r.name for r in results if r.critical and r.classification != "Pass"]
    if critical:
        return 0.0, f"critical metric {critical[0]} was not Pass"
    nodata = sum(r.classification == "NoData" for r in results)
    if results and nodata / len(results) >= NODATA_FAIL_SHARE:
        return 0.0, f"{nodata} of {len(results)} metrics had no data (50% or more)"
    counted = [r for r in results if r.classification != "NoData"]
    total = sum(weights[r.name] for r in counted)
    if total == 0:
        return 100.0, ""
    passed = sum(weights[r.name] for r in counted if not r.failed)
    return round(100.0 * passed / total, 2), ""


def judge(canary: Mapping[str, np.ndarray], baseline: Mapping[str, np.ndarray],
          metrics: Sequence[MetricSpec] = DEFAULT_METRICS,
          params: JudgeParams | None = None) -> JudgeResult:
    """Judge a canary against its baseline over one window.

    Parameters
    ----------
    canary, baseline
        Per-interval series for each metric name (NaN where an interval had no data).
    metrics
        What to compare and how (direction, criticality, outliers, effect size).
    params
        Confidence, effect band and score thresholds.
    """
    p = params or JudgeParams()
    results = tuple(
        classify_metric(np.asarray(canary.get(s.name, [])), np.asarray(baseline.get(s.name, [])),
                        s, p)
        for s in metrics
    )
    critical_failed = any(r.critical and r.classification != "Pass" for r in results)
    value, reason = _score(results, {s.name: s.weight for s in metrics})
    verdict: Verdict = ("pass" if value >= p.pass_score
                        else "marginal" if value >= p.marginal_score else "fail")
    return JudgeResult(value, verdict, critical_failed, results, reason)


def interval_series(time_s: np.ndarray, latency_s: np.ndarray, ok: np.ndarray,
                    start_s: float, end_s: float, interval_s: float) -> dict[str, np.ndarray]:
    """Per-interval metrics of one side over ``[start_s, end_s)``: the judge's input.

    Returns ``error_rate``, ``latency_p50_s``, ``latency_p99_s`` and ``requests``, one
    value per interval of ``interval_s`` (NaN where an interval saw no request).
    Latency counts every request, failed ones at the time the client gave up.
    """
    edges = np.arange(start_s, end_s + 1e-9, interval_s)
    if edges[-1] < end_s - 1e-9:
        edges = np.append(edges, end_s)
    t = np.asarray(time_s)
    sel = (t >= start_s) & (t < end_s)
    t, lat, good = t[sel], np.asarray(latency_s)[sel], np.asarray(ok)[sel]
    k = len(edges) - 1
    idx = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, k - 1)
    counts = np.bincount(idx, minlength=k).astype(float)
    fails = np.bincount(idx, weights=~good, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.where(counts > 0, fails / counts, np.nan)
    p50 = np.full(k, np.nan)
    p99 = np.full(k, np.nan)
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(k + 1))
    lat_sorted = lat[order]
    for i in range(k):
        chunk = lat_sorted[bounds[i]:bounds[i + 1]]
        if chunk.size:
            p50[i], p99[i] = np.percentile(chunk, [50, 99])
    return {"error_rate": err, "latency_p50_s": p50, "latency_p99_s": p99,
            "requests": counts}
