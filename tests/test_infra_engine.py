"""Plan, apply, destroy of the talk's stack on the emulator; failures converge."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tipsim.errors import InfraError, ParameterError
from tipsim.infra.engine import Stack

pytestmark = pytest.mark.infra

TOGGLES = ("enable_new_ami", "enable_new_network", "enable_green_application")


@pytest.fixture
def talk(emulator) -> Iterator[Stack]:
    """The talk's stack on the test emulator, destroyed afterwards (LocalStack keeps state)."""
    stack = Stack("talk", emulator.session)
    yield stack
    stack.destroy()
    assert stack.owned() == {}


def expected_addresses(ami: bool, network: bool, green: bool) -> set[str]:
    """What the talk's Terraform builds for a toggle combination (talk-infrastructure.md)."""
    n = 2 if network else 1
    out = {f"{t}[{i}]" for i in range(n) for t in (
        "aws_vpc.app_vpc", "aws_internet_gateway.gw", "aws_subnet.public",
        "aws_route_table.public", "aws_route_table_association.public",
        "aws_security_group.instances")}
    out |= {"aws_route53_zone.private[0]", "aws_instance.example[0]", "aws_instance.blue[0]",
            "aws_elb.blue[0]", "aws_route53_record.blue[0]"}
    if ami:
        out.add("aws_instance.example_bionic[0]")
    if network:
        out |= {"aws_instance.canary[0]", "aws_route53_record.canary[0]"}
    if green:
        out |= {"aws_instance.green[0]", "aws_elb.green[0]", "aws_route53_record.green[0]"}
    return out


def test_every_toggle_combination_applies_reapplies_without_change_and_destroys(emulator):
    """8 combinations: apply builds exactly the talk's resources (ELBs simulated only where
    the emulator lacks them), a second apply changes nothing, destroy leaves nothing owned."""
    stack = Stack("talk", emulator.session)
    for combo in itertools.product([False, True], repeat=3):
        toggles = dict(zip(TOGGLES, combo, strict=True))
        result = stack.apply(toggles)
        assert result.ok
        want = expected_addresses(*combo)
        skipped = {c.address for c in result.plan.changes if c.action == "skip"}
        assert set(stack.owned()) == want - skipped, toggles
        again = stack.plan(toggles)
        assert not again.has_changes, (toggles, again.lines())
        stack.destroy()
        assert stack.owned() == {}, toggles


def test_flipping_new_ami_replaces_example_and_creates_example_bionic(talk):
    talk.apply({})
    plan = talk.plan({"enable_new_ami": True})
    actions = {c.address: c.action for c in plan.changes if c.action != "no-op"}
    assert actions == {"aws_instance.example[0]": "replace",
                       "aws_instance.example_bionic[0]": "create"}
    example = plan.by_address()["aws_instance.example[0]"]
    assert example.changed == ["ami"] and "forces replacement" in example.reason
    old_id = example.actual.id
    talk.apply({"enable_new_ami": True})
    owned = talk.owned()
    assert owned["aws_instance.example[0]"].id != old_id  # destroyed, then created
    images = {a.attrs["ami"] for k, a in owned.items() if "example" in k}
    assert len(images) == 1  # example and example_bionic both run bionic
    assert not talk.plan({"enable_new_ami": True}).has_changes


class _NoCalls:
    """A session that fails the test if anything asks it for a client."""

    info = None

    def client(self, name: str):  # pragma: no cover - reaching here is the failure
        raise AssertionError(f"a {name} client was requested before input was validated")


@pytest.mark.parametrize("values, field", [
    ({"enable_turbo": True}, "enable_turbo"),
    ({"enable_new_ami": "maybe"}, "enable_new_ami"),
    ({"vpc_cidr": "10.128.0.0/33"}, "vpc_cidr"),
    ({"vpc_cidr": "10.128.0.0/27"}, "vpc_cidr"),
    ({"prefix": "Bad Prefix"}, "prefix"),
])
def test_bad_input_is_refused_before_any_call(emulator, values, field):
    with pytest.raises(ParameterError) as err:
        Stack("talk", _NoCalls()).apply(values)
    assert err.value.field == field
    with pytest.raises(ParameterError):
        Stack("talk", emulator.session).apply(values)
    vpcs = emulator.session.client("ec2").describe_vpcs(
        Filters=[{"Name": "tag:tipsim:stack", "Values": ["talk"]}])["Vpcs"]
    assert vpcs == []


def test_failure_mid_apply_is_reported_and_the_next_apply_converges(talk):
    """The second RunInstances fails: the error names the step, what ran and what did not;
    the next apply creates only what is missing and a third changes nothing."""
    ec2 = talk.ctx.client("ec2")
    calls = {"n": 0}

    def fail_second_run(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("injected: capacity not available")

    ec2.meta.events.register("before-call.ec2.RunInstances", fail_second_run)
    toggles = {"enable_new_network": True}
    with pytest.raises(InfraError, match="stopped at create aws_instance") as err:
        talk.apply(toggles)
    result = err.value.result
    assert not result.ok and result.not_run and "injected" in result.steps[-1].error
    partial = set(talk.owned())
    assert partial < expected_addresses(False, True, False)
    ec2.meta.events.unregister("before-call.ec2.RunInstances", fail_second_run)
    plan = talk.plan(toggles)
    created = {c.address for c in plan.changes if c.action == "create"}
    assert created == expected_addresses(False, True, False) - partial
    talk.apply(toggles)
    assert set(talk.owned()) == expected_addresses(False, True, False)
    assert not talk.plan(toggles).has_changes


def test_untracked_child_left_by_a_failure_is_reported_and_removed(talk):
    """An association whose address record was lost (a crash between the two calls) shows
    up in the plan as an orphan to delete, and apply converges."""
    talk.apply({})
    assoc = talk.owned()["aws_route_table_association.public[0]"]
    from tipsim.infra.handler import child_key

    talk.ctx.client("ec2").delete_tags(Resources=[assoc.parent_id],
                                       Tags=[{"Key": child_key(assoc.id)}])
    plan = talk.plan({})
    actions = {c.address: c.action for c in plan.changes if c.action != "no-op"}
    assert actions == {f'aws_route_table_association.orphan["{assoc.id}"]': "delete",
                       "aws_route_table_association.public[0]": "create"}
    talk.apply({})
    assert not talk.plan({}).has_changes


def test_inventory_reads_the_chain_vpc_subnet_instance_elb_record(talk):
    talk.apply({"enable_green_application": True})
    if not talk.capabilities.has("elb"):
        pytest.skip(f"no classic ELB here: {talk.capabilities.why_not('elb')}")
    g = talk.inventory()
    chain = ["aws_vpc.app_vpc[0]", "aws_subnet.public[0]", "aws_instance.blue[0]",
             "aws_elb.blue[0]", "aws_route53_record.blue[0]"]
    for upstream, downstream in itertools.pairwise(chain):
        assert g.has_edge(upstream, downstream), (upstream, downstream)
    assert g.has_edge("aws_elb.green[0]", "aws_route53_record.green[0]")


def test_blast_radius_of_replacing_blue_reaches_its_elb_and_record(talk):
    talk.apply({})
    blue = talk.spec.blocks["aws_instance.blue"]
    # a new image for blue, as data: the same engine, a changed attribute
    object.__setattr__(blue, "attributes", {**blue.attributes,
                                            "ami": "${data.aws_ami.nginx_green.id}"})
    plan = talk.plan({})
    radius = plan.blast_radius()
    assert "aws_instance.blue[0]" in radius["direct"]
    assert plan.by_address()["aws_instance.blue[0]"].action == "replace"
    if talk.capabilities.has("elb"):
        assert plan.by_address()["aws_elb.blue[0]"].action == "update"
        assert "aws_route53_record.blue[0]" in radius["downstream"]


def test_without_classic_elb_records_point_at_instances_and_say_so(emulator):
    """Rehearse LocalStack's free edition on moto: ELBs are simulated only, the weighted
    records fall back to the instances' addresses, and the plan says why."""
    from tipsim.infra.capabilities import detect

    caps = detect(emulator.session).without("elb", reason="elb answered HTTP 501")
    stack = Stack("talk", emulator.session, capabilities=caps)
    try:
        result = stack.apply({"enable_green_application": True})
        skipped = {c.address: c.reason for c in result.plan.changes if c.action == "skip"}
        assert set(skipped) == {"aws_elb.blue[0]", "aws_elb.green[0]"}
        assert all("HTTP 501" in r for r in skipped.values())
        owned = stack.owned()
        blue_ip = owned["aws_instance.blue[0]"].attrs["private_ip"]
        assert owned["aws_route53_record.blue[0]"].attrs["records"] == [blue_ip]
        assert owned["aws_route53_record.blue[0]"].attrs["alias"] is None
        assert not stack.plan({"enable_green_application": True}).has_changes
    finally:
        stack.destroy()
    assert stack.owned() == {}
