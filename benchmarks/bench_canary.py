"""Speed of the canary scenario's three strategies, as a ratio against the algorithm before
the speed-up, measured in the same run (not a test).

``tipsim.scenarios.canary.compare`` (big-bang, blue/green, canary on one seed) at notebook
02's panel defaults (``Params(defect=...)``, seed 1). The baseline is the package as it
was at ``--baseline`` (default: the commit before the speed-up), exported with
``git archive <commit> tipsim`` into a temporary directory and run in a subprocess with
``PYTHONPATH`` pointing there; the current code runs the same way from this checkout.
Baseline and current alternate, round after round, so that a busy machine slows both
alike. Each subprocess also returns a digest of the three summaries: the speed-up must not
change a result (the digests must be equal).

Target: baseline / current >= 2.3 (the issue's 578 ms brought under 250 ms), on CPU time
(``time.process_time``: other sessions on a shared 2-core machine inflate wall time; both
are reported).

Usage: ``.venv/bin/python benchmarks/bench_canary.py [--baseline COMMIT] [--rounds N]
[--repeat N] [--defects none,blocked-port]``; writes ``benchmarks/results/bench_canary.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
BEFORE_SPEEDUP = "4c8da5d2a7b828afbaedf80cebb54fbfdc1f3177"
"""main before the second canary speed-up (issue 12): runs of requests routed in numpy."""
TARGET_RATIO = 2.3

WORKER = r"""
import hashlib, json, sys, time
import tipsim
from tipsim.scenarios.canary import Params, compare

root, repeat, defects = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
if not tipsim.__file__.startswith(root):
    sys.exit(f"imported {tipsim.__file__}, expected a tipsim under {root}")
out = {}
for defect in defects:
    params = Params(defect=defect)
    runs = compare(params, seed=1)  # warm-up; its summaries are the results compared
    text = json.dumps({k: r.summary() for k, r in runs.items()}, sort_keys=True)
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        compare(params, seed=1)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    out[defect] = {"wall_s": wall, "cpu_s": cpu,
                   "digest": hashlib.sha256(text.encode()).hexdigest()}
print(json.dumps(out))
"""


def export(commit: str, into: Path) -> Path:
    """``git archive <commit> tipsim`` unpacked into ``into``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "tipsim"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def measure(root: Path, repeat: int, defects: list[str]) -> dict[str, dict]:
    """Run the worker with ``PYTHONPATH=root`` and return its timings and digests."""
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", WORKER, str(root), str(repeat),
                           ",".join(defects)], check=True, capture_output=True, text=True,
                          env=env, cwd=tempfile.gettempdir())
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BEFORE_SPEEDUP)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--defects", default="blocked-port,none")
    args = parser.parse_args()
    defects = args.defects.split(",")
    samples: dict[str, dict[str, dict[str, list[float]]]] = {
        side: {d: {"wall_s": [], "cpu_s": []} for d in defects} for side in ("base", "now")}
    digests: dict[str, dict[str, str]] = {"base": {}, "now": {}}
    with tempfile.TemporaryDirectory(prefix="tipsim-bench-canary-") as tmp:
        roots = {"base": export(args.baseline, Path(tmp)), "now": REPO}
        for _ in range(args.rounds):
            for side in ("base", "now"):
                for defect, got in measure(roots[side], args.repeat, defects).items():
                    for key in ("wall_s", "cpu_s"):
                        samples[side][defect][key] += got[key]
                    digests[side][defect] = got["digest"]
    out: dict[str, object] = {"baseline": args.baseline, "rounds": args.rounds,
                              "repeat": args.repeat, "target_ratio": TARGET_RATIO,
                              "defects": {}}
    print(f"compare() at notebook 02 defaults, seed 1; baseline {args.baseline[:12]}; "
          f"median of {args.rounds * args.repeat} runs each")
    print(f"{'defect':<14}{'base cpu ms':>12}{'now cpu ms':>12}{'ratio':>8}"
          f"{'base wall ms':>14}{'now wall ms':>13}{'ratio':>8}  same results")
    for d in defects:
        med = {side: {k: statistics.median(samples[side][d][k]) for k in ("wall_s", "cpu_s")}
               for side in ("base", "now")}
        same = digests["base"][d] == digests["now"][d]
        row = {"baseline_cpu_ms": 1000 * med["base"]["cpu_s"],
               "current_cpu_ms": 1000 * med["now"]["cpu_s"],
               "ratio_cpu": med["base"]["cpu_s"] / med["now"]["cpu_s"],
               "baseline_wall_ms": 1000 * med["base"]["wall_s"],
               "current_wall_ms": 1000 * med["now"]["wall_s"],
               "ratio_wall": med["base"]["wall_s"] / med["now"]["wall_s"],
               "same_results": same}
        out["defects"][d] = row  # type: ignore[index]
        print(f"{d:<14}{row['baseline_cpu_ms']:>12.0f}{row['current_cpu_ms']:>12.0f}"
              f"{row['ratio_cpu']:>8.2f}{row['baseline_wall_ms']:>14.0f}"
              f"{row['current_wall_ms']:>13.0f}{row['ratio_wall']:>8.2f}  {same}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_canary.json").write_text(json.dumps(out, indent=2))
    print(f"target: ratio >= {TARGET_RATIO} with the same results; "
          f"wrote {RESULTS / 'bench_canary.json'}")
    if not all(r["same_results"] for r in out["defects"].values()):  # type: ignore[attr-defined]
        sys.exit("the current code's results differ from the baseline's")


if __name__ == "__main__":
    main()
