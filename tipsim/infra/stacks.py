"""Stack-level questions the scenarios ask: the EKS node groups, read back.

The Kubernetes simulation sizes its cluster from :func:`node_group_specs`; where the
emulator has no EKS, the specs come from the stack's ``.tf`` files and say so.
"""

from __future__ import annotations

from typing import Any

from tipsim.infra import addresses
from tipsim.infra.datasources import resolve
from tipsim.infra.engine import Stack
from tipsim.infra.plan import count_of
from tipsim.infra.render import body_value, planned, scope_for


def _spec_node_groups(stack: Stack) -> list[dict[str, Any]]:
    """Node groups as the ``.tf`` files declare them with default inputs (no emulator call:
    an image is its name filter, ids are known only after apply)."""
    spec = stack.spec
    variables = {**spec.inputs_from({}).model_dump(),
                 **dict.fromkeys(spec.emulator_variables, True)}
    data = resolve(None, spec.config, variables)
    view = {r.block: planned(count_of(spec, r.block, variables, data), r.count is not None)
            for r in spec.resources}
    out = []
    for r in spec.resources:
        if r.type != "aws_eks_node_group":
            continue
        counted = r.count is not None
        for i in range(len(view[r.block].values)):
            scope = scope_for(spec.config, variables, data, view, i if counted else None)
            attrs = body_value(r.body, scope)
            out.append(_public_group(attrs, addresses.make(r.block, i if counted else None)))
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
    the stack's files, and ``reason`` says why: with the inputs of this ``stack``'s last
    apply where it applied them (simulated only), else with the files' defaults.
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
