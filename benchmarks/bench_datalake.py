"""Speed of the data-lake model across load: one simulated hour per rate, both back ends.

The model works on counts and offsets, so its cost grows with the number of batches (FaaS
invocations, Spark micro-batches), not with records. The ratio column compares each
rate's wall time with the lowest rate's, measured in the same run (no absolute targets).

Run: ``.venv/bin/python benchmarks/bench_datalake.py [--duration-s 3600] [--rates 1000,...]``
"""

from __future__ import annotations

import argparse
import time

from tipsim.sim.data_lake.faas import FaasSettings, simulate_faas
from tipsim.sim.data_lake.kafka import TopicSettings, produce
from tipsim.sim.data_lake.spark import SparkSettings, simulate_spark
from tipsim.sim.rng import streams


def bench(rate_per_s: float, duration_s: float, seed: int = 1) -> dict[str, float]:
    rng = streams(seed, ["arrivals", "arm_a", "arm_b"])
    t0 = time.perf_counter()
    load = produce(TopicSettings(rate_per_s=rate_per_s, duration_s=duration_s), rng["arrivals"])
    t1 = time.perf_counter()
    faas = simulate_faas(load, FaasSettings(), 0.5e-3, rng["arm_a"])
    t2 = time.perf_counter()
    spark = simulate_spark(load, SparkSettings(), 0.5e-3, rng["arm_b"])
    t3 = time.perf_counter()
    return {"rate_per_s": rate_per_s, "records": load.records,
            "invocations": faas.usage["invocations"], "micro_batches": spark.extra["micro_batches"],
            "produce_s": t1 - t0, "faas_s": t2 - t1, "spark_s": t3 - t2, "total_s": t3 - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration-s", type=float, default=3600.0)
    ap.add_argument("--rates", default="1000,5000,10000,20000,40000")
    args = ap.parse_args()
    rows = [bench(float(r), args.duration_s) for r in args.rates.split(",")]
    base = rows[0]["total_s"]
    print(f"simulated time per run: {args.duration_s:.0f} s")
    print(f"{'rate/s':>8} {'records':>12} {'invocations':>12} {'faas s':>7} {'spark s':>8} "
          f"{'total s':>8} {'records/wall-s':>15} {'x lowest':>9}")
    for r in rows:
        print(f"{r['rate_per_s']:>8.0f} {r['records']:>12,} {r['invocations']:>12,.0f} "
              f"{r['faas_s']:>7.2f} {r['spark_s']:>8.2f} {r['total_s']:>8.2f} "
              f"{r['records'] / r['total_s']:>15,.0f} {r['total_s'] / base:>9.1f}")


if __name__ == "__main__":
    main()
