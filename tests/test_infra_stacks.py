"""The EKS and data-lake stacks in the same engine, and the ``tipsim infra`` CLI."""

from __future__ import annotations

import json

import pytest

from tipsim.infra.engine import Stack
from tipsim.infra.stacks import node_group_specs, where_parts_ran

pytestmark = pytest.mark.infra


def test_eks_node_groups_are_created_read_back_and_destroyed(emulator):
    stack = Stack("eks", emulator.session)
    if not stack.capabilities.has("eks"):
        specs = node_group_specs(stack)
        assert specs["source"] == "stack file" and specs["reason"]
        pytest.skip(f"no EKS here: {stack.capabilities.why_not('eks')}")
    try:
        stack.apply({"insecure_nodes": 4})
        specs = node_group_specs(stack)
        assert specs["source"] == "emulator"
        groups = {g["name"]: g for g in specs["node_groups"]}
        assert set(groups) == {"insecure-os", "secure-os"}
        assert groups["insecure-os"]["desired_size"] == 4
        assert groups["insecure-os"]["labels"] == {"os-image": "insecure"}
        assert groups["insecure-os"]["image"].startswith("tipsim-k8s-node-insecure-os")
        assert groups["secure-os"]["image"].startswith("tipsim-k8s-node-secure-os")
        assert groups["insecure-os"]["taints"] == []
        # slide 12: taint the insecure nodes; an in-place update, not a new group
        plan = stack.plan({"insecure_nodes": 4, "taint_insecure_nodes": True})
        assert {c.address: c.action for c in plan.changes if c.action != "no-op"} == {
            "aws_eks_node_group.insecure_os[0]": "update"}
        stack.apply({"insecure_nodes": 4, "taint_insecure_nodes": True})
        tainted = {g["name"]: g for g in node_group_specs(stack)["node_groups"]}
        assert tainted["insecure-os"]["taints"] == [
            {"key": "external", "value": "true", "effect": "NO_EXECUTE"}]
        assert not stack.plan({"insecure_nodes": 4, "taint_insecure_nodes": True}).has_changes
    finally:
        stack.destroy()
    assert stack.owned() == {}
    assert node_group_specs(stack)["reason"] == "the eks stack is not applied"


def test_node_group_specs_from_the_stack_file_when_eks_is_missing(emulator):
    from tipsim.infra.capabilities import detect

    caps = detect(emulator.session).without("eks", reason="eks answered HTTP 501")
    specs = node_group_specs(Stack("eks", emulator.session, capabilities=caps))
    assert specs["source"] == "stack file" and "501" in specs["reason"]
    assert [g["desired_size"] for g in specs["node_groups"]] == [3, 3]


def test_data_lake_parts_are_created_read_back_and_destroyed(emulator):
    stack = Stack("datalake", emulator.session)
    try:
        result = stack.apply({})
        where = where_parts_ran(result)
        owned = stack.owned()
        for address in where["on_emulator"]:
            assert address in owned
        types = {a.type for a in owned.values()}
        expected = {"aws_s3_bucket", "aws_lambda_function", "aws_iam_role"}
        for service, type_name in (("kafka", "aws_msk_cluster"), ("emr", "aws_emr_cluster")):
            if stack.capabilities.has(service):
                expected.add(type_name)
            else:
                assert type_name not in types
        assert expected <= types
        # the Kafka event source mapping: only where the emulator can hold it
        esm = "aws_lambda_event_source_mapping.consumer[0]"
        if stack.capabilities.has("lambda_kafka_mapping"):
            assert esm in owned
        else:
            assert esm in where["simulated_only"]
        fn = owned["aws_lambda_function.consumer[0]"]
        assert fn.attrs["memory_size_mb"] == 1769  # one vCPU (FACTS.md, AWS docs)
        assert not stack.plan({}).has_changes
        changed = stack.plan({"lambda_memory_mb": 3538})
        assert {c.address: c.action for c in changed.changes
                if c.action not in ("no-op", "skip")} == {
            "aws_lambda_function.consumer[0]": "update"}
    finally:
        stack.destroy()
    assert stack.owned() == {}


def test_cli_plan_apply_show_destroy(emulator, run_cli):
    code, out, err = run_cli("infra", "plan", "--set", "enable_new_ami=true", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["summary"]["create"] == 12 and plan["summary"]["replace"] == 0
    try:
        code, out, err = run_cli("infra", "apply", "--json")
        assert code == 0 and json.loads(out)["ok"] is True, err
        code, out, _ = run_cli("infra", "plan", "--set", "enable_new_ami=true")
        assert code == 0
        assert "aws_instance.example[0] will be replaced (ami)" in out
        assert "aws_instance.example_bionic[0] will be created" in out
        code, out, _ = run_cli("infra", "show", "--json")
        shown = json.loads(out)
        assert code == 0 and len(shown["resources"]) == 11
        assert ["aws_vpc.app_vpc[0]", "aws_subnet.public[0]"] in shown["edges"]
    finally:
        code, out, _ = run_cli("infra", "destroy", "--json")
    assert code == 0 and json.loads(out)["plan"]["delete"] == 11


def test_cli_refuses_bad_input_with_exit_code_2_and_names_the_field(emulator, run_cli):
    code, _, err = run_cli("infra", "apply", "--set", "vpc_cidr=10.128.0.0/33")
    assert code == 2 and "vpc_cidr" in err and "prefix length" in err
    code, _, err = run_cli("infra", "apply", "--set", "enable_turbo=true")
    assert code == 2 and "enable_turbo" in err and "enable_new_ami" in err  # lists valid ones
    code, _, err = run_cli("infra", "plan", "--stack", "nope")
    assert code == 2 and "talk" in err
    vpcs = emulator.session.client("ec2").describe_vpcs(
        Filters=[{"Name": "tag:tipsim:stack", "Values": ["talk"]}])["Vpcs"]
    assert vpcs == []
