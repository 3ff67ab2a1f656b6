"""The EKS and data-lake stacks in the same engine, and the ``tipsim infra`` CLI."""

from __future__ import annotations

import json
import re

import pytest

from tipsim.infra.engine import Stack
from tipsim.infra.stacks import node_group_specs

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
            "aws_eks_node_group.insecure_os": "update"}
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


def test_node_groups_simulated_only_follow_the_last_apply(emulator):
    """Without EKS, the node groups a scenario reads are the ones the last apply planned
    (its inputs, its images), and the stack file's defaults once destroyed."""
    from tipsim.infra.capabilities import detect

    caps = detect(emulator.session).without("eks", reason="eks answered HTTP 501")
    stack = Stack("eks", _Refusing(emulator.session, "eks"), capabilities=caps)
    try:
        result = stack.apply({"insecure_nodes": 4, "secure_nodes": 5})
        assert {c.address for c in result.plan.changes if c.action == "skip"} == {
            "aws_eks_cluster.main", "aws_eks_node_group.insecure_os",
            "aws_eks_node_group.secure_os"}
        specs = node_group_specs(stack)
        assert specs["source"] == "stack file" and "501" in specs["reason"]
        assert "last apply" in specs["reason"]
        groups = {g["name"]: g for g in specs["node_groups"]}
        assert (groups["insecure-os"]["desired_size"], groups["secure-os"]["desired_size"]) \
            == (4, 5)
        assert groups["insecure-os"]["image"].startswith("tipsim-k8s-node-insecure-os")
    finally:
        stack.destroy()
    assert stack.owned() == {}
    assert [g["desired_size"] for g in node_group_specs(stack)["node_groups"]] == [3, 3]


def where_parts_ran(result) -> dict[str, list[str]]:
    """Which resources are on the emulator and which are simulated only."""
    changes = result.plan.changes
    return {"on_emulator": [c.address for c in changes if c.action not in ("skip", "delete")],
            "simulated_only": [c.address for c in changes if c.action == "skip"]}


class _Refusing:
    """A session on the same emulator that fails the test when asked for ``services``."""

    def __init__(self, session, *services: str) -> None:
        self._session = session
        self._refused = set(services)
        self.info = session.info
        self.region_name = getattr(session, "region_name", None)

    def client(self, name: str):
        if name in self._refused:
            raise AssertionError(f"a {name} client was requested although {name} is missing")
        return self._session.client(name)


# What AWS allows in S3, IAM, Lambda, Route53 and ELB tag values (LocalStack's S3 checks it).
TAG_VALUE = re.compile(r"^[\w .:/=+\-@]*$")


def test_data_lake_without_kafka_emr_and_lambda_never_calls_them(emulator):
    """Rehearse LocalStack on any emulator: MSK, EMR and Lambda missing are simulated only,
    never called (read, create or delete); the rest is made, tagged validly, and destroyed."""
    from tipsim.infra.capabilities import detect

    caps = detect(emulator.session).without("kafka", "emr", "lambda",
                                            reason="answered HTTP 501")
    stack = Stack("datalake", _Refusing(emulator.session, "kafka", "emr", "lambda"),
                  capabilities=caps)
    try:
        result = stack.apply({})
        where = where_parts_ran(result)
        assert set(where["simulated_only"]) == {
            "aws_msk_cluster.front", "aws_emr_cluster.spark",
            "aws_lambda_function.consumer", "aws_lambda_event_source_mapping.consumer"}
        owned = stack.owned()
        assert set(owned) == set(where["on_emulator"])
        bucket = owned["aws_s3_bucket.lake"].id
        tags = emulator.session.client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"]
        assert {t["Key"]: t["Value"] for t in tags}["tipsim:address"] == "aws_s3_bucket.lake"
        assert all(TAG_VALUE.match(t["Value"]) for t in tags), tags
        assert not stack.plan({}).has_changes
    finally:
        gone = stack.destroy()
    assert stack.owned() == {}
    assert {c.address for c in gone.plan.changes if c.action == "skip"} == set(
        where["simulated_only"])


def test_data_lake_parts_are_created_read_back_and_destroyed(emulator):
    stack = Stack("datalake", emulator.session)
    try:
        result = stack.apply({})
        where = where_parts_ran(result)
        owned = stack.owned()
        for address in where["on_emulator"]:
            assert address in owned
        types = {a.type for a in owned.values()}
        expected = {"aws_s3_bucket", "aws_iam_role", "aws_vpc", "aws_subnet",
                    "aws_security_group"}
        caps = stack.capabilities
        skipped = {c.address: c.reason for c in result.plan.changes if c.action == "skip"}
        for service, address in (("kafka", "aws_msk_cluster.front"),
                                 ("emr", "aws_emr_cluster.spark"),
                                 ("lambda", "aws_lambda_function.consumer")):
            type_name = address.split(".")[0]
            if caps.has(service):
                expected.add(type_name)
            else:  # simulated only, and the plan says which service is missing
                assert type_name not in types
                assert skipped[address] == caps.why_not(service)
                assert skipped[address].startswith(service)
        assert expected <= types
        # the Kafka event source mapping: only where the emulator can hold it
        esm = "aws_lambda_event_source_mapping.consumer"
        if stack.capabilities.has("lambda_kafka_mapping"):
            assert esm in owned
        else:
            assert esm in where["simulated_only"]
        assert not stack.plan({}).has_changes
        changed = stack.plan({"lambda_memory_mb": 3538})
        changes = {c.address: c.action for c in changed.changes
                   if c.action not in ("no-op", "skip")}
        if caps.has("lambda"):
            fn = owned["aws_lambda_function.consumer"]
            assert fn.attrs["memory_size_mb"] == 1769  # one vCPU (AWS Lambda docs: "Configure Lambda function memory")
            assert changes == {"aws_lambda_function.consumer": "update"}
        else:
            assert changes == {}
            assert changed.by_address()["aws_lambda_function.consumer"].after[
                "memory_size_mb"] == 3538
    finally:
        gone = stack.destroy()
    assert stack.owned() == {}
    assert {c.address for c in gone.plan.changes if c.action == "skip"} == set(where[
        "simulated_only"])


def test_cli_plan_apply_show_destroy(emulator, run_cli):
    """12 resources with the new image (11 without), one of them the blue ELB: where the
    emulator has no classic ELB (LocalStack's free edition) it is simulated only."""
    from tipsim.infra.capabilities import detect

    elb = detect(emulator.session).has("elb")
    code, out, err = run_cli("infra", "plan", "--set", "enable_new_ami=true", "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["summary"]["create"] == (12 if elb else 11) and plan["summary"]["replace"] == 0
    assert plan["summary"]["skip"] == (0 if elb else 1)
    assert plan["emulator"]["available"]["elb"] is elb
    try:
        code, out, err = run_cli("infra", "apply", "--json")
        applied = json.loads(out)
        assert code == 0 and applied["ok"] is True, err
        assert list(applied["skipped"]) == ([] if elb else ["aws_elb.blue"])
        code, out, _ = run_cli("infra", "plan", "--set", "enable_new_ami=true")
        assert code == 0
        assert "# aws_instance.example must be replaced" in out
        assert "# aws_instance.example_bionic[0] will be created" in out
        code, out, _ = run_cli("infra", "show", "--json")
        shown = json.loads(out)
        assert code == 0 and len(shown["resources"]) == (11 if elb else 10)
        assert ["aws_vpc.app_vpc[0]", "aws_subnet.public[0]"] in shown["edges"]
    finally:
        code, out, _ = run_cli("infra", "destroy", "--json")
    destroyed = json.loads(out)
    assert code == 0 and destroyed["plan"]["delete"] == (11 if elb else 10)
    assert destroyed["plan"]["skip"] == (0 if elb else 1)


def test_cli_refuses_bad_input_with_exit_code_2_and_names_the_field(emulator, run_cli):
    def talk_vpcs() -> list[str]:
        return sorted(v["VpcId"] for v in emulator.session.client("ec2").describe_vpcs(
            Filters=[{"Name": "tag:tipsim:stack", "Values": ["talk"]}])["Vpcs"])

    before = talk_vpcs()  # LocalStack keeps state between tests: compare, not assume
    code, _, err = run_cli("infra", "apply", "--set", "vpc_cidr=10.128.0.0/33")
    assert code == 2 and "vpc_cidr" in err and "prefix length" in err
    code, _, err = run_cli("infra", "apply", "--set", "enable_turbo=true")
    assert code == 2 and "enable_turbo" in err and "enable_new_ami" in err  # lists valid ones
    code, _, err = run_cli("infra", "plan", "--stack", "nope")
    assert code == 2 and "talk" in err and "directory of .tf files" in err
    assert talk_vpcs() == before
