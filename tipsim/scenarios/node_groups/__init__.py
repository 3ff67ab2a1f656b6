"""Scenario 3 (talk, slide 12): move external workloads off an insecure node group with a
NoExecute taint, and weigh exposure against disruption.

The steps a learner runs, in order:

* :func:`eviction_rule_cases` / :func:`evicted_at`: the NoExecute rules on a two-node cluster;
* :func:`open_eks_stack`, :func:`build_in_emulator`, :func:`read_back_node_groups`,
  :func:`params_from_readback`, :func:`plan_taint`: the cluster in the AWS emulator, read
  back, sizing the simulation (:mod:`.emulator`);
* :func:`run`, :func:`compare`, :func:`run_cli`: the migration simulated (:mod:`.simulate`).

``Params`` (:mod:`.params`) flattens the fields of the models it drives; ``run_cli`` is
the CLI's ``tipsim run node-groups``.

Example
-------
>>> r = run_cli(Params(), seed=1)
>>> r["evictions"] >= Params().external_replicas // 2
True
"""

from tipsim.scenarios.node_groups.emulator import (
    EKS_STACK,
    NodeGroupsReadBack,
    build_in_emulator,
    open_eks_stack,
    params_from_readback,
    plan_taint,
    read_back_node_groups,
    stack_inputs,
)
from tipsim.scenarios.node_groups.params import Params, RunOptions
from tipsim.scenarios.node_groups.rules import (
    CASES,
    EXTERNAL,
    PATCH,
    evicted_at,
    eviction_rule_cases,
)
from tipsim.scenarios.node_groups.simulate import (
    INSECURE_GROUP,
    INSECURE_IMAGE,
    SECURE_GROUP,
    SECURE_IMAGE,
    cluster_spec,
    compare,
    label,
    run,
    run_cli,
    summarise,
    variants,
)

__all__ = [
    "CASES", "EKS_STACK", "EXTERNAL", "INSECURE_GROUP", "INSECURE_IMAGE", "PATCH", "SECURE_GROUP",
    "SECURE_IMAGE", "NodeGroupsReadBack", "Params", "RunOptions", "build_in_emulator",
    "cluster_spec", "compare", "evicted_at", "eviction_rule_cases", "label", "open_eks_stack",
    "params_from_readback", "plan_taint", "read_back_node_groups", "run", "run_cli",
    "stack_inputs", "summarise", "variants",
]
