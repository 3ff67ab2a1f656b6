"""The talk's EKS cluster in the AWS emulator: build it, read its node groups back, size
the simulation from the read-back, and plan the taint.

Four steps a learner runs (talk, slide 12):

1. :func:`open_eks_stack` and :func:`build_in_emulator`: one control plane and two managed
   node groups, ``insecure-os`` and ``secure-os``, labelled with their OS image;
2. :func:`read_back_node_groups`: the node groups as the emulator reports them (where the
   emulator has no EKS, as in LocalStack's free edition, from the same stack file, and the
   read-back says so);
3. :func:`params_from_readback`: the simulation's node counts and node size from what was
   read back, the rest of the parameters unchanged;
4. :func:`plan_taint`: ``kubectl taint nodes external=true:NoExecute`` on a managed node
   group is a change to the group's taints, so the plan shows an update in place.

Example
-------
>>> eks = open_eks_stack()                                   # doctest: +SKIP
>>> build_in_emulator(eks, Params()).ok                      # doctest: +SKIP
True
>>> p = params_from_readback(read_back_node_groups(eks))     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tipsim.errors import ParameterError
from tipsim.scenarios.infrastructure import (
    ApplyResult,
    Plan,
    Stack,
    node_group_specs,
    open_stack,
)
from tipsim.scenarios.node_groups.params import Params
from tipsim.sim.k8s.spec import NodeGroupSpec, node_group_from_dict

EKS_STACK = "eks"
"""The kit's stack of the talk's Kubernetes cluster (``data/terraform/eks/``)."""


@dataclass(frozen=True)
class NodeGroupsReadBack:
    """The EKS node groups read back, as the emulator (or the stack file) gave them.

    ``source`` is ``"emulator"`` or ``"stack file"`` and ``reason`` says why the second;
    ``rows`` are the groups as read (name, ``desired_size``, ``instance_types``, labels,
    taints, image), ``groups`` the same as the simulation reads them.
    """

    source: str
    reason: str
    rows: tuple[Mapping[str, Any], ...]
    groups: tuple[NodeGroupSpec, ...]

    @classmethod
    def from_infra(cls, readback: Mapping[str, Any]) -> NodeGroupsReadBack:
        """From the stacks' ``node_group_specs`` answer."""
        rows = tuple(dict(g) for g in readback["node_groups"])
        return cls(source=str(readback.get("source", "")), reason=str(readback.get("reason", "")),
                   rows=rows, groups=tuple(node_group_from_dict(g) for g in rows))

    def table(self) -> list[dict[str, Any]]:
        """One row per node group, the columns a learner compares with the stack file."""
        keys = ("name", "desired_size", "instance_types", "labels", "taints")
        return [{k: row.get(k) for k in keys} for row in self.rows]


def stack_inputs(p: Params, *, taint: bool = False) -> dict[str, Any]:
    """The EKS stack's inputs for ``p``: node counts, and whether the insecure group is tainted."""
    return {"insecure_nodes": p.insecure_nodes, "secure_nodes": p.secure_nodes,
            "taint_insecure_nodes": taint}


def open_eks_stack(session: Any = None) -> Stack:
    """The EKS stack, bound to the emulator (default: the one the kit finds or starts)."""
    return open_stack(EKS_STACK, session)


def build_in_emulator(stack: Stack, p: Params) -> ApplyResult:
    """Apply the EKS stack with ``p``'s node counts, the insecure group not yet tainted."""
    return stack.apply(stack_inputs(p))


def read_back_node_groups(stack: Stack) -> NodeGroupsReadBack:
    """The node groups as the emulator reports them (or as the stack file declares them
    where the emulator has no EKS)."""
    return NodeGroupsReadBack.from_infra(node_group_specs(stack))


def params_from_readback(readback: NodeGroupsReadBack, base: Params | None = None) -> Params:
    """Size the simulated cluster from the read-back.

    The group whose ``os-image`` label says insecure gives ``insecure_nodes``, the other
    ``secure_nodes``; node CPU and memory come from the instance type. Other parameters
    stay as in ``base``.
    """
    insecure = [g for g in readback.groups if not g.secure]
    secure = [g for g in readback.groups if g.secure]
    if len(insecure) != 1 or len(secure) != 1:
        raise ParameterError("node_groups", [g.name for g in readback.groups],
                             "one insecure-OS and one secure-OS node group")
    base = base or Params()
    return base.replace(insecure_nodes=insecure[0].size, secure_nodes=secure[0].size,
                        node_cpu_m=insecure[0].cpu_m, node_memory_mb=insecure[0].memory_mb)


def plan_taint(stack: Stack, p: Params) -> Plan:
    """The plan of tainting the insecure group ``external=true:NoExecute`` (not applied)."""
    return stack.plan(stack_inputs(p, taint=True))
