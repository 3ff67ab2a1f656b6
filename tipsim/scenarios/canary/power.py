"""How big should my canary be? The judge's power over a grid, from a sweep (notebook 06).

A canary that catches a defect only sometimes, or late, or by exposing many users, is a
design choice: the step weight (how much traffic the judge sees), the analysis window
(how many data points per verdict), the judge's confidence (how much evidence a verdict
needs) and the defect's severity decide it. :func:`power_sweep` runs the canary scenario
over such a grid on Dask (:func:`tipsim.sweep.run`; a local cluster on 127.0.0.1 by
default, or a scheduler's address), twice:

* with the ``errors`` defect, whose severity is ``green_error_rate`` (the share of green's
  requests that fail; production fails ``background_error_prob``), for the detection
  probability, the time to detect and what the canary exposed before the rollback;
* on a healthy green (``defect="none"``, no severity axis), for the false-rollback rate.

Each run lasts ``horizon_s`` after the first step (``switch_at_s``): "detected" means
rolled back within that horizon. :func:`summarise` turns the runs into one row per
configuration: the share of runs rolled back with its exact binomial (Clopper-Pearson)
95 % interval (:func:`tipsim.analysis.metrics.proportion_ci`), the mean time to detect
over the runs that detected, with a Student-t interval (:func:`~tipsim.analysis.metrics.
mean_ci`), and the mean requests and users exposed (:mod:`tipsim.scenarios.canary.results`
defines each output). Replication ``r`` of every configuration sees the same clients and
requests (common random numbers, :mod:`tipsim.sweep.seeds`), so differences between
configurations come from the parameters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tipsim.analysis.metrics import mean_ci, proportion_ci
from tipsim.errors import ParameterError
from tipsim.scenarios.canary.params import Params

if TYPE_CHECKING:
    import pandas as pd

    from tipsim.sweep import SweepProgress

AXES: tuple[str, ...] = ("step_weight_pct", "window_s", "confidence", "green_error_rate")
"""The grid's axes; the healthy sweep has every axis but the severity (the last)."""
DEFAULT_GRID: dict[str, list[float]] = {"step_weight_pct": [5.0, 10.0, 25.0],
                                        "window_s": [60.0, 120.0],
                                        "confidence": [0.9, 0.98],
                                        "green_error_rate": [0.02, 0.05]}
"""Notebook 06's defaults: 24 defective and 12 healthy configurations."""


@dataclass
class PowerResult:
    """The runs of both sweeps and their summaries (:func:`summarise`)."""

    runs: pd.DataFrame
    detection: pd.DataFrame
    false_rollbacks: pd.DataFrame
    horizon_s: float
    replications: int
    computed: int
    skipped: int
    seconds: float


def _grids(grid: Mapping[str, Sequence[float]], base: Params,
           horizon_s: float) -> tuple[dict[str, Any], dict[str, Any]]:
    unknown = sorted(set(grid) - set(AXES))
    if unknown:
        raise ParameterError("grid", unknown[0], "one of " + ", ".join(AXES))
    axes = {}
    for name in AXES:
        values = list(grid.get(name, [getattr(base, name)]))
        if not values:
            raise ParameterError(name, values, "at least one value")
        axes[name] = values
    fixed = base.model_dump(mode="json")
    for name in (*AXES, "defect", "strategy", "duration_s"):
        fixed.pop(name)
    fixed |= {"strategy": "canary", "duration_s": base.switch_at_s + horizon_s}
    Params.create(**fixed)  # a bad horizon is refused here, naming duration_s
    defective = fixed | {"defect": "errors"} | axes
    healthy = fixed | {"defect": "none"} | {k: v for k, v in axes.items() if k != AXES[-1]}
    return defective, healthy


def _runs(grid: Mapping[str, Any]) -> int:
    return math.prod(len(v) for v in grid.values() if isinstance(v, list))


def _phase(progress: Callable[[SweepProgress], None] | None, total: int, done: int,
           offset_s: float) -> Callable[[SweepProgress], None] | None:
    """The progress of one of the two sweeps as a share of both (ETA scaled to the rest)."""
    if progress is None:
        return None
    from tipsim.sweep import SweepProgress

    def tell(p: SweepProgress) -> None:
        left_here = p.total - p.done
        left_all = total - done - p.done
        eta = p.eta_s * left_all / left_here if p.eta_s is not None and left_here else None
        progress(SweepProgress(total, p.computed + done, p.skipped, p.failed,
                               p.elapsed_s + offset_s, eta))
    return tell


def power_sweep(grid: Mapping[str, Sequence[float]] | None = None, *,
                base: Params | None = None, horizon_s: float = 600.0, replications: int = 8,
                seed: int = 1, client: Any = None, out: str | None = None,
                progress: Callable[[SweepProgress], None] | None = None) -> PowerResult:
    """Sweep the canary's power over ``grid`` (axes :data:`AXES`) on Dask.

    ``base`` holds every other parameter (default: the scenario's, first step at 60 s);
    ``client`` a ``distributed.Client``, a scheduler address such as
    ``"tcp://127.0.0.1:8786"`` or None for a local cluster on 127.0.0.1, closed after;
    ``out`` a folder to keep the Parquet files in and resume from (None: the kit's sweep
    cache, :func:`tipsim.sweep.cache_folder`, so the same sweep again is read back);
    ``progress`` a callback (``SweepProgressBar``) over both sweeps.
    """
    from tipsim import sweep

    base = base or Params(switch_at_s=60.0)
    defective, healthy = _grids(DEFAULT_GRID if grid is None else grid, base, horizon_s)
    total = (_runs(defective) + _runs(healthy)) * replications
    t0 = time.perf_counter()
    folder = out or sweep.cache_folder("canary-power")
    with sweep.connect(client) as dask:
        frames = []
        done = 0
        for g in (defective, healthy):
            tell = _phase(progress, total, done, time.perf_counter() - t0)
            frames.append(sweep.run("canary", g, replications=replications, out=folder,
                                    client=dask, seed=seed, progress=tell))
            done += frames[-1].attrs["sweep"]["runs"]
    import pandas as pd

    runs = pd.concat(frames, ignore_index=True)
    reports = [f.attrs["sweep"] for f in frames]
    return PowerResult(runs, summarise(runs[runs["defect"] == "errors"]),
                       summarise(runs[runs["defect"] == "none"], by=AXES[:-1]), horizon_s,
                       replications, sum(r["computed"] for r in reports),
                       sum(r["skipped"] for r in reports), time.perf_counter() - t0)


def summarise(runs: pd.DataFrame, by: Sequence[str] = AXES) -> pd.DataFrame:
    """One row per configuration (``by``): ``runs``, ``rolled_back`` (count), ``rollback_prob``
    and its 95 % exact interval (``prob_low``, ``prob_high``), ``time_to_detect_s`` (mean
    over the runs rolled back, NaN if none) and ``detect_half_s`` (its Student-t half-width,
    NaN under two), ``requests_exposed`` and ``users_exposed`` (means over all runs)."""
    import pandas as pd

    rows = []
    for key, g in runs.groupby(list(by), sort=True):
        n, k = len(g), int(g["rolled_back"].sum())
        prob, low, high = proportion_ci(k, n)
        detect = g["time_to_detect_s"].dropna().to_numpy(dtype=float)
        mean_s, half_s = mean_ci(detect) if detect.size else (math.nan, math.nan)
        rows.append(dict(zip(by, key, strict=True)) | {
            "runs": n, "rolled_back": k, "rollback_prob": prob, "prob_low": low,
            "prob_high": high, "time_to_detect_s": mean_s,
            "detect_half_s": half_s if detect.size > 1 else math.nan,
            "requests_exposed": float(g["requests_exposed"].mean()),
            "users_exposed": float(g["users_exposed"].mean())})
    return pd.DataFrame(rows)



def pooled(table: pd.DataFrame) -> dict[str, float]:
    """All configurations of a :func:`summarise` table together: ``rolled_back`` of ``runs``,
    their share and its 95 % exact interval (``prob_low``, ``prob_high``). Meaningful as one
    rate when the configurations hardly differ, e.g. a healthy green's false rollbacks."""
    k, n = int(table["rolled_back"].sum()), int(table["runs"].sum())
    prob, low, high = proportion_ci(k, n)
    return {"rolled_back": k, "runs": n, "rollback_prob": prob, "prob_low": low,
            "prob_high": high}
