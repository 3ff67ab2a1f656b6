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

How a batch of loads is run is a :data:`Measure`: by default :func:`serial`, one call of
:func:`~tipsim.scenarios.data_lake_ab.simulate.run` per load in this process (paired
replications, common random numbers); the data-lake panel passes one that runs each batch
(the coarse loads, then each narrowing pair) as one ``tipsim.sweep`` over ``rate_per_s`` on
Dask. Either way a load's point is read from the same flat row, the fields of ``tipsim run
data-lake-ab --json`` that :data:`COLUMNS` names, so both give the same crossover for the
same runs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tipsim.errors import ParameterError
from tipsim.scenarios.data_lake_ab.params import Params
from tipsim.scenarios.data_lake_ab.simulate import ARMS, ABResult, PriceTable, priced, run

DEFAULT_RATES_PER_S: tuple[float, ...] = (500.0, 3000.0, 20_000.0)
"""Coarse loads of the panel's sweep (records/s); refined where the cheaper arm changes."""


REFINE_LOADS = 2
"""Loads run by one narrowing step (a pair around the interpolated crossover)."""
COLUMNS = ("a.cost_usd_per_hour", "a.cost_usd_per_hour_ci", "a.latency_p95_s",
           "b.cost_usd_per_hour", "b.cost_usd_per_hour_ci", "b.latency_p95_s",
           "cheaper.answer")
"""The flat ``tipsim run data-lake-ab --json`` fields a load's point is read from (an
interval is ``[low, high]``, or that list as JSON text, as a sweep stores it)."""

Measure = Callable[[Params, Sequence[float], int], Sequence[Mapping[str, Any]]]
"""``measure(params, rates_per_s, seed)``: run ``params`` at each load (``rate_per_s``
replaced, ``params.replications`` paired replications) and return one row per load, in
order, holding :data:`COLUMNS`."""


def summary_row(res: ABResult) -> dict[str, Any]:
    """The :data:`COLUMNS` of one A/B run, as :meth:`ABResult.to_json` reports them."""
    row: dict[str, Any] = {"cheaper.answer": res.verdicts()["cheaper"]["answer"]}
    for arm in ARMS:
        s = res.summary(arm)
        for key in ("cost_usd_per_hour", "cost_usd_per_hour_ci", "latency_p95_s"):
            row[f"{arm}.{key}"] = s[key]
    return row


def serial(prices: PriceTable | Mapping[str, float] | None = None,
           progress: Callable[[int], None] | None = None) -> Measure:
    """The default :data:`Measure`: :func:`run` at each load in turn, in this process,
    with ``seed`` itself; ``progress(loads_done)`` after each load."""

    def measure(params: Params, rates_per_s: Sequence[float], seed: int) -> list[dict[str, Any]]:
        table = priced(params, prices)
        rows = []
        for i, rate in enumerate(rates_per_s):
            rows.append(summary_row(run(params.replace(rate_per_s=rate), seed=seed,
                                        prices=table)))
            if progress is not None:
                progress(i + 1)
        return rows

    return measure


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)


def point(rate: float, row: Mapping[str, Any]) -> dict[str, Any]:
    """One load's point from its row (:data:`COLUMNS`): per arm (mean cost per hour, its
    interval, mean p95 latency), the cheaper verdict, and ``diff``, cost of B minus A."""
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise ParameterError("measure", missing[0], "rows holding the fields of "
                             "`tipsim run data-lake-ab --json`, flattened")
    out: dict[str, Any] = {"rate": float(rate), "cheaper": row["cheaper.answer"]}
    for arm in ARMS:
        ci = row[f"{arm}.cost_usd_per_hour_ci"]
        ci = json.loads(ci) if isinstance(ci, str) else ci
        out[arm] = (_number(row[f"{arm}.cost_usd_per_hour"]), [_number(v) for v in ci],
                    _number(row[f"{arm}.latency_p95_s"]))
    out["diff"] = out["b"][0] - out["a"][0]
    return out


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
              resolution: float = 1.1, measure: Measure | None = None) -> dict[str, Any]:
    """Cost per hour and p95 latency of both arms across loads, and where the cheaper arm
    changes, placed within ``resolution`` (a ratio of loads).

    Parameters
    ----------
    seed
        Seed of the runs: :func:`serial` runs every load with it (common random numbers
        across loads); another measure derives its runs' seeds from it.
    prices
        For the default measure: a table, or overrides of the dated one. An injected
        ``measure`` sees prices only through the price fields of ``params``.
    progress
        ``progress(loads_done, loads_planned)``: after each load (default measure) or each
        batch of loads (an injected one).
    measure
        How a batch of loads is run (:data:`Measure`); default :func:`serial`.

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
    base = params.replace(replications=replications)
    total = len(coarse) + REFINE_LOADS
    points: list[dict[str, Any]] = []

    def tell(done: int) -> None:
        if progress is not None:
            progress(min(done, total), total)

    def batch(rates: list[float]) -> None:
        before = len(points)
        run_batch = measure if measure is not None else serial(
            prices, lambda i: tell(before + i))
        rows = list(run_batch(base, rates, seed))
        if len(rows) != len(rates):
            raise ParameterError("measure", len(rows), f"one row per load ({len(rates)})")
        points.extend(point(r, row) for r, row in zip(rates, rows, strict=True))
        points.sort(key=lambda p: p["rate"])
        tell(len(points))

    batch(coarse)
    while (found := _bracket(points, resolution)) is not None and found[1]:
        lo, hi = points[found[0]], points[found[0] + 1]
        probes = _probe_pair(lo["rate"], hi["rate"], equal_cost_rate(lo, hi), resolution)
        if not probes:  # cannot happen while hi / lo > resolution; guards the loop
            break
        total = max(total, len(points) + len(probes))
        batch(probes)
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
