"""Speed and memory of the simulation core, as ratios measured in one run (not a test).

1. M/M/10 (lambda 9, mu 1, 20,000 s, the ENVIRONMENT-NOTES reference workload):
   customers per second of tipsim's station vs a bare simpy loop (one process per
   customer, a ``simpy.Resource``) on the same pre-drawn workload. Target: ratio >= 0.8.
2. Feature-toggle run at notebook defaults: median wall time per run (target <= 150 ms)
   and bytes of request-log storage per simulated request (target <= 64 B).

Usage: ``.venv/bin/python benchmarks/bench_sim.py [--repeat N]``; writes
``benchmarks/results/bench_sim.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import simpy

from tipsim.scenarios.feature_toggle import Params
from tipsim.scenarios.feature_toggle import run as run_feature_toggle
from tipsim.sim.queueing import mmc_workload, station_waits
from tipsim.sim.web.instances import Image
from tipsim.sim.web.service import Service
from tipsim.sim.web.traffic import make_workload

RESULTS = Path(__file__).resolve().parent / "results"


def bare_simpy_mmc(arrival: list[float], demand: list[float], servers: int) -> float:
    """The usual hand-written simpy M/M/c: returns the mean wait (to use the result)."""
    env = simpy.Environment()
    tellers = simpy.Resource(env, capacity=servers)
    total = [0.0]

    def customer(t_arrive: float, d: float):
        with tellers.request() as req:
            yield req
            total[0] += env.now - t_arrive
            yield env.timeout(d)

    def source():
        for t, d in zip(arrival, demand, strict=True):
            yield env.timeout(t - env.now)
            env.process(customer(t, d))

    env.process(source())
    env.run()
    return total[0] / len(arrival)


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    # 1. M/M/c station vs bare simpy, same workload
    wl = mmc_workload(9.0, 1.0, 20_000.0, seed=1)
    n = len(wl)
    arrival, demand = wl.arrival_s.tolist(), wl.demand_s.tolist()
    t_bare = best_of(lambda: bare_simpy_mmc(arrival, demand, 10), args.repeat)
    t_ours = best_of(lambda: station_waits(wl, 10), args.repeat)
    bare_wait = bare_simpy_mmc(arrival, demand, 10)
    ours_wait = float(np.mean(station_waits(wl, 10)))

    # 2. feature toggle at notebook defaults
    params = Params()
    per_run = []
    for _ in range(max(5, 3 * args.repeat)):
        t0 = time.perf_counter()
        result = run_feature_toggle(params, seed=1)
        per_run.append(time.perf_counter() - t0)
    requests = int(result.arrays["time_s"].size)
    wl2 = make_workload(1, rate_per_s=params.arrival_rate_per_s, duration_s=params.duration_s,
                        mean_service_s=params.mean_service_s, service_dist="lognormal",
                        service_cv=params.service_cv, users=params.users)
    svc = Service(wl2)
    for _ in range(params.instances):
        svc.launch(Image(name="old", code=0))
    log = svc.run()
    log_bytes_per_request = log.nbytes / len(log)
    workload_bytes_per_request = sum(getattr(wl2, c).nbytes for c in
                                     ("arrival_s", "user", "demand_s", "u_error", "u_route")
                                     ) / len(wl2)

    out = {
        "machine": {"python": platform.python_version(), "simpy": simpy.__version__,
                    "processor": platform.processor() or platform.machine()},
        "mmc": {
            "workload": "M/M/10, lambda 9/s, mu 1/s, 20000 s", "customers": n,
            "bare_simpy_customers_per_s": n / t_bare,
            "tipsim_customers_per_s": n / t_ours,
            "ratio_tipsim_over_bare": t_bare / t_ours, "target_ratio": 0.8,
            "bare_mean_wait_s": bare_wait, "tipsim_mean_wait_s": ours_wait,
        },
        "feature_toggle": {
            "requests_per_run": requests,
            "median_run_ms": 1000 * statistics.median(per_run), "target_ms": 150,
            "request_log_bytes_per_request": log_bytes_per_request,
            "workload_bytes_per_request": workload_bytes_per_request,
            "target_bytes_per_request": 64,
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_sim.json").write_text(json.dumps(out, indent=2))
    m, f = out["mmc"], out["feature_toggle"]
    rows = [
        ("bare simpy M/M/10 (customers/s)", f"{m['bare_simpy_customers_per_s']:,.0f}", ""),
        ("tipsim station M/M/10 (customers/s)", f"{m['tipsim_customers_per_s']:,.0f}", ""),
        ("ratio tipsim / bare simpy", f"{m['ratio_tipsim_over_bare']:.2f}", ">= 0.8"),
        ("mean wait bare / tipsim (s)", f"{bare_wait:.4f} / {ours_wait:.4f}", "equal"),
        ("feature-toggle median run (ms)", f"{f['median_run_ms']:.1f}", "<= 150"),
        ("  requests per run", f"{requests:,}", ""),
        ("request log bytes / request", f"{log_bytes_per_request:.1f}", "<= 64"),
        ("workload bytes / request", f"{workload_bytes_per_request:.1f}", "(input draws)"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>18}  {target}")
    print(f"wrote {RESULTS / 'bench_sim.json'}")


if __name__ == "__main__":
    main()
