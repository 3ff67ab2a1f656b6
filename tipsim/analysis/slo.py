"""Service level objectives: which windows breach them, and how much error budget is used.

A request is *good* when it succeeds within ``latency_threshold_s``. A time window
breaches the SLO when its success rate is below ``availability_target`` or when the share
of its successful requests that are fast enough is below ``latency_target``. The
defaults follow Flagger's canary checks (request success rate >= 99 %, request duration
<= 500 ms, per 1-minute interval; Flagger docs, "Canary analysis").

The error budget is the number of bad requests the availability target allows over
``budget_period_s`` (30 days by default) at the observed request rate; the *burn rate*
of a window is its bad share divided by the allowed share ``1 - availability_target``
(a burn rate of 1 spends the budget exactly over the period).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from tipsim.analysis.metrics import window_index
from tipsim.params import Params

SECONDS_PER_30_DAYS = 30 * 86_400.0


class SLO(Params):
    """Availability and latency objectives, judged per window."""

    availability_target: float = Field(0.99, ge=0.5, lt=1.0,
                                       description="share of requests that must succeed")
    latency_threshold_s: float = Field(0.5, gt=0.0, le=60.0,
                                       description="a successful request slower than this is bad")
    latency_target: float = Field(0.99, ge=0.5, le=1.0,
                                  description="share of successful requests under the threshold")
    window_s: float = Field(60.0, ge=1.0, le=3600.0, description="length of a judged window")
    budget_period_s: float = Field(SECONDS_PER_30_DAYS, ge=3600.0, le=366 * 86_400.0,
                                   description="period the error budget covers")


def good_mask(ok: np.ndarray, latency_s: np.ndarray, slo: SLO) -> np.ndarray:
    """True for requests that succeeded within the latency threshold."""
    return np.asarray(ok, dtype=bool) & (np.asarray(latency_s) <= slo.latency_threshold_s)


def window_compliance(time_s: np.ndarray, ok: np.ndarray, latency_s: np.ndarray, slo: SLO, *,
                      start_s: float, end_s: float) -> dict[str, np.ndarray]:
    """Per window of ``slo.window_s`` from ``start_s`` to ``end_s``: requests, success
    rate, fast share, burn rate and whether the SLO is breached.

    Windows with no request are reported with NaN rates and not breached.

    Examples
    --------
    >>> t = np.array([1.0, 2.0, 61.0, 62.0])
    >>> ok = np.array([True, True, False, True])
    >>> w = window_compliance(t, ok, np.full(4, 0.1), SLO(), start_s=0, end_s=120)
    >>> w["breached"].tolist()
    [False, True]
    """
    t = np.asarray(time_s, dtype=float)
    keep = (t >= start_s) & (t < end_s)
    n_windows = max(1, int(np.ceil((end_s - start_s) / slo.window_s)))
    idx = window_index(t[keep], start_s, slo.window_s)
    okk = np.asarray(ok, dtype=bool)[keep]
    fast = np.asarray(latency_s)[keep] <= slo.latency_threshold_s
    requests = np.bincount(idx, minlength=n_windows)[:n_windows]
    succeeded = np.bincount(idx, weights=okk, minlength=n_windows)[:n_windows]
    fast_ok = np.bincount(idx, weights=okk & fast, minlength=n_windows)[:n_windows]
    with np.errstate(invalid="ignore", divide="ignore"):
        success_rate = succeeded / requests
        fast_share = fast_ok / succeeded
        bad_share = 1.0 - fast_ok / requests
    breached = (requests > 0) & (
        (success_rate < slo.availability_target)
        | ((succeeded > 0) & (fast_share < slo.latency_target)))
    return {
        "window_start_s": start_s + np.arange(n_windows) * slo.window_s,
        "requests": requests,
        "success_rate": success_rate,
        "fast_share": fast_share,
        "burn_rate": bad_share / (1.0 - slo.availability_target),
        "breached": breached,
    }


def error_budget_used(bad_requests: int, requests: int, measured_s: float, slo: SLO) -> float:
    """Share of the period's error budget spent by ``bad_requests`` (1.0 = all of it).

    The budget is ``(1 - availability_target) * rate * budget_period_s`` with the rate
    observed over ``measured_s``.

    Examples
    --------
    >>> # a whole minute of failures at 10 req/s, against 99 % over 30 days
    >>> round(error_budget_used(600, 600, 60.0, SLO()), 6)
    0.002315
    """
    if requests <= 0 or measured_s <= 0:
        return 0.0
    rate_per_s = requests / measured_s
    budget = (1.0 - slo.availability_target) * rate_per_s * slo.budget_period_s
    return float(bad_requests / budget)
