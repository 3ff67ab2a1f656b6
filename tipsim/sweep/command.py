"""``tipsim sweep SCENARIO``: run a scenario over a grid of parameters on Dask.

Examples
--------
``tipsim sweep canary --grid defect=none,blocked-port --grid step_weight_pct=10,20
--replications 8 --json`` runs 4 configurations x 8 replications on a local cluster and
writes ``sweeps/canary-<hash>.parquet`` files; the same command again computes nothing.
``--range confidence=0.9:0.99:4`` adds 4 evenly spaced values, ``--range
rate_per_s=1:100:5:log`` 5 values on a log scale. ``--scheduler tcp://HOST:8786`` runs on
a cluster started with ``dask scheduler`` / ``dask worker``.

Exit codes: 0 every run written; 1 some tasks failed after their retries (listed) or no
scheduler answered; 2 a bad option or parameter value (nothing ran); 130 interrupted
(what was written stays; the same command resumes).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tipsim.errors import ParameterError


def register(sub: Any) -> None:
    """Add the ``sweep`` command to the ``tipsim`` command's subparsers."""
    from tipsim.scenarios import SCENARIOS
    from tipsim.sweep.engine import DEFAULT_OUT

    p = sub.add_parser(
        "sweep", help="run a scenario over a grid of parameters on Dask (resumable)",
        description="Run every combination of the given values, --replications times "
                    "each, as Dask tasks; one Parquet file per configuration in --out. "
                    "Running the same command again computes only what is missing.")
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    p.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="values to try for a parameter (repeatable)")
    p.add_argument("--range", action="append", default=[], metavar="NAME=LO:HI:N[:log]",
                   help="N evenly spaced values from LO to HI; ':log' spaces them on a log "
                        "scale; whole-number parameters are rounded (repeatable)")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="hold a parameter at one value (repeatable)")
    p.add_argument("--replications", type=int, default=1,
                   help="runs per configuration, each on its own seed (default 1)")
    p.add_argument("--seed", type=int, default=1, help="the sweep's seed (default 1)")
    p.add_argument("--independent-seeds", action="store_true",
                   help="seed each configuration separately (default: common random "
                        "numbers, the same seeds for every configuration)")
    p.add_argument("--out", default=DEFAULT_OUT,
                   help=f"folder of the results (default ./{DEFAULT_OUT})")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run on this Dask cluster (default: a local cluster of worker "
                        "processes on 127.0.0.1)")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes of the local cluster (default: one per core)")
    p.add_argument("--batch", type=int, default=None,
                   help="replications per task (default: about half a second of work)")
    p.add_argument("--retries", type=int, default=2,
                   help="re-runs of a task that raised before it counts as failed (default 2)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=_cmd_sweep)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from tipsim import scenarios
    from tipsim.sweep.engine import execute
    from tipsim.sweep.grid import parse_cli
    from tipsim.sweep.progress import TerminalBar

    module = scenarios.load(args.scenario)
    grid = parse_cli(module.Params, args.grid, args.range, args.set)
    if args.workers is not None and args.scheduler is not None:
        raise ParameterError("workers", args.workers, "only for the local cluster (no "
                             "--scheduler)")
    try:
        report = execute(args.scenario, grid, replications=args.replications, out=args.out,
                         client=args.scheduler, seed=args.seed,
                         progress=None if args.no_progress else TerminalBar(),
                         common_random_numbers=not args.independent_seeds,
                         batch=args.batch, retries=args.retries, workers=args.workers)
    except KeyboardInterrupt:
        print(f"\ntipsim sweep: interrupted; the configurations written to {args.out} are "
              "kept: run the same command again to compute the rest", file=sys.stderr)
        return 130
    info = report.as_dict()
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        where = (f"{info['seconds']:.1f} s on {info['workers']} worker(s)" if info["tasks"]
                 else "nothing left to compute")
        print(f"{info['configs']} configurations x {info['replications']} replications = "
              f"{info['runs']} runs: {info['computed']} computed, {info['skipped']} skipped "
              f"(already in {info['out']}), {info['failed']} failed; {where}")
    for f in report.failures:
        print(f"tipsim sweep: failed {f['config']} replications {f['replications']}: "
              f"{f['error']}", file=sys.stderr)
    return 1 if report.failed else 0
