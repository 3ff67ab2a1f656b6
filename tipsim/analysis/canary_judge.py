"""An automated canary judge in the style of Kayenta's NetflixACAJudge.

A canary judge answers one question per observation window: does the canary behave
like the baseline? Like a wine judge who tastes two glasses side by side, it does not
ask whether either is good in absolute terms, only whether the new one is worse.

For each metric (error rate, latency p50, latency p99, ...), the judge compares the
canary's series of per-interval values with the baseline's:

1. NaNs are dropped and outliers removed with Kayenta's interquartile-range detector
   (factor 3.0, "reduced sensitivity": the fences are widened to the 1st/99th
   percentiles when those are further out).
2. A Mann-Whitney U test (Wilcoxon rank-sum) gives the Hodges-Lehmann estimate of the
   shift (canary minus baseline) and its confidence interval at ``confidence``
   (Kayenta uses 0.98).
3. The allowed effect band is ``+/- effect_fraction * |estimate|`` (Kayenta: 0.25).
   The metric is **High** when the whole interval lies above the band, **Low** when
   below, **Pass** otherwise, **NoData** when either side has no values; a metric's
   ``direction`` says which of High/Low count as failures.
4. The score is the weighted share of passing metrics (0-100); a failing critical
   metric forces the score to 0. Score >= ``pass_score`` is a pass, >=
   ``marginal_score`` marginal, else fail (Kayenta's examples use 95 / 75).

Sources: spinnaker/kayenta ``NetflixACAJudge.scala``, ``MannWhitneyClassifier.scala``,
``IQRDetector.scala``, ``WeightedSumScorer.scala`` (summarised in shared FACTS.md,
"Canary analysis and progressive delivery"). Simplifications: one metric group
(weights per metric instead of group weights); the confidence interval uses the
normal approximation for the order statistic of pairwise differences (Lehmann 1975),
where R's ``wilcox.test`` (which Kayenta calls) uses the exact distribution for small
samples.

Everything here is a pure function over numpy arrays.

Example
-------
>>> import numpy as np
>>> base = np.full(20, 0.01)
>>> res = judge({"error_rate": base}, {"error_rate": base},
...             [MetricSpec("error_rate", critical=True)])
>>> res.verdict, res.score
('pass', 100.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from pydantic import model_validator
from scipy import stats

from tipsim.params import Params, param

Direction = Literal["increase", "decrease", "either"]
Classification = Literal["Pass", "High", "Low", "NoData"]
Verdict = Literal["pass", "marginal", "fail"]


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
    outlier_iqr_factor: float = param(3.0, gt=0.0, le=100.0,
                                      description="IQR fence factor for outlier removal")

    @model_validator(mode="after")
    def _marginal_below_pass(self) -> JudgeParams:
        if self.marginal_score > self.pass_score:
            raise ValueError("marginal_score: a number <= pass_score")
        return self


@dataclass(frozen=True)
class MetricSpec:
    """One metric the judge compares.

    Parameters
    ----------
    name
        Key of the metric in the canary and baseline mappings.
    direction
        ``"increase"``: only High fails (error rate, latency); ``"decrease"``: only Low
        fails (throughput); ``"either"``: both fail.
    critical
        A failing critical metric fails the whole run (score 0).
    weight
        Relative weight in the score.
    """

    name: str
    direction: Direction = "increase"
    critical: bool = False
    weight: float = 1.0


DEFAULT_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("error_rate", "increase", critical=True),
    MetricSpec("latency_p50_s", "increase"),
    MetricSpec("latency_p99_s", "increase"),
)


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

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {k: (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class JudgeResult:
    """The judge's verdict for one window."""

    score: float
    verdict: Verdict
    critical_failed: bool
    metrics: tuple[MetricResult, ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"score": self.score, "verdict": self.verdict,
                "critical_failed": self.critical_failed,
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


def hodges_lehmann(canary: np.ndarray, baseline: np.ndarray,
                   confidence: float = 0.98) -> tuple[float, float, float]:
    """Hodges-Lehmann shift estimate (canary - baseline) and its confidence interval.

    The estimate is the median of all pairwise differences; the interval takes the
    ``C``-th smallest and largest differences, ``C = floor(N/2 - z*sqrt(mn(m+n+1)/12))``
    (normal approximation to the U distribution), which inverts the two-sided
    Mann-Whitney test at level ``1 - confidence``.

    Returns
    -------
    (estimate, ci_low, ci_high)
    """
    x = np.asarray(canary, dtype=float)
    y = np.asarray(baseline, dtype=float)
    m, n = x.size, y.size
    diffs = np.sort((x[:, None] - y[None, :]).ravel())
    total = diffs.size
    estimate = float(np.median(diffs))
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    c = math.floor(total / 2.0 - z * math.sqrt(m * n * (m + n + 1) / 12.0))
    c = min(max(c, 1), total)  # 1-based rank of the lower bound
    return estimate, float(diffs[c - 1]), float(diffs[total - c])


def classify_metric(canary: np.ndarray, baseline: np.ndarray, spec: MetricSpec,
                    params: JudgeParams | None = None) -> MetricResult:
    """Classify one metric as Pass, High, Low or NoData (Kayenta's MannWhitneyClassifier)."""
    p = params or JudgeParams()
    x = remove_outliers(canary, p.outlier_iqr_factor)
    y = remove_outliers(baseline, p.outlier_iqr_factor)
    nan = float("nan")
    if x.size == 0 or y.size == 0:
        return MetricResult(spec.name, "NoData", spec.critical, spec.critical, int(x.size),
                            int(y.size), nan, nan, nan, nan, nan, nan, nan)
    cmed, bmed = float(np.median(x)), float(np.median(y))
    if x.size == y.size and np.array_equal(np.sort(x), np.sort(y)):
        return MetricResult(spec.name, "Pass", False, spec.critical, int(x.size), int(y.size),
                            cmed, bmed, 0.0, 0.0, 0.0, 0.0, 1.0)
    est, lo, hi = hodges_lehmann(x, y, p.confidence)
    band = p.effect_fraction * abs(est)
    p_value = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
    label: Classification = "Pass"
    if spec.direction in ("increase", "either") and lo > band:
        label = "High"
    elif spec.direction in ("decrease", "either") and hi < -band:
        label = "Low"
    failed = label != "Pass"
    return MetricResult(spec.name, label, failed, spec.critical, int(x.size), int(y.size),
                        cmed, bmed, est, lo, hi, band, p_value)


def score(results: Sequence[MetricResult]) -> tuple[float, bool]:
    """Weighted share of passing metrics (0-100), and whether a critical metric failed.

    NoData metrics are left out of the share (as in Kayenta's WeightedSumScorer); a
    failing or NoData critical metric forces the score to 0.
    """
    critical_failed = any(r.critical and r.classification != "Pass" for r in results)
    weights = {r.name: 1.0 for r in results}
    return _score(results, weights, critical_failed)


def _score(results: Sequence[MetricResult], weights: Mapping[str, float],
           critical_failed: bool) -> tuple[float, bool]:
    counted = [r for r in results if r.classification != "NoData"]
    total = sum(weights[r.name] for r in counted)
    if critical_failed or total == 0:
        return 0.0, critical_failed
    passed = sum(weights[r.name] for r in counted if not r.failed)
    return 100.0 * passed / total, critical_failed


def judge(canary: Mapping[str, np.ndarray], baseline: Mapping[str, np.ndarray],
          metrics: Sequence[MetricSpec] = DEFAULT_METRICS,
          params: JudgeParams | None = None) -> JudgeResult:
    """Judge a canary against its baseline over one window.

    Parameters
    ----------
    canary, baseline
        Per-interval series for each metric name (NaN where an interval had no data).
    metrics
        What to compare and how.
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
    value, _ = _score(results, {s.name: s.weight for s in metrics}, critical_failed)
    verdict: Verdict = ("pass" if value >= p.pass_score
                        else "marginal" if value >= p.marginal_score else "fail")
    return JudgeResult(round(value, 6), verdict, critical_failed, results)


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
