"""A/B statistics for two back ends run on common random numbers.

Each replication feeds both arms the same records (the ``"arrivals"`` stream), so the
per-replication difference ``b - a`` cancels the luck of the load and keeps only the
difference of the back ends and their own noise. On those paired differences:

* a t confidence interval (Robinson 2014, paired-t for common random numbers) and its
  two-sided p-value;
* a Wilcoxon signed-rank test (a rank test, no normality assumed); with ``n`` pairs its
  smallest two-sided p-value is ``2 / 2**n``, so fewer than 6 replications can never reach
  0.05 and the report says so;
* a verdict in plain words: an arm wins a question only when the interval excludes zero at
  the chosen confidence (default 0.95, GrowthBook's p-value threshold 0.05); otherwise
  "not enough evidence". An A/A test (the same back end and settings on both sides) then
  names no winner except by the stated false-positive chance.

A sample-ratio style sanity check confirms both arms read identical input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from tipsim.errors import ParameterError

NOT_ENOUGH = "not enough evidence"


def paired_difference(a: Sequence[float], b: Sequence[float],
                      confidence: float = 0.95) -> dict[str, float]:
    """Mean of ``b - a`` over replications with a t interval and p-value.

    Returns
    -------
    dict
        ``mean_a``, ``mean_b``, ``diff`` (b - a), ``relative`` (diff / mean_a),
        ``ci_low``, ``ci_high``, ``p_value``, ``n``.
    """
    xa, xb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if xa.shape != xb.shape or xa.size < 2:
        raise ParameterError("replications", int(xa.size), "at least 2 paired replications")
    if not 0.5 <= confidence < 1:
        raise ParameterError("confidence", confidence, "a number >= 0.5 and < 1")
    d = xb - xa
    n = d.size
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    if sd == 0.0 or not math.isfinite(sd):
        half, p = 0.0, (1.0 if mean == 0.0 else 0.0)
    else:
        se = sd / math.sqrt(n)
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * se
        p = float(2 * stats.t.sf(abs(mean) / se, n - 1))
    mean_a = float(xa.mean())
    return {
        "mean_a": mean_a,
        "mean_b": float(xb.mean()),
        "diff": mean,
        "relative": mean / mean_a if mean_a else float("nan"),
        "ci_low": mean - half,
        "ci_high": mean + half,
        "p_value": p,
        "n": n,
    }


def mean_interval(x: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and t interval of one arm's per-replication values: (mean, low, high)."""
    v = np.asarray(x, dtype=np.float64)
    m = float(v.mean())
    if v.size < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, v.size - 1)) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return m, m - half, m + half


def signed_rank_test(a: Sequence[float], b: Sequence[float]) -> dict[str, float | str]:
    """Wilcoxon signed-rank test on the paired replications (two-sided); ``text`` says the
    result in words, and why it cannot be significant with fewer than 6 pairs."""
    d = np.asarray(b, dtype=np.float64) - np.asarray(a, dtype=np.float64)
    n = int(np.count_nonzero(d))
    floor = 2.0 / 2**n if n else 1.0
    if n == 0:
        return {"statistic": 0.0, "p_value": 1.0, "min_p_value": 1.0,
                "note": "all differences are zero",
                "text": "Wilcoxon signed-rank test: every difference is zero (p = 1)."}
    res = stats.wilcoxon(d[d != 0])
    note = "" if floor < 0.05 else f"with {n} non-zero pairs the smallest possible p is {floor:.3f}"
    p = float(res.pvalue)
    text = f"Wilcoxon signed-rank test: p = {p:.3g} over {n} non-zero pairs"
    text += (f"; with {n} pairs no result can go below p = {floor:.3g}, so it cannot reach "
             "0.05 (6 replications or more can)." if note else ".")
    return {"statistic": float(res.statistic), "p_value": p,
            "min_p_value": floor, "note": note, "text": text}


def objective_note(labels: tuple[str, str], misses: tuple[bool, bool], objective: str) -> str:
    """" Both arms miss the objective (...)." / " B (spark) misses ..." / "" (both meet it)."""
    if all(misses):
        return (f" Both arms miss the objective ({objective}): the winner of this question "
                "is not good enough either.")
    return "".join(f" {name} misses the objective ({objective})."
                   for name, miss in zip(labels, misses, strict=True) if miss)


def verdict(question: str, metric: str, diff: dict[str, float], labels: tuple[str, str],
            unit: str, confidence: float = 0.95, *, misses: tuple[bool, bool] | None = None,
            objective: str = "") -> dict[str, object]:
    """A plain-words answer to one question where lower values of ``metric`` win.

    "Faster" is relative: an arm can be faster and still miss the service level objective
    the test is judged against, so when ``misses`` is given the text says which arms miss
    it (``objective`` describes it, e.g. "99% of records within 30 s"), and
    ``misses_objective`` lists them.

    Parameters
    ----------
    question
        ``"faster"`` or ``"cheaper"``.
    diff
        Output of :func:`paired_difference` (b - a).
    labels
        How to name arms a and b (e.g. ``("A (faas)", "B (spark)")``).
    misses
        Whether arm a and arm b miss the objective.
    """
    missed = [arm for arm, miss in zip(("a", "b"), misses or (False, False), strict=True)
              if miss]
    note = objective_note(labels, misses, objective) if misses else ""
    lo, hi = diff["ci_low"], diff["ci_high"]
    pct = f"{confidence:.0%}"
    span = (f"{metric} {diff['mean_a']:.4g} vs {diff['mean_b']:.4g} {unit}, difference b-a "
            f"{diff['diff']:+.4g} {unit} ({pct} CI {lo:+.4g} to {hi:+.4g}), "
            f"{diff['n']} paired replications")
    word = {"faster": "is faster", "cheaper": "is cheaper"}[question]
    if hi < 0:
        winner, name = "b", labels[1]
    elif lo > 0:
        winner, name = "a", labels[0]
    else:
        return {"answer": NOT_ENOUGH, "winner": None, "confidence": None,
                "p_value": diff["p_value"], "misses_objective": missed,
                "text": f"Not enough evidence that either arm {word}: {span}; the interval "
                        f"includes zero.{note}"}
    return {"answer": winner, "winner": winner, "confidence": confidence,
            "p_value": diff["p_value"], "misses_objective": missed,
            "text": f"{name} {word} with {pct} confidence: {span}.{note}"}


def same_input(fingerprints_a: Sequence[str], fingerprints_b: Sequence[str]) -> bool:
    """True when both arms read identical records in every replication."""
    return list(fingerprints_a) == list(fingerprints_b)
