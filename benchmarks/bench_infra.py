"""Benchmark: the talk's whole stack applied, and a toggle flip, on the embedded emulator.

Targets (issue 3/4): whole stack apply <= 5 s; a toggle flip (plan + apply) <= 1 s, on a
2-core laptop. Besides wall times, the script measures in the same run a baseline: one
API round trip to the same emulator (``describe_vpcs``), and reports each operation's
time as a multiple of (its API call count x that round trip) -- the engine's overhead
over the calls it cannot avoid.

Run: ``.venv/bin/python benchmarks/bench_infra.py [--repeats 3]``; results are printed and
written to ``benchmarks/results/bench_infra.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

ALL_ON = {"enable_new_ami": True, "enable_new_network": True, "enable_green_application": True}
TARGETS_S = {"whole_stack_apply": 5.0, "toggle_flip_plan_apply": 1.0}


class CallCounter:
    """Counts API calls made through a set of boto3 clients (botocore ``before-call``)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **_: Any) -> None:
        self.calls += 1

    def attach(self, clients: dict[str, Any]) -> None:
        for client in clients.values():
            client.meta.events.unregister("before-call", self)
            client.meta.events.register("before-call", self)


def round_trip_s(session: Any, n: int = 50) -> float:
    ec2 = session.client("ec2")
    ec2.describe_vpcs()
    t0 = time.perf_counter()
    for _ in range(n):
        ec2.describe_vpcs()
    return (time.perf_counter() - t0) / n


def timed(fn: Any, counter: CallCounter, stack: Any) -> tuple[float, int]:
    counter.attach(stack.ctx._clients)
    before = counter.calls
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    return elapsed, counter.calls - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from tipsim.emulator import EmulatorInfo, EmulatorSession
    from tipsim.emulator.embedded import InProcessEmulator, moto_version, reset_moto
    from tipsim.infra.engine import Stack

    server = InProcessEmulator()
    try:
        info = EmulatorInfo("embedded", server.endpoint_url, moto_version())
        session = EmulatorSession(server.endpoint_url, info=info)
        rows: dict[str, list[tuple[float, int]]] = {k: [] for k in (
            "whole_stack_apply", "reapply_no_change", "toggle_flip_plan_apply", "destroy")}
        rtt = []
        for _ in range(args.repeats):
            reset_moto(server.endpoint_url)
            stack = Stack("talk", session)
            counter = CallCounter()
            stack.plan({})  # makes the clients (and warms moto's backends), not timed
            rtt.append(round_trip_s(session))
            rows["whole_stack_apply"].append(timed(lambda s=stack: s.apply(ALL_ON), counter,
                                                   stack))
            rows["reapply_no_change"].append(timed(lambda s=stack: s.apply(ALL_ON), counter,
                                                   stack))
            flipped = {**ALL_ON, "enable_new_ami": False}
            rows["toggle_flip_plan_apply"].append(timed(
                lambda s=stack, f=flipped: s.execute(s.plan(f)), counter, stack))
            rows["destroy"].append(timed(lambda s=stack: s.destroy(), counter, stack))
        rtt_s = statistics.median(rtt)
        results: dict[str, Any] = {
            "machine": {"python": platform.python_version(), "platform": platform.platform(),
                        "emulator": info.describe()},
            "repeats": args.repeats, "api_round_trip_s": round(rtt_s, 5), "operations": {}}
        for name, samples in rows.items():
            times = [t for t, _ in samples]
            calls = int(statistics.median(c for _, c in samples))
            med = statistics.median(times)
            entry = {"median_s": round(med, 4), "min_s": round(min(times), 4),
                     "max_s": round(max(times), 4), "api_calls": calls,
                     "x_call_floor": round(med / (calls * rtt_s), 2) if calls else None}
            if name in TARGETS_S:
                entry["target_s"] = TARGETS_S[name]
                entry["meets_target"] = med <= TARGETS_S[name]
            results["operations"][name] = entry
    finally:
        server.stop()

    print(f"API round trip (describe_vpcs): {rtt_s * 1000:.2f} ms")
    for name, e in results["operations"].items():
        target = (f"  target <= {e['target_s']} s: {'met' if e['meets_target'] else 'MISSED'}"
                  if "target_s" in e else "")
        print(f"{name:>24}: {e['median_s']:.3f} s median ({e['min_s']:.3f}-{e['max_s']:.3f}), "
              f"{e['api_calls']} calls, {e['x_call_floor']}x the call floor{target}")
    out = Path(__file__).resolve().parent / "results" / "bench_infra.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
