"""Compare the desired stack with what the emulator holds: create, update, replace, delete.

As ``terraform plan``: a change to an attribute that forces a new resource (an instance's
image) is a **replace** (``["delete", "create"]``: destroy, then create); other changes
are **updates** in place; owned resources the configuration no longer wants are
**deleted**; resources whose service the emulator lacks are **skipped** (simulated only),
with the reason. The planner reads the emulator's state itself, by ownership tags: there is
no state file to drift away from it. :mod:`tipsim.infra.plan_text` prints a plan the way
Terraform does, and :meth:`Plan.to_dict` gives ``terraform show -json``'s
``resource_changes`` beside the kit's own fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from tipsim.errors import StackSourceError
from tipsim.infra import addresses
from tipsim.infra.capabilities import Capabilities
from tipsim.infra.handler import Actual, Context
from tipsim.infra.hcl.evaluate import Evaluator, Instances
from tipsim.infra.hcl.values import UNKNOWN, public
from tipsim.infra.registry import HANDLERS
from tipsim.infra.render import body_value, planned, scope_for
from tipsim.infra.spec import StackSpec
from tipsim.params import Params

Action = Literal["create", "update", "replace", "delete", "no-op", "skip"]
CHANGING: tuple[str, ...] = ("create", "update", "replace", "delete")


@dataclass
class Change:
    """What the plan does to one resource instance."""

    address: str
    type: str
    action: Action
    changed: list[str] = field(default_factory=list)
    reason: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    depends_on: list[str] = field(default_factory=list)
    actual: Actual | None = None  # what exists now, if anything
    forced: list[str] = field(default_factory=list)  # attributes that force replacement
    action_reason: str = ""  # Terraform's action_reason, where it gives one

    @property
    def block(self) -> str:
        return addresses.split(self.address)[0]

    @property
    def index(self) -> int | None:
        return addresses.split(self.address)[1]

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "type": self.type, "action": self.action,
                "changed": list(self.changed), "reason": self.reason,
                "before": public(self.before), "after": public(self.after),
                "depends_on": list(self.depends_on)}


@dataclass
class Plan:
    """A stack plan: one :class:`Change` per resource instance, in creation order, then the
    deletions."""

    stack: str
    inputs: dict[str, Any]
    changes: list[Change]
    capabilities: Capabilities
    destroy: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)  # inputs and emulator_has_*
    outputs: dict[str, Any] = field(default_factory=dict)

    def by_address(self) -> addresses.Addresses:
        return addresses.Addresses((c.address, c) for c in self.changes)

    def summary(self) -> dict[str, int]:
        out = dict.fromkeys(("create", "update", "replace", "delete", "no-op", "skip"), 0)
        for c in self.changes:
            out[c.action] += 1
        return out

    def terraform_counts(self) -> tuple[int, int, int]:
        """Terraform's ``Plan: N to add, M to change, K to destroy.`` (a replace is both)."""
        s = self.summary()
        return s["create"] + s["replace"], s["update"], s["delete"] + s["replace"]

    @property
    def has_changes(self) -> bool:
        return any(c.action in CHANGING for c in self.changes)

    def touched(self) -> list[str]:
        """Addresses the plan changes directly."""
        return [c.address for c in self.changes if c.action in CHANGING]

    @property
    def graph(self) -> nx.DiGraph:
        """Resource instances, with edges from a resource to those that refer to it: from the
        desired stack's references, and from what the emulator holds (for deletions)."""
        from tipsim.infra.inventory import inventory_graph

        g = inventory_graph([c.actual for c in self.changes if c.actual is not None])
        for c in self.changes:
            if c.address not in g:
                g.add_node(c.address, type=c.type, label=c.type.removeprefix("aws_"))
            g.nodes[c.address]["action"] = c.action
        for c in self.changes:
            for dep in c.depends_on:
                if dep in g:
                    g.add_edge(dep, c.address)
        return g

    def blast_radius(self) -> dict[str, list[str]]:
        """What this change touches: directly, and downstream through references."""
        from tipsim.infra.inventory import blast_radius

        return blast_radius(self.graph, self.touched())

    def text(self) -> str:
        """The plan as ``terraform plan`` prints it (see :mod:`tipsim.infra.plan_text`)."""
        from tipsim.infra.plan_text import render_plan

        return render_plan(self)

    def lines(self) -> list[str]:
        return self.text().splitlines()

    def to_dict(self) -> dict[str, Any]:
        """``terraform show -json``'s ``resource_changes``, beside the kit's own fields."""
        from tipsim.infra.plan_text import resource_change

        return {"format_version": "1.2",
                "resource_changes": [resource_change(c) for c in sorted(
                    self.changes, key=lambda c: c.address) if c.action != "skip"],
                "stack": self.stack, "inputs": dict(self.inputs), "destroy": self.destroy,
                "summary": self.summary(), "emulator": self.capabilities.to_dict(),
                "simulated_only": {c.address: c.reason for c in self.changes
                                   if c.action == "skip"},
                "changes": [c.to_dict() for c in self.changes],
                "outputs": public(self.outputs), "blast_radius": self.blast_radius()}


def readable_types(types: set[str] | frozenset[str],
                   caps: Capabilities | None) -> list[str]:
    """The resource types whose handlers can read from the emulator (all, if ``caps`` is None).

    A type whose service the emulator lacks (LocalStack's free edition answers HTTP 501 for
    classic ELB, EMR, MSK and EKS) is never asked: nothing of it can exist there.
    """
    return [t for t in sorted(types) if caps is None or caps.has(HANDLERS[t].reads_with)]


def read_actual(ctx: Context, types: set[str] | frozenset[str],
                caps: Capabilities | None = None,
                counted: Mapping[str, bool] | None = None) -> addresses.Addresses:
    """Everything the stack owns, by address (duplicates get a ``#dup`` suffix).

    With ``counted`` (block -> has count), ``x`` and ``x[0]`` are moved to the form the
    configuration uses, as Terraform's implied moves do (:mod:`tipsim.infra.addresses`).
    """
    found = addresses.Addresses()
    for type_name in readable_types(types, caps):
        for actual in HANDLERS[type_name].read_owned(ctx):
            address = actual.address or f'{type_name}.untracked["{actual.id}"]'
            address = addresses.canonical(address, counted or {})
            base, n = address, 1
            while dict.__contains__(found, address):  # two claim one address: keep one
                address = f"{base}#dup{n}"
                n += 1
            actual.address = address
            found[address] = actual
    return found


def emulator_variables(spec: StackSpec, caps: Capabilities) -> dict[str, Any]:
    """``emulator_has_<service>`` variables, set from what the emulator offers."""
    return {n: caps.has(n.removeprefix("emulator_has_")) for n in spec.emulator_variables}


def count_of(spec: StackSpec, block: str, variables: Mapping[str, Any],
             data: Mapping[str, Any]) -> int:
    res = spec.blocks[block]
    if res.count is None:
        return 1
    value = Evaluator(scope_for(spec.config, variables, data, {}), res.count.file).value(
        res.count.tree)
    if value is UNKNOWN:
        raise StackSourceError(res.count.file, res.count.line, f"{block}: count is known "
                               "only after apply")
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or \
            int(value) != value:
        raise StackSourceError(res.count.file, res.count.line,
                               f"{block}: count must be a whole number >= 0, got {value!r}")
    return int(value)


def counted_blocks(spec: StackSpec) -> dict[str, bool]:
    return {r.block: r.count is not None for r in spec.resources}


def make_plan(ctx: Context, spec: StackSpec, inputs: Params, caps: Capabilities,
              *, destroy: bool = False, data: dict[str, Any] | None = None,
              actual: dict[str, Actual] | None = None) -> Plan:
    """Plan the stack ``spec`` with ``inputs`` against the emulator behind ``ctx``."""
    from tipsim.infra.datasources import resolve

    variables = {**inputs.model_dump(), **emulator_variables(spec, caps)}
    if actual is None:
        actual = read_actual(ctx, spec.types, caps, counted_blocks(spec))
    remaining = dict(actual)
    plan = Plan(spec.name, inputs.model_dump(), [], caps, destroy=destroy, variables=variables)
    if destroy:
        plan.changes += _simulated_only(spec, variables, caps)
    else:
        plan.data = data if data is not None else resolve(ctx, spec.config, variables)
        _plan_blocks(spec, plan, remaining)
    blocks = spec.blocks
    for gone in sorted(remaining.values(), key=lambda a: (-HANDLERS[a.type].delete_rank,
                                                         a.address)):
        block, index = addresses.split(gone.address)
        why = "" if destroy else ("delete_because_count_index" if block in blocks
                                  and index is not None else
                                  "delete_because_no_resource_config")
        plan.changes.append(Change(gone.address, gone.type, "delete", before=gone.attrs,
                                   reason="destroy" if destroy else "no longer in the stack",
                                   actual=gone, action_reason=why))
    return plan


def _plan_blocks(spec: StackSpec, plan: Plan, remaining: dict[str, Actual]) -> None:
    caps, variables, data = plan.capabilities, plan.variables, plan.data
    order = spec.creation_order()
    blocks = spec.blocks
    view: dict[str, Instances] = {}
    for block in order:
        plan.counts[block] = count_of(spec, block, variables, data)
        view[block] = planned(plan.counts[block], blocks[block].count is not None)
    skipped: set[str] = set()
    for block in order:
        res = blocks[block]
        handler = HANDLERS[res.type]
        counted = res.count is not None
        for i in range(plan.counts[block]):
            address = addresses.make(block, i if counted else None)
            scope = scope_for(spec.config, variables, data, view, i if counted else None)
            desired = body_value(res.body, scope)
            deps = sorted(scope.read)
            have = remaining.pop(address, None)
            computed = {k: UNKNOWN for k in handler.reference_keys}
            view[block].values[i] = {**computed, **desired}
            blocked = sorted(set(deps) & skipped)
            if not caps.has(handler.service) or blocked:
                skipped.add(address)
                why = caps.why_not(handler.service) if not caps.has(handler.service) else \
                    f"depends on {', '.join(blocked)}, which is simulated only"
                plan.changes.append(Change(address, res.type, "skip", reason=why,
                                           after={**computed, **desired}, depends_on=deps))
                continue
            if have is None:
                plan.changes.append(Change(address, res.type, "create",
                                           after={**computed, **desired}, depends_on=deps))
                continue
            diff = handler.differences(desired, have.attrs) - res.ignore_changes
            forced = sorted(diff & handler.force_new)
            if forced:
                action: Action = "replace"
                after = {**computed, **desired}
            else:
                action = "update" if diff else "no-op"
                after = {**{k: v for k, v in have.attrs.items() if not k.startswith("_")},
                         **{k: v for k, v in desired.items() if k not in res.ignore_changes}}
                view[block].values[i], view[block].planned[i] = after, False
            plan.changes.append(Change(
                address, res.type, action, changed=sorted(diff),
                reason=f"{', '.join(forced)} forces replacement" if forced else "",
                before=have.attrs, after=after, depends_on=deps, actual=have, forced=forced,
                action_reason="replace_because_cannot_update" if forced else ""))
    out_scope = scope_for(spec.config, variables, data, view)
    for name, expr in spec.config.outputs.items():
        plan.outputs[name] = Evaluator(out_scope, expr.file).value(expr.tree)


def _simulated_only(spec: StackSpec, variables: Mapping[str, Any],
                    caps: Capabilities) -> list[Change]:
    """Skips for a destroy plan: the instances the inputs ask for whose service is missing
    (nothing of them was made, and nothing is deleted or even read for them)."""
    out = []
    for block in spec.creation_order():
        res = spec.blocks[block]
        handler = HANDLERS[res.type]
        if caps.has(handler.service):
            continue
        n = count_of(spec, block, variables, {})
        out += [Change(addresses.make(block, i if res.count is not None else None),
                       handler.type_name, "skip", reason=caps.why_not(handler.service))
                for i in range(n)]
    return out
