"""Compare the desired stack with what the emulator holds: create, update, replace, delete.

As in Terraform: a change to an attribute that forces a new resource (an instance's
image) is a **replace** (destroy, then create); other changes are **updates** in place;
owned resources no longer wanted are **deleted**; resources whose service the
emulator lacks are **skipped** (simulated only), with the reason.

The planner reads the emulator's state itself, by ownership tags; there is no
state file to drift away from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from tipsim.errors import InfraError
from tipsim.infra.capabilities import Capabilities
from tipsim.infra.expr import UNKNOWN, EvalContext, render
from tipsim.infra.handler import Actual, Context
from tipsim.infra.registry import HANDLERS
from tipsim.infra.spec import StackSpec
from tipsim.params import Params

Action = Literal["create", "update", "replace", "delete", "no-op", "skip"]
CHANGING: tuple[str, ...] = ("create", "update", "replace", "delete")


def _public(value: Any) -> Any:
    """Attributes for people and JSON: no private keys, unknown values spelled out."""
    if value is UNKNOWN:
        return "(known after apply)"
    if isinstance(value, Mapping):
        return {k: _public(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list | tuple):
        return [_public(v) for v in value]
    return value


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

    @property
    def block(self) -> str:
        return self.address.split("[", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "type": self.type, "action": self.action,
                "changed": list(self.changed), "reason": self.reason,
                "before": _public(self.before), "after": _public(self.after),
                "depends_on": list(self.depends_on)}


@dataclass
class Plan:
    """A stack plan: one :class:`Change` per resource instance, in creation order,
    then the deletions."""

    stack: str
    inputs: dict[str, Any]
    changes: list[Change]
    capabilities: Capabilities
    destroy: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def by_address(self) -> dict[str, Change]:
        return {c.address: c for c in self.changes}

    def summary(self) -> dict[str, int]:
        out = dict.fromkeys(("create", "update", "replace", "delete", "no-op", "skip"), 0)
        for c in self.changes:
            out[c.action] += 1
        return out

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

    def to_dict(self) -> dict[str, Any]:
        return {"stack": self.stack, "inputs": dict(self.inputs), "destroy": self.destroy,
                "summary": self.summary(), "emulator": self.capabilities.to_dict(),
                "changes": [c.to_dict() for c in self.changes],
                "blast_radius": self.blast_radius()}

    def lines(self) -> list[str]:
        """Terraform-like text: one line per resource that changes or is skipped."""
        sign = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "skip": "!",
                "no-op": " "}
        out = []
        for c in self.changes:
            if c.action == "no-op":
                continue
            detail = f" ({', '.join(c.changed)})" if c.changed else ""
            why = f": {c.reason}" if c.reason else ""
            out.append(f"{sign[c.action]:>3} {c.address} will be {c.action}d{detail}{why}"
                       if c.action != "skip" else f"{sign['skip']:>3} {c.address} skipped{why}")
        s = self.summary()
        out.append(f"Plan: {s['create']} to create, {s['update']} to update, {s['replace']} to "
                   f"replace, {s['delete']} to delete, {s['skip']} simulated only.")
        return out


def readable_types(types: set[str] | frozenset[str],
                   caps: Capabilities | None) -> list[str]:
    """The resource types whose handlers can read from the emulator (all, if ``caps`` is None).

    A type whose service the emulator lacks (LocalStack's free edition answers HTTP 501 for
    classic ELB, EMR, MSK and EKS) is never asked: nothing of it can exist there.
    """
    return [t for t in sorted(types) if caps is None or caps.has(HANDLERS[t].reads_with)]


def read_actual(ctx: Context, types: set[str] | frozenset[str],
                caps: Capabilities | None = None) -> dict[str, Actual]:
    """Everything the stack owns, by address (duplicates get a ``#dup`` suffix).

    With ``caps``, only the types whose service the emulator offers are read (see
    :func:`readable_types`); without, every type is.
    """
    found: dict[str, Actual] = {}
    for type_name in readable_types(types, caps):
        handler = HANDLERS[type_name]
        for actual in handler.read_owned(ctx):
            address = actual.address or f'{type_name}.untracked["{actual.id}"]'
            n = 1
            while address in found:  # two resources claim one address: keep one, drop the rest
                address = f"{actual.address}#dup{n}"
                n += 1
            actual.address = address
            found[address] = actual
    return found


def _count(spec_count: Any, ctx: EvalContext, block: str) -> int:
    if spec_count is None:
        return 1
    value = render(spec_count, ctx)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InfraError(f"{block}: count must be a whole number >= 0, got {value!r}")
    return value


def make_plan(ctx: Context, spec: StackSpec, inputs: Params, caps: Capabilities,
              *, destroy: bool = False, data: dict[str, Any] | None = None,
              actual: dict[str, Actual] | None = None) -> Plan:
    """Plan the stack ``spec`` with ``inputs`` against the emulator behind ``ctx``."""
    from tipsim.infra.datasources import resolve

    variables = inputs.model_dump()
    available = {s: caps.has(s) for s in caps.available}
    if actual is None:
        actual = read_actual(ctx, spec.types, caps)
    remaining = dict(actual)
    changes: list[Change] = []
    counts: dict[str, int] = {}
    if destroy:
        changes += _simulated_only(spec, variables, available, caps)
    else:
        data = data if data is not None else resolve(ctx, spec.data)
        view: dict[str, list[Mapping[str, Any] | None]] = {}
        skipped: set[str] = set()
        order = spec.creation_order()
        blocks = spec.blocks
        for block in order:
            base = EvalContext(variables=variables, capabilities=available)
            counts[block] = _count(blocks[block].count, base, block)
            view[block] = [None] * counts[block]
        for block in order:
            rspec = blocks[block]
            handler = HANDLERS[rspec.type]
            for index in range(counts[block]):
                address = f"{block}[{index}]"
                ectx = EvalContext(variables=variables, index=index, resources=view, data=data,
                                   capabilities=available, resource_types=spec.types)
                desired = render(dict(rspec.attributes), ectx)
                deps = sorted(ectx.read)
                have = remaining.pop(address, None)
                if not caps.has(handler.service):
                    skipped.add(address)
                    changes.append(Change(address, rspec.type, "skip",
                                          reason=caps.why_not(handler.service),
                                          after=desired, depends_on=deps))
                    continue
                blocked = sorted(set(deps) & skipped)
                if blocked:
                    skipped.add(address)
                    changes.append(Change(address, rspec.type, "skip",
                                          reason=f"depends on {', '.join(blocked)}, "
                                                 "which is simulated only",
                                          after=desired, depends_on=deps))
                    continue
                if have is None:
                    changes.append(Change(address, rspec.type, "create", after=desired,
                                          depends_on=deps))
                    continue
                diff = handler.differences(desired, have.attrs) - rspec.ignore_changes
                forced = sorted(diff & handler.force_new)
                if forced:
                    action: Action = "replace"
                    reason = f"{', '.join(forced)} forces replacement"
                    view[block][index] = None
                elif diff:
                    action, reason = "update", ""
                    view[block][index] = have.attrs
                else:
                    action, reason = "no-op", ""
                    view[block][index] = have.attrs
                changes.append(Change(address, rspec.type, action, changed=sorted(diff),
                                      reason=reason, before=have.attrs, after=desired,
                                      depends_on=deps, actual=have))
    deletions = sorted(remaining.values(),
                       key=lambda a: (-HANDLERS[a.type].delete_rank, a.address))
    for gone in deletions:
        changes.append(Change(gone.address, gone.type, "delete", before=gone.attrs,
                              reason="destroy" if destroy else "no longer in the stack",
                              actual=gone))
    return Plan(spec.name, dict(variables), changes, caps, destroy=destroy, data=data or {},
                counts=counts)


def _simulated_only(spec: StackSpec, variables: Mapping[str, Any],
                    available: Mapping[str, bool], caps: Capabilities) -> list[Change]:
    """Skips for a destroy plan: the instances the inputs ask for whose service is missing
    (nothing of them was made, and nothing is deleted or even read for them)."""
    out = []
    blocks = spec.blocks
    for block in spec.creation_order():
        handler = HANDLERS[blocks[block].type]
        if caps.has(handler.service):
            continue
        n = _count(blocks[block].count, EvalContext(variables=dict(variables),
                                                    capabilities=dict(available)), block)
        out += [Change(f"{block}[{i}]", handler.type_name, "skip",
                       reason=caps.why_not(handler.service)) for i in range(n)]
    return out
