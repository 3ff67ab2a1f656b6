"""Time of the data-lake panel's "Sweep loads" before (serial, in the kernel) and after (one
sweep per batch of loads on the panel's kept Dask cluster), measured in one run (not a test).

At notebook 04's defaults (2,000 records/s, 300 s, crossover loads 500/3,000/20,000 then
narrowed, 2 paired replications per load):

* ``serial_s``: :func:`tipsim.scenarios.data_lake_ab.crossover` with its default serial
  measure, the panel's sweep before it ran on Dask (timed before and after the Dask rounds,
  as other load on the machine moves every figure);
* ``cold_s``: the panel's first sweep: the local cluster starts, workers import the
  scenario, every load is computed;
* ``warm_s``: the cluster up, a fresh sweep folder: every load computed again;
* ``cached_s``: the same sweep again: every load read from its file (0 computed).

Ratios are against the serial time of the same run; the load average is recorded beside.
Usage: ``.venv/bin/python benchmarks/bench_data_lake_panel_sweep.py [--repeat N]``; writes
``benchmarks/results/bench_data_lake_panel_sweep.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tipsim.scenarios import data_lake_ab as dl
from tipsim.sweep import run_seed
from tipsim.widgets.data_lake import DataLakePanel

RESULTS = Path(__file__).resolve().parent / "results"
NOTEBOOK = dict(rate_per_s=2000.0, duration_s=300.0, replications=3)


def _timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2, help="warm and cached rounds")
    args = parser.parse_args()
    params = dl.Params(**NOTEBOOK)
    out: dict[str, Any] = {"cpus": os.cpu_count(), "load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        panel = DataLakePanel(params, sweep_out=Path(tmp) / "cold")

        def serial() -> dict[str, Any]:
            return dl.crossover(params, seed=run_seed(1, 0), replications=2)

        serial_before, cross = _timed(serial)
        cold, swept = _timed(panel.sweep)
        assert swept == cross, "the sweep and the serial path disagree"
        out["loads"] = len(swept["rate_per_s"])
        out["cold_message"] = panel.sweeper.summary()
        warm, cached = [], []
        for i in range(args.repeat):
            panel.sweeper.out = Path(tmp) / f"warm{i}"
            warm.append(_timed(panel.sweep)[0])
            cached.append(_timed(panel.sweep)[0])
            out["cached_message"] = panel.sweeper.summary()
        serial_after, _ = _timed(serial)
        panel.close()
    base = statistics.median([serial_before, serial_after])
    out.update({"serial_s": [round(serial_before, 3), round(serial_after, 3)],
                "cold_s": round(cold, 3), "warm_s": [round(x, 3) for x in warm],
                "cached_s": [round(x, 3) for x in cached],
                "cold_over_serial": round(cold / base, 2),
                "warm_over_serial": round(statistics.median(warm) / base, 2),
                "cached_over_serial": round(statistics.median(cached) / base, 3),
                "load_average_end": os.getloadavg()})
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_data_lake_panel_sweep.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
