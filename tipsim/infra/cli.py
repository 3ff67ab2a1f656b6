"""``tipsim infra ...``: plan, apply, destroy, show, smoke, weights, node-groups.

Examples
--------
``tipsim infra plan --set enable_new_ami=true`` prints, as ``terraform plan`` would,
``aws_instance.example must be replaced`` and ``aws_instance.example_bionic[0] will be
created``; ``--json`` gives ``terraform show -json``'s ``resource_changes``.
``--stack DIR`` plans any directory of ``.tf`` files. ``tipsim infra weights --blue 5
--green 5`` shifts half the traffic; ``tipsim infra smoke --json`` runs the canary's smoke
test. Bad input, or a ``.tf`` file the kit cannot read (its file and line named), exits 2
before any call to the emulator.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from tipsim.errors import ParameterError


def _stack(args: argparse.Namespace) -> Any:
    from tipsim.infra.engine import Stack

    stack = Stack(args.stack)
    if not getattr(args, "json", False):  # with --json, stderr carries only warnings
        from tipsim.console import info

        info(f"tipsim: {stack.namespace.describe()}")
    return stack


def _values(stack: Any, sets: list[str] | None) -> Any:
    return stack.spec.params_class.from_sets(sets or [])  # validated: no call made yet


def _out(args: argparse.Namespace, obj: dict[str, Any], lines: list[str]) -> None:
    if args.json:
        print(json.dumps(obj, indent=2, default=str))
    else:
        print("\n".join(lines))


def _cmd_plan(args: argparse.Namespace) -> int:
    stack = _stack(args)
    values = _values(stack, args.set)
    plan = stack.plan(values)
    _out(args, plan.to_dict(), plan.lines())
    return 0


def _cmd_apply(args: argparse.Namespace) -> int:
    stack = _stack(args)
    values = _values(stack, args.set)
    result = stack.destroy(values) if args.action == "destroy" else stack.apply(values)
    add, change, destroy = result.plan.terraform_counts()
    lines = [*result.plan.lines(), "",
             f"{'Destroy' if args.action == 'destroy' else 'Apply'} complete! Resources: "
             f"{add} added, {change} changed, {destroy} destroyed "
             f"({len([s for s in result.steps if s.ok])} step(s) in {result.elapsed_s:.2f} s)."]
    _out(args, result.to_dict(), lines)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from tipsim.infra.inventory import inventory_graph

    stack = _stack(args)
    owned = stack.owned()
    graph = inventory_graph(owned.values())
    obj = {"stack": stack.spec.name, "emulator": stack.capabilities.to_dict(),
           "resources": [a.to_dict() | {"attrs": {k: v for k, v in a.attrs.items()
                                                  if not k.startswith("_")}}
                         for a in owned.values()],
           "edges": [list(e) for e in graph.edges()]}
    lines = [f"emulator: {stack.capabilities.emulator}",
             f"{len(owned)} resource(s) owned by stack {stack.spec.name!r}"]
    lines += [f"  {a.address}  {a.id}" for a in owned.values()]
    lines += [f"  {u} -> {v}" for u, v in graph.edges()] if owned else []
    _out(args, obj, lines)
    return 0


def _cmd_smoke(args: argparse.Namespace) -> int:
    from tipsim.infra.smoke import run_smoke

    stack = _stack(args)
    report = run_smoke(stack, ssh_from=args.ssh_from)
    lines = [f"emulator: {report.emulator}"]
    lines += [f"{'PASS' if c.passed else 'FAIL'} {c.name}: {c.why}" for c in report.checks]
    lines += [f"not run {k}: {v}" for k, v in report.not_run.items()]
    _out(args, report.to_dict(), lines)
    return 0 if report.passed else 1


def _cmd_weights(args: argparse.Namespace) -> int:
    from tipsim.infra.weights import Weights, read_weights, set_weights

    given = {k: v for k, v in (("blue", args.blue), ("green", args.green)) if v is not None}
    Weights.create({"blue": 1, "green": 1, **given})  # ranges checked before any call
    if given.keys() == {"blue", "green"}:
        Weights.create(given)  # and "not both 0"
    stack = _stack(args)
    if not given:
        got = read_weights(stack)
    else:
        current = read_weights(stack)  # an option left out keeps its current weight
        full = {side: given.get(side, current.get(side) or 0) for side in ("blue", "green")}
        got = set_weights(stack, full["blue"], full["green"])
    _out(args, {"weights": got}, [f"{k}: {v}" for k, v in got.items()])
    return 0


def _cmd_node_groups(args: argparse.Namespace) -> int:
    from tipsim.infra.engine import Stack
    from tipsim.infra.stacks import node_group_specs

    specs = node_group_specs(Stack("eks"))
    lines = [f"source: {specs['source']}" + (f" ({specs['reason']})" if specs["reason"] else "")]
    lines += [f"  {g['name']}: {g['instance_types']} x{g['desired_size']} "
              f"({g['min_size']}-{g['max_size']}), labels {g['labels']}, taints {g['taints']}"
              for g in specs["node_groups"]]
    _out(args, specs, lines)
    return 0


def _weight(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ParameterError("weight", text, "a whole number >= 0 and <= 255") from None


def register(subparsers: Any) -> None:
    """Add ``tipsim infra ...`` to the main CLI."""
    infra = subparsers.add_parser("infra", help="plan, apply, destroy and inspect the talk's "
                                                "stacks on the emulator")
    sub = infra.add_subparsers(dest="action", required=True)

    def common(p: argparse.ArgumentParser, sets: bool = True) -> None:
        p.add_argument("--stack", default="talk", help="talk (default), eks, datalake, or a "
                                                       "directory of .tf files")
        if sets:
            p.add_argument("--set", action="append", metavar="NAME=VALUE",
                           help="set a toggle or variable (repeatable)")
        p.add_argument("--json", action="store_true", help="print JSON")

    for name, func, text in (("plan", _cmd_plan, "what apply would change"),
                             ("apply", _cmd_apply, "make the emulator hold the stack"),
                             ("destroy", _cmd_apply, "delete everything the stack owns")):
        p = sub.add_parser(name, help=text)
        common(p)
        p.set_defaults(func=func)
    show = sub.add_parser("show", help="what the stack owns now, as a dependency graph")
    common(show, sets=False)
    show.set_defaults(func=_cmd_show)
    smoke = sub.add_parser("smoke", help="the canary's smoke test (exit 1 if a check fails)")
    common(smoke, sets=False)
    smoke.add_argument("--ssh-from", default="0.0.0.0/0", help="where ssh must be admitted from")
    smoke.set_defaults(func=_cmd_smoke)
    weights = sub.add_parser("weights", help="set (or with no option, read) blue/green weights")
    common(weights, sets=False)
    weights.add_argument("--blue", type=_weight, default=None, help="0-255")
    weights.add_argument("--green", type=_weight, default=None, help="0-255")
    weights.set_defaults(func=_cmd_weights)
    groups = sub.add_parser("node-groups", help="the EKS node groups, read back")
    groups.add_argument("--json", action="store_true")
    groups.set_defaults(func=_cmd_node_groups)
