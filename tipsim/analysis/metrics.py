"""Request metrics: latency percentiles, success rate per time window, replication intervals.

Pure functions over the per-request arrays of a :class:`~tipsim.sim.recorder.RequestLog`
(``time_s``, ``ok``, ``latency_s``, ...). Latency percentiles are over *successful*
requests (a refused connection's latency of 0 s would flatter the figure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from tipsim.errors import ParameterError


def mean_ci(values: Sequence[float] | np.ndarray, confidence: float = 0.95
            ) -> tuple[float, float]:
    """Mean of replication results and the half-width of its Student-t interval.

    Examples
    --------
    >>> m, h = mean_ci([1.0, 2.0, 3.0])
    >>> m, round(h, 3)
    (2.0, 2.484)
    """
    arr = np.asarray(values, dtype=float)
    n = arr.size
    if n == 0:
        raise ParameterError("replications", n, "at least 1")
    mean = float(arr.mean())
    if n == 1:
        return mean, math.inf
    half = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * float(arr.std(ddof=1)) / math.sqrt(n)
    return mean, half


def proportion_ci(successes: int, trials: int, confidence: float = 0.95
                  ) -> tuple[float, float, float]:
    """Share of successes and its exact (Clopper-Pearson) binomial interval.

    The interval is :meth:`scipy.stats.binomtest(...).proportion_ci(method="exact")`:
    it covers the true probability in at least ``confidence`` of repeated experiments,
    also for few trials and shares of 0 or 1 (where a normal approximation fails).

    Examples
    --------
    >>> p, lo, hi = proportion_ci(8, 8)
    >>> p, round(lo, 3), hi
    (1.0, 0.631, 1.0)
    """
    if not isinstance(trials, int | np.integer) or trials < 1:
        raise ParameterError("trials", trials, "a whole number >= 1")
    if not 0 <= successes <= trials:
        raise ParameterError("successes", successes, f"a whole number from 0 to {trials}")
    ci = stats.binomtest(int(successes), int(trials)).proportion_ci(confidence_level=confidence,
                                                                    method="exact")
    return successes / trials, float(ci.low), float(ci.high)


def latency_percentiles(latency_s: np.ndarray, ok: np.ndarray | None = None,
                        qs: Sequence[float] = (50, 95, 99)) -> dict[str, float]:
    """``{"p50_s": ..., "p95_s": ..., "p99_s": ...}`` of successful requests (NaN if none).

    Examples
    --------
    >>> latency_percentiles(np.array([0.1, 0.2, 0.3]), qs=(50,))
    {'p50_s': 0.2}
    """
    lat = np.asarray(latency_s, dtype=float)
    if ok is not None:
        lat = lat[np.asarray(ok, dtype=bool)]
    if lat.size == 0:
        return {f"p{q:g}_s": math.nan for q in qs}
    values = np.percentile(lat, list(qs))
    return {f"p{q:g}_s": float(v) for q, v in zip(qs, values, strict=True)}


def window_index(time_s: np.ndarray, start_s: float, window_s: float) -> np.ndarray:
    """Index of the window ``[start + k w, start + (k+1) w)`` holding each time."""
    if not window_s > 0:
        raise ParameterError("window_s", window_s, "a number > 0")
    return np.floor((np.asarray(time_s, dtype=float) - start_s) / window_s).astype(np.int64)


def windowed(time_s: np.ndarray, ok: np.ndarray, latency_s: np.ndarray, *, window_s: float,
             start_s: float, end_s: float, group: np.ndarray | None = None,
             q: float = 95.0) -> dict[str, np.ndarray]:
    """Per window (and per group, e.g. image): requests, success rate, median and
    ``q``-th percentile latency of successful requests.

    Returns columns ``window_start_s``, ``group``, ``requests``, ``failed``,
    ``success_rate``, ``p50_latency_s``, ``pq_latency_s``; only (window, group) cells
    with at least one request appear. Times outside ``[start_s, end_s)`` are dropped.
    """
    t = np.asarray(time_s, dtype=float)
    keep = (t >= start_s) & (t < end_s)
    t = t[keep]
    okk = np.asarray(ok, dtype=bool)[keep]
    lat = np.asarray(latency_s, dtype=float)[keep]
    g = np.zeros(t.size, dtype=np.int64) if group is None else np.asarray(group)[keep].astype(
        np.int64)
    w = window_index(t, start_s, window_s)
    cells, inverse, counts = np.unique(np.stack([w, g]), axis=1, return_inverse=True,
                                       return_counts=True)
    inverse = inverse.ravel()
    failed = np.bincount(inverse, weights=~okk, minlength=cells.shape[1])
    p50 = np.full(cells.shape[1], np.nan)
    pq = np.full(cells.shape[1], np.nan)
    # percentiles of successful requests: sort by (cell, latency), read each segment
    lat_ok = lat[okk]
    cell_ok = inverse[okk]
    order = np.lexsort((lat_ok, cell_ok))
    lat_sorted = lat_ok[order]
    n_ok = np.bincount(cell_ok, minlength=cells.shape[1])
    starts = np.concatenate([[0], np.cumsum(n_ok)[:-1]])
    for i in np.flatnonzero(n_ok):
        seg = lat_sorted[starts[i]:starts[i] + n_ok[i]]
        p50[i], pq[i] = np.percentile(seg, [50.0, q])
    return {
        "window_start_s": start_s + cells[0] * window_s,
        "group": cells[1],
        "requests": counts,
        "failed": failed.astype(np.int64),
        "success_rate": 1.0 - failed / counts,
        "p50_latency_s": p50,
        "pq_latency_s": pq,
    }
