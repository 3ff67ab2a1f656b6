"""The stack language and stack files, without an emulator."""

from __future__ import annotations

import pytest

from tipsim.errors import InfraError, ParameterError
from tipsim.infra.expr import UNKNOWN, EvalContext, cidrsubnet, evaluate, references, render
from tipsim.infra.spec import StackSpec, available_stacks


def test_cidrsubnet_matches_terraform_documented_values():
    """Terraform docs: cidrsubnet("10.1.2.0/24", 4, 15) = "10.1.2.240/28"; the talk's green
    subnet cidrsubnet("10.128.0.0/24", 4, 0) is the first /28."""
    assert cidrsubnet("10.1.2.0/24", 4, 15) == "10.1.2.240/28"
    assert cidrsubnet("10.128.0.0/24", 4, 0) == "10.128.0.0/28"
    with pytest.raises(InfraError, match="netnum"):
        cidrsubnet("10.128.0.0/24", 4, 16)


def test_whole_expression_keeps_type_and_interpolation_makes_text():
    ctx = EvalContext(variables={"on": True, "prefix": "p"}, index=1)
    assert render("${2 if var.on else 1}", ctx) == 2
    assert render("${var.prefix}-${count.index}", ctx) == "p-1"
    assert render({"a": ["${var.on}"]}, ctx) == {"a": [True]}


def test_reference_to_a_resource_not_yet_created_is_unknown_and_recorded():
    ctx = EvalContext(resources={"aws_vpc.app": [None]}, resource_types=frozenset({"aws_vpc"}))
    assert evaluate("aws_vpc.app[0].id", ctx) is UNKNOWN
    assert ctx.read == {"aws_vpc.app[0]"}
    known = EvalContext(resources={"aws_vpc.app": [{"id": "vpc-1"}]},
                        resource_types=frozenset({"aws_vpc"}))
    assert render("${[v.id for v in aws_vpc.app]}", known) == ["vpc-1"]


@pytest.mark.parametrize("source", ["__import__('os')", "var.__class__", "open('x')",
                                    "(lambda: 1)()", "var.x.y.__dict__"])
def test_expressions_outside_the_small_language_are_refused(source):
    with pytest.raises(InfraError):
        evaluate(source, EvalContext(variables={"x": {"y": 1}}))


def test_references_are_read_from_the_syntax():
    assert references("${aws_elb.blue[0].dns_name if cap.elb else aws_instance.b[0].id}") == {
        "aws_elb.blue", "aws_instance.b"}


def test_stack_referring_to_a_missing_block_or_in_a_cycle_is_refused():
    base = {"name": "bad", "inputs": {}, "resources": [
        {"type": "aws_vpc", "name": "a", "attributes": {"cidr_block": "${aws_subnet.s[0].id}"}},
        {"type": "aws_subnet", "name": "s", "attributes": {"vpc_id": "${aws_vpc.a[0].id}"}}]}
    with pytest.raises(InfraError, match="cycle"):
        StackSpec.from_dict(base)
    base["resources"] = base["resources"][1:]
    with pytest.raises(InfraError, match="not in the stack"):
        StackSpec.from_dict(base)


def test_all_shipped_stacks_load_and_validate_inputs():
    assert {"talk", "eks", "datalake"} <= set(available_stacks())
    for name in ("talk", "eks", "datalake"):
        spec = StackSpec.load(name)
        assert spec.inputs_from({}) is not None
    talk = StackSpec.load("talk")
    assert talk.toggles == ["enable_new_ami", "enable_new_network", "enable_green_application"]
    with pytest.raises(ParameterError) as err:
        talk.inputs_from({"vpc_cidr": "10.128.0.1/24"})
    assert err.value.field == "vpc_cidr" and "prefix length 16-24" in str(err.value)
    with pytest.raises(ParameterError) as err:
        talk.inputs_from({"enable_turbo": True})
    assert err.value.field == "enable_turbo" and "unknown parameter" in str(err.value)
    with pytest.raises(ParameterError) as err:
        talk.params_class.from_sets(["enable_new_ami=maybe"])
    assert err.value.field == "enable_new_ami" and "true or false" in str(err.value)
    with pytest.raises(ParameterError):
        StackSpec.load("no-such-stack")
