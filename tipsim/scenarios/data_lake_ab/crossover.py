"""Where the cheaper arm changes: a load sweep that narrows in on the crossover.

A fixed grid of a few loads can only put the crossover on one of its points, so the marker
would not move when a price changes. :func:`crossover` runs the coarse loads, then narrows
the pair of neighbouring loads where the mean cost difference ``b - a`` changes sign until
their ratio is at most ``resolution`` (default 1.1: the crossover is placed within 10 %).

Each narrowing step interpolates the equal-cost load linearly in load between the two
neighbours (a secant step) and runs two loads a factor ``sqrt(resolution)`` either side of
it. One arm's cost is proportional to load (FaaS bills per request and per GB-second) and
the other's is flat (a Spark cluster bills its instance-hours busy or not; AWS Lambda and
Amazon EMR pricing pages), so the difference is close to linear and the first step usually
brackets the crossover: two more loads instead of the four of a bisection. A step whose two
loads do not bracket it still shrinks the pair, so the loop ends. The reported crossover is
the same interpolation on the final pair.

Runs are serial; a load is one call of :func:`~tipsim.scenarios.data_lake_ab.simulate.run`
(paired replications, common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from tipsim.analysis import ab_stats
from tipsim.errors import ParameterError
from tipsim.scenarios.data_lake_ab.params import Params
from tipsim.scenarios.data_lake_ab.simulate import ARMS, PriceTable, price_table, run

DEFAULT_RATES_PER_S: tuple[float, ...] = (500.0, 3000.0, 20_000.0)
"""Coarse loads of the panel's sweep (records/s); refined where the cheaper arm changes."""


REFINE_LOADS = 2
"""Loads run by one narrowing step (a pair around the interpolated crossover)."""


def equal_cost_rate(lo: Mapping[str, Any], hi: Mapping[str, Any]) -> float:
    """Load where the cost difference is zero, interpolated linearly between two loads."""
    d0, d1 = lo["diff"], hi["diff"]
    if d0 == d1:
        return float(lo["rate"])
    return float(lo["rate"] + (hi["rate"] - lo["rate"]) * d0 / (d0 - d1))


def _probe_pair(lo: float, hi: float, guess: float, resolution: float) -> list[float]:
    """Two loads ``resolution`` apart around ``guess``, kept strictly inside (lo, hi)."""
    half = math.sqrt(resolution)
    low = min(max(guess / half, lo * half), hi / resolution)
    return sorted({r for r in (low, low * resolution) if lo < r < hi})


def _bracket(points: list[dict[str, Any]], resolution: float) -> tuple[int, bool] | None:
    """Index ``i`` of the first neighbours (i, i+1) whose cost difference changes sign,
    and whether they are still wider apart than ``resolution``."""
    for i in range(len(points) - 1):
        d0, d1 = points[i]["diff"], points[i + 1]["diff"]
        if d0 == 0 or (d0 > 0) != (d1 > 0):
            return i, points[i + 1]["rate"] / points[i]["rate"] > resolution
    return None


def crossover(params: Params, rates_per_s: Sequence[float] = DEFAULT_RATES_PER_S, *,
              seed: int, replications: int = 2,
              prices: PriceTable | Mapping[str, float] | None = None,
              progress: Callable[[int, int], None] | None = None,
              resolution: float = 1.1) -> dict[str, Any]:
    """Cost per hour and p95 latency of both arms across loads, and where the cheaper arm
    changes, placed within ``resolution`` (a ratio of loads).

    Returns
    -------
    dict
        ``rate_per_s`` (every load run, sorted); per arm ``cost_usd_per_hour``, ``cost_ci``,
        ``latency_p95_s``; ``cheaper`` per load (``"a"``, ``"b"`` or ``"not enough
        evidence"``); ``switch_rate_per_s``: the first load whose verdict differs from the
        first decided one; ``crossover_rate_per_s``: the load where the mean costs are
        equal (None when they do not cross in the range) and ``crossover_bracket_per_s``,
        the two loads around it.
    """
    if not resolution > 1.0:
        raise ParameterError("resolution", resolution, "a ratio of loads > 1 (1.1: within 10%)")
    coarse = sorted(float(r) for r in rates_per_s)
    if not coarse or coarse[0] <= 0:
        raise ParameterError("rate_per_s", coarse[0] if coarse else None,
                             "one or more loads > 0 records/s")
    table = prices if isinstance(prices, PriceTable) else price_table(prices)
    total = len(coarse) + REFINE_LOADS
    points: list[dict[str, Any]] = []

    def measure(rate: float) -> dict[str, Any]:
        res = run(params.replace(rate_per_s=rate), seed=seed, replications=replications,
                  prices=table)
        point: dict[str, Any] = {"rate": rate, "cheaper": res.verdicts()["cheaper"]["answer"]}
        for arm in ARMS:
            m, lo, hi = ab_stats.mean_interval(res.values(arm, "cost_usd_per_hour"),
                                               params.confidence)
            point[arm] = (m, [lo, hi], float(np.mean(res.values(arm, "latency_p95_s"))))
        point["diff"] = point["b"][0] - point["a"][0]
        if progress is not None:
            progress(min(len(points) + 1, total), total)
        return point

    for rate in coarse:
        points.append(measure(rate))
    while (found := _bracket(points, resolution)) is not None and found[1]:
        lo, hi = points[found[0]], points[found[0] + 1]
        probes = _probe_pair(lo["rate"], hi["rate"], equal_cost_rate(lo, hi), resolution)
        if not probes:  # cannot happen while hi / lo > resolution; guards the loop
            break
        total = max(total, len(points) + len(probes))
        points.extend(measure(r) for r in probes)
        points.sort(key=lambda p: p["rate"])
    if progress is not None:
        progress(total, total)
    return _summarise(points)


def _summarise(points: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"rate_per_s": [p["rate"] for p in points],
                           "cheaper": [p["cheaper"] for p in points]}
    for arm in ARMS:
        out[arm] = {"cost_usd_per_hour": [p[arm][0] for p in points],
                    "cost_ci": [p[arm][1] for p in points],
                    "latency_p95_s": [p[arm][2] for p in points]}
    decided = [c for c in out["cheaper"] if c in ("a", "b")]
    out["switch_rate_per_s"] = next(
        (p["rate"] for p in points if decided and p["cheaper"] in ("a", "b")
         and p["cheaper"] != decided[0]), None)
    out["crossover_rate_per_s"] = None
    out["crossover_bracket_per_s"] = None
    found = _bracket(points, 1.0)
    if found is not None:
        lo, hi = points[found[0]], points[found[0] + 1]
        out["crossover_bracket_per_s"] = [lo["rate"], hi["rate"]]
        out["crossover_rate_per_s"] = equal_cost_rate(lo, hi)
    return out
