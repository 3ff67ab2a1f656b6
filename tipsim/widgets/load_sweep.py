"""The data-lake panel's load sweeps on Dask: a kept local cluster, a progress bar, a cache.

:class:`LoadSweeper` is the :data:`~tipsim.scenarios.data_lake_ab.Measure` the panel gives
:func:`~tipsim.scenarios.data_lake_ab.crossover`: each batch of loads (the coarse loads,
then each narrowing pair) is one :func:`tipsim.sweep.run` of ``data-lake-ab`` over
``rate_per_s``, every other parameter held at the panel's values, one row per load (the
flat ``tipsim run data-lake-ab --json`` fields, which the crossover reads). The sweeps run
on one local cluster on 127.0.0.1, started the first time a sweep has something to compute
and kept for the next (:class:`tipsim.sweep.KeptCluster`); :meth:`LoadSweeper.close`, the
sweeper's garbage collection or the end of the interpreter stops its worker processes.
Results are written to a per-user cache folder (:func:`tipsim.sweep.cache_folder`), so the
same sweep again is read back, not computed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tipsim.sweep as sweep
from tipsim.scenarios import data_lake_ab as dl
from tipsim.sweep import SweepProgress
from tipsim.widgets.sweep_progress import SweepProgressBar

SCENARIO = "data-lake-ab"


class LoadSweeper:
    """Runs batches of loads as sweeps and adds up what they did since :meth:`begin`.

    Parameters
    ----------
    out
        Folder of the sweep files (default: the per-user cache folder of this code).
    workers
        Worker processes of the kept cluster (default: one per core).
    """

    def __init__(self, out: str | os.PathLike[str] | None = None,
                 workers: int | None = None) -> None:
        self.out = Path(out) if out is not None else sweep.cache_folder(SCENARIO)
        self.cluster = sweep.KeptCluster(workers)
        self.bar = SweepProgressBar("sweep")
        self.totals: dict[str, float] = {}
        self.begin()

    def begin(self) -> None:
        """Start counting a new crossover (its batches add up on one bar)."""
        self.totals = {"runs": 0, "computed": 0, "skipped": 0, "failed": 0, "seconds": 0.0}

    def _progress(self, p: SweepProgress) -> None:
        t = self.totals
        self.bar(SweepProgress(int(t["runs"]) + p.total, int(t["computed"]) + p.computed,
                               int(t["skipped"]) + p.skipped, int(t["failed"]) + p.failed,
                               t["seconds"] + p.elapsed_s, p.eta_s))

    def __call__(self, params: dl.Params, rates_per_s: Sequence[float],
                 seed: int) -> list[dict[str, Any]]:
        """One sweep over ``rates_per_s``; the row of each load, in order."""
        grid: dict[str, Any] = params.model_dump()
        grid["rate_per_s"] = [float(r) for r in rates_per_s]
        frame = sweep.run(SCENARIO, grid, replications=1, out=self.out,
                          client=self.cluster.client, seed=seed, progress=self._progress)
        report = frame.attrs["sweep"]
        for key in ("runs", "computed", "skipped", "failed", "seconds"):
            self.totals[key] += report[key]
        rows = {float(r["rate_per_s"]): r for r in frame.to_dict("records")}
        return [rows[float(r)] for r in rates_per_s]

    def summary(self) -> str:
        """``'12 runs, 0 computed, 12 from the cache (0.4 s)'`` since :meth:`begin`."""
        t = self.totals
        return (f"{t['runs']:.0f} runs, {t['computed']:.0f} computed, {t['skipped']:.0f} "
                f"from the cache ({t['seconds']:.1f} s)")

    def close(self) -> None:
        """Stop the kept cluster's worker processes (a later sweep starts them again)."""
        self.cluster.close()
