"""The scenario's emulator steps: build the EKS stack, read the node groups back, size the
simulation from the read-back, plan the taint."""

from __future__ import annotations

from typing import Any

import pytest

from tipsim.errors import ParameterError
from tipsim.scenarios import node_groups
from tipsim.scenarios.node_groups import NodeGroupsReadBack, Params, params_from_readback

READBACK: dict[str, Any] = {
    "source": "stack file", "reason": "no EKS here",
    "node_groups": [
        {"name": "insecure-os", "instance_types": ["t3.large"], "desired_size": 4,
         "labels": {"os-image": "insecure"}, "taints": [], "image": "xenial"},
        {"name": "secure-os", "instance_types": ["t3.large"], "desired_size": 5,
         "labels": {"os-image": "secure"}, "taints": [], "image": "bionic"},
    ],
}


def test_the_read_back_sizes_the_simulation_and_keeps_the_other_parameters() -> None:
    readback = NodeGroupsReadBack.from_infra(READBACK)
    p = params_from_readback(readback, Params(strategy="node-by-node", spare_nodes=1))
    assert (p.insecure_nodes, p.secure_nodes, p.strategy, p.spare_nodes) == (4, 5, "node-by-node", 1)
    assert (p.node_cpu_m, p.node_memory_mb) == (2000, 8192)  # t3.large: 2 vCPU, 8 GiB
    assert [row["name"] for row in readback.table()] == ["insecure-os", "secure-os"]


def test_a_read_back_without_one_insecure_and_one_secure_group_is_refused() -> None:
    both_secure = {**READBACK, "node_groups": [
        {**g, "labels": {"os-image": "secure"}} for g in READBACK["node_groups"]]}
    with pytest.raises(ParameterError, match="node_groups"):
        params_from_readback(NodeGroupsReadBack.from_infra(both_secure))


def test_stack_inputs_follow_the_parameters() -> None:
    p = Params(insecure_nodes=4, secure_nodes=3)
    assert node_groups.stack_inputs(p) == {"insecure_nodes": 4, "secure_nodes": 3,
                                           "taint_insecure_nodes": False}
    assert node_groups.stack_inputs(p, taint=True)["taint_insecure_nodes"] is True


@pytest.mark.infra
def test_the_simulated_cluster_is_sized_from_the_eks_read_back(emulator) -> None:
    """Node groups applied to the emulator (or, without EKS, the stack file) size the
    simulation; the taint is an in-place update of the insecure group (without EKS the
    plan says it is simulated only)."""
    eks = node_groups.open_eks_stack(emulator.session)
    try:
        built = node_groups.build_in_emulator(eks, Params(insecure_nodes=4, secure_nodes=5))
        assert built.ok
        readback = node_groups.read_back_node_groups(eks)
        assert readback.source == ("emulator" if eks.capabilities.has("eks") else "stack file")
        p = params_from_readback(readback, Params(strategy="node-by-node"))
        assert (p.insecure_nodes, p.secure_nodes, p.strategy) == (4, 5, "node-by-node")
        assert (p.node_cpu_m, p.node_memory_mb) == (2000, 4096)  # t3.medium: 2 vCPU, 4 GiB
        assert node_groups.run_cli(p, seed=1)["evictions"] > 0
        plan = node_groups.plan_taint(eks, p)
        taint = plan.by_address()["aws_eks_node_group.insecure_os"]
        if eks.capabilities.has("eks"):
            assert taint.action == "update"
        else:  # LocalStack's free edition: the plan says the group is simulated only
            assert taint.action == "skip" and "eks" in taint.reason
    finally:
        eks.destroy()
