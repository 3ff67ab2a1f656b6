"""The ``tipsim`` command: emulator, doctor, infra and scenario runs.

Exit codes: 0 success, 1 the kit's own error (message on stderr, no traceback),
2 bad parameters or usage (message names the field and what is allowed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from tipsim.errors import ParameterError, TipsimError


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=_json_default))


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _print_table(result: dict[str, Any], indent: str = "") -> None:
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print_table(value, indent + "  ")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            print(f"{indent}{key}: ({len(value)} rows)")
            for row in value:
                print(f"{indent}  - " + ", ".join(f"{k}={v}" for k, v in row.items()))
        elif isinstance(value, float):
            print(f"{indent}{key}: {value:.6g}")
        else:
            print(f"{indent}{key}: {value}")


# ----------------------------------------------------------------------------- emulator
def _cmd_emulator(args: argparse.Namespace) -> int:
    from tipsim.emulator import server

    if args.action == "start":
        state = server.start(args.port)
        if state.get("kind") == "localstack":
            print(f"LocalStack {state.get('version', '')} already answers at "
                  f"{state['endpoint_url']}; nothing started.")
        elif state.get("kind") == "moto":
            print(f"a moto server that tipsim did not start already answers at "
                  f"{state['endpoint_url']}; nothing started.")
        elif state.get("already_running"):
            print(f"tipsim emulator already running at {state['endpoint_url']} "
                  f"(pid {state['pid']}).")
        else:
            print(f"tipsim emulator (moto {state['version']}) started at "
                  f"{state['endpoint_url']} (pid {state['pid']}).")
        return 0
    if args.action == "stop":
        stopped = server.stop(args.port)
        print("tipsim emulator stopped." if stopped
              else f"no tipsim emulator started by the kit runs on port {args.port}.")
        return 0
    from tipsim.emulator.status import status

    info = status(args.port)
    if args.json:
        _print_json(info)
    else:
        _print_table(info)
    return 0 if info.get("kind") not in (None, "none", "other") else 1


# ----------------------------------------------------------------------------- run
def _cmd_run(args: argparse.Namespace) -> int:
    from tipsim import scenarios

    module = scenarios.load(args.scenario)
    if args.list_params:
        print(module.Params.usage())
        return 0
    params = module.Params.from_sets(args.set or [])
    target = None
    if args.share:  # checked before the run: a refused URL costs no simulation time
        from tipsim.board.cli import ShareTarget

        target = ShareTarget.from_args(args.share, args.token, args.name)
    t0 = time.perf_counter()
    result = module.run_cli(params, seed=args.seed, replications=args.replications)
    elapsed = time.perf_counter() - t0
    if args.json:
        _print_json(result)
    else:
        _print_table(result)
        print(f"(ran in {elapsed:.2f} s wall time, seed {args.seed})", file=sys.stderr)
    if target is not None:
        print(target.send(args.scenario, params.model_dump(mode="json"), result), file=sys.stderr)
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    if args.preflight:
        from tipsim.preflight import run_preflight

        return run_preflight(as_json=args.json)
    from tipsim.doctor import run_doctor

    return run_doctor(as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tipsim",
        description="Test in production, without paying for staging: emulator, "
                    "infrastructure and simulations of the talk's scenarios.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    emu = sub.add_parser("emulator", help="start, stop or inspect the shared AWS emulator")
    emu.add_argument("action", choices=["start", "stop", "status"])
    emu.add_argument("--port", type=int, default=4566, help="loopback port (default 4566)")
    emu.add_argument("--json", action="store_true")
    emu.set_defaults(func=_cmd_emulator)

    doc = sub.add_parser("doctor", help="check that everything the kit needs is in place")
    doc.add_argument("--json", action="store_true")
    doc.add_argument("--preflight", action="store_true",
                     help="one line for attendees: ready, or not ready with the fix (make check)")
    doc.set_defaults(func=_cmd_doctor)

    from tipsim.scenarios import SCENARIOS

    run = sub.add_parser("run", help="run a scenario's simulation")
    run.add_argument("scenario", choices=sorted(SCENARIOS))
    run.add_argument("--set", action="append", metavar="NAME=VALUE",
                     help="set a parameter (repeatable); --list-params shows them")
    run.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    run.add_argument("--replications", type=int, default=None,
                     help="independent replications, where the scenario takes them")
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.add_argument("--list-params", action="store_true", help="list parameters and ranges")
    from tipsim.board.cli import add_share_arguments
    from tipsim.board.cli import register as register_board

    add_share_arguments(run)
    run.set_defaults(func=_cmd_run)
    register_board(sub)

    from tipsim.infra import cli as infra_cli

    infra_cli.register(sub)

    from tipsim.sweep import command as sweep_command

    sweep_command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ParameterError as exc:
        print(f"tipsim: {exc.line}", file=sys.stderr)
        if exc.hint and getattr(args, "command", "") in ("run", "sweep"):
            print(f"(tipsim run {args.scenario} --list-params lists every parameter "
                  "with its range)", file=sys.stderr)
        return 2
    except TipsimError as exc:
        print(f"tipsim: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
