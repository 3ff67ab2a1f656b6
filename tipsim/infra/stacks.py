"""Stack-level questions the scenarios ask: node group specs (EKS), data-lake parts.

The Kubernetes simulation sizes its cluster from :func:`node_group_specs`; where
the emulator has no EKS, the specs come from the stack file and say so.
"""

from __future__ import annotations

from typing import Any

from tipsim.infra.engine import Stack
from tipsim.infra.expr import EvalContext, render


def _spec_node_groups(stack: Stack) -> list[dict[str, Any]]:
    """Node groups as the stack file declares them (no emulator call)."""
    inputs = stack.spec.inputs_from({}).model_dump()
    out = []
    for r in stack.spec.resources:
        if r.type != "aws_eks_node_group":
            continue
        ctx = EvalContext(variables=inputs, index=0, resources={
            b: [None] for b in stack.spec.blocks}, resource_types=stack.spec.types,
            data={"aws_ami": {k: {"id": "(looked up)", "name": v["name_filter"]}
                              for k, v in stack.spec.data.get("aws_ami", {}).items()}})
        attrs = render(dict(r.attributes), ctx)
        out.append(_public_group(attrs, r.block + "[0]"))
    return out


def _public_group(attrs: dict[str, Any], address: str) -> dict[str, Any]:
    return {"address": address, "name": attrs.get("node_group_name"),
            "instance_types": list(attrs.get("instance_types", [])),
            "min_size": int(attrs.get("min_size", 0)), "max_size": int(attrs.get("max_size", 0)),
            "desired_size": int(attrs.get("desired_size", 0)),
            "labels": dict(attrs.get("labels") or {}),
            "taints": [dict(t) for t in attrs.get("taints") or []],
            "image": attrs.get("image", "")}


def _simulated_node_groups(stack: Stack) -> list[dict[str, Any]]:
    """Node groups as the stack's last apply rendered them, where they were simulated only."""
    return [_public_group(attrs, address) for address, attrs in sorted(
        stack.simulated_only.items()) if address.startswith("aws_eks_node_group.")]


def node_group_specs(stack: Stack | None = None) -> dict[str, Any]:
    """The EKS node groups (sizes, instance type, labels, taints, image), read back.

    Returns ``{"source": "emulator" | "stack file", "reason": ..., "node_groups": [...]}``.
    Where the emulator has no EKS, or the stack is not applied, the groups come from
    the stack file, and ``reason`` says why: with the inputs of this ``stack``'s last
    apply where it applied them (simulated only), else with the file's defaults.
    """
    stack = stack or Stack("eks")
    if not stack.capabilities.has("eks"):
        applied = _simulated_node_groups(stack)
        return {"source": "stack file",
                "reason": stack.capabilities.why_not("eks") + (
                    "; the groups as its last apply planned them" if applied else
                    "; the groups with the stack file's default inputs"),
                "node_groups": applied or _spec_node_groups(stack)}
    owned = [a for a in stack.owned().values() if a.type == "aws_eks_node_group"]
    if not owned:
        return {"source": "stack file", "reason": "the eks stack is not applied",
                "node_groups": _spec_node_groups(stack)}
    groups = [_public_group(a.attrs, a.address) for a in sorted(owned, key=lambda a: a.address)]
    return {"source": "emulator", "reason": "", "node_groups": groups}


def where_parts_ran(result_or_plan: Any) -> dict[str, list[str]]:
    """Which resources are on the emulator and which are simulated only."""
    plan = getattr(result_or_plan, "plan", result_or_plan)
    on, sim = [], []
    for c in plan.changes:
        if c.action == "skip":
            sim.append(c.address)
        elif c.action != "delete":
            on.append(c.address)
    return {"on_emulator": on, "simulated_only": sim}
