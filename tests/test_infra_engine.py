"""Plan, apply, destroy of the talk's stack on the emulator; failures converge."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tipsim.errors import InfraError, ParameterError
from tipsim.infra.engine import Stack
from tipsim.infra.plan import CHANGING, Plan
from tipsim.infra.spec import StackSpec, stack_dir

pytestmark = pytest.mark.infra

TOGGLES = ("enable_new_ami", "enable_new_network", "enable_green_application")


def changing(plan: Plan) -> dict[str, str]:
    """What a plan changes on the emulator: address -> create/update/replace/delete."""
    return {c.address: c.action for c in plan.changes if c.action in CHANGING}


def simulated(plan: Plan) -> dict[str, str]:
    """What a plan leaves to the simulation: address -> reason."""
    return {c.address: c.reason for c in plan.changes if c.action == "skip"}


def without_elb(stack: Stack, addresses: set[str]) -> set[str]:
    """``addresses`` as the emulator holds them: no load balancer where it has no classic ELB
    (LocalStack's free edition: HTTP 501); the records then point at the instances."""
    if stack.capabilities.has("elb"):
        return set(addresses)
    return {a for a in addresses if not a.startswith("aws_elb.")}


def assert_elbs_simulated_only(stack: Stack, plan: Plan, wanted: set[str]) -> None:
    """Exactly the wanted ELBs are skipped where ELB is missing, each with the reason; none
    where it is there."""
    elbs = {a for a in wanted if a.startswith("aws_elb.")}
    skipped = simulated(plan)
    if stack.capabilities.has("elb"):
        assert skipped == {}
    else:
        assert set(skipped) == elbs
        assert all(r == stack.capabilities.why_not("elb") and r.startswith("elb")
                   for r in skipped.values()), skipped


def talk_vpcs(emulator) -> list[str]:
    return sorted(v["VpcId"] for v in emulator.session.client("ec2").describe_vpcs(
        Filters=[{"Name": "tag:tipsim:stack", "Values": ["talk"]}])["Vpcs"])


@pytest.fixture
def talk(emulator) -> Iterator[Stack]:
    """The talk's stack on the test emulator, destroyed afterwards (LocalStack keeps state)."""
    stack = Stack("talk", emulator.session)
    yield stack
    stack.destroy()
    assert stack.owned() == {}


def expected_addresses(ami: bool, network: bool, green: bool) -> set[str]:
    """What the talk's Terraform builds for a toggle combination (its slides 8 and 10)."""
    n = 2 if network else 1
    out = {f"{t}[{i}]" for i in range(n) for t in (
        "aws_vpc.app_vpc", "aws_internet_gateway.gw", "aws_subnet.public",
        "aws_route_table.public", "aws_route_table_association.public",
        "aws_security_group.instances")}
    out |= {"aws_route53_zone.private", "aws_instance.example", "aws_instance.blue",
            "aws_elb.blue", "aws_route53_record.blue[0]"}
    if ami:
        out.add("aws_instance.example_bionic[0]")
    if network:
        out |= {"aws_instance.canary[0]", "aws_route53_record.canary[0]"}
    if green:
        out |= {"aws_instance.green[0]", "aws_elb.green[0]", "aws_route53_record.green[0]"}
    return out


def as_held(stack: Stack, wanted: set[str]) -> set[str]:
    """``wanted`` as the emulator holds it: without classic ELB (LocalStack's free edition)
    the load balancers are simulated only and the weighted records name the instances
    (``*_instance`` records of blue_green.tf)."""
    if stack.capabilities.has("elb"):
        return set(wanted)
    return {a.replace("aws_route53_record.blue[", "aws_route53_record.blue_instance[")
            .replace("aws_route53_record.green[", "aws_route53_record.green_instance[")
            for a in wanted if not a.startswith("aws_elb.")}


def test_every_toggle_combination_applies_reapplies_without_change_and_destroys(emulator):
    """8 combinations: apply builds exactly the talk's resources (ELBs simulated only where
    the emulator lacks them), a second apply changes nothing, destroy leaves nothing owned."""
    stack = Stack("talk", emulator.session)
    try:
        for combo in itertools.product([False, True], repeat=3):
            toggles = dict(zip(TOGGLES, combo, strict=True))
            result = stack.apply(toggles)
            assert result.ok
            want = expected_addresses(*combo)
            assert_elbs_simulated_only(stack, result.plan, want)
            owned = stack.owned()
            assert set(owned) == as_held(stack, want), toggles
            if not stack.capabilities.has("elb"):  # weighted records name the instances
                for side in ("blue", "green") if combo[2] else ("blue",):
                    ip = owned[f"aws_instance.{side}[0]"].attrs["private_ip"]
                    assert owned[f"aws_route53_record.{side}_instance[0]"].attrs[
                        "records"] == [ip]
            again = stack.plan(toggles)
            assert not again.has_changes, (toggles, again.lines())
            gone = stack.destroy(toggles)
            assert set(changing(gone.plan)) == set(owned), toggles
            assert_elbs_simulated_only(stack, gone.plan, want)
            assert stack.owned() == {}, toggles
    finally:
        stack.destroy()


def test_flipping_new_ami_replaces_example_and_creates_example_bionic(talk):
    talk.apply({})
    plan = talk.plan({"enable_new_ami": True})
    assert changing(plan) == {"aws_instance.example": "replace",
                              "aws_instance.example_bionic[0]": "create"}
    assert_elbs_simulated_only(talk, plan, {"aws_elb.blue"})
    example = plan.by_address()["aws_instance.example"]
    assert example.changed == ["ami"] and "forces replacement" in example.reason
    old_id = example.actual.id
    talk.apply({"enable_new_ami": True})
    owned = talk.owned()
    assert owned["aws_instance.example"].id != old_id  # destroyed, then created
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
    before = talk_vpcs(emulator)  # LocalStack keeps state between tests: compare, not assume
    with pytest.raises(ParameterError):
        Stack("talk", emulator.session).apply(values)
    assert talk_vpcs(emulator) == before


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
    full = as_held(talk, expected_addresses(False, True, False))
    assert partial < full
    ec2.meta.events.unregister("before-call.ec2.RunInstances", fail_second_run)
    plan = talk.plan(toggles)
    assert changing(plan) == dict.fromkeys(full - partial, "create")
    talk.apply(toggles)
    assert set(talk.owned()) == full
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
    assert changing(plan) == {f'aws_route_table_association.orphan["{assoc.id}"]': "delete",
                              "aws_route_table_association.public[0]": "create"}
    talk.apply({})
    assert not talk.plan({}).has_changes


def test_inventory_reads_the_chain_vpc_subnet_instance_elb_record(talk):
    """VPC -> subnet -> instance -> ELB -> record; where the emulator has no classic ELB,
    the record holds the instance's address: VPC -> subnet -> instance -> record."""
    talk.apply({"enable_green_application": True})
    g = talk.inventory()
    has_elb = talk.capabilities.has("elb")
    record = "aws_route53_record.blue[0]" if has_elb else "aws_route53_record.blue_instance[0]"
    chain = ["aws_vpc.app_vpc[0]", "aws_subnet.public[0]", "aws_instance.blue",
             *(["aws_elb.blue"] if has_elb else []), record]
    for upstream, downstream in itertools.pairwise(chain):
        assert g.has_edge(upstream, downstream), (upstream, downstream)
    green_source = "aws_elb.green[0]" if has_elb else "aws_instance.green[0]"
    green = "aws_route53_record.green[0]" if has_elb else "aws_route53_record.green_instance[0]"
    assert g.has_edge(green_source, green)
    assert not any(n.startswith("aws_elb.") for n in g) or has_elb


def test_blast_radius_of_replacing_blue_reaches_its_elb_and_record(talk):
    """An edited copy of the talk's .tf files (blue on the green image) plans against what
    the talk stack holds: blue is replaced, and the change reaches its ELB and record."""
    talk.apply({})
    files = {p.name: p.read_text() for p in stack_dir("talk").glob("*.tf")}
    edited = files["blue_green.tf"].replace("data.aws_ami.nginx_blue.id",
                                            "data.aws_ami.nginx_green.id", 1)
    assert edited != files["blue_green.tf"]
    spec = StackSpec.from_texts("talk", {**files, "blue_green.tf": edited})
    copy = Stack("talk", talk.session, capabilities=talk.capabilities, spec=spec)
    plan = copy.plan({})
    radius = plan.blast_radius()
    assert "aws_instance.blue" in radius["direct"]
    assert plan.by_address()["aws_instance.blue"].action == "replace"
    if talk.capabilities.has("elb"):
        assert plan.by_address()["aws_elb.blue"].action == "update"
        assert "aws_route53_record.blue[0]" in radius["downstream"]
    else:  # the record names the instance's address itself, unknown until the new one runs
        record = plan.by_address()["aws_route53_record.blue_instance[0]"]
        assert plan.by_address()["aws_elb.blue"].action == "skip"
        assert record.action == "update" and record.changed == ["records"]
        assert "aws_route53_record.blue_instance[0]" in radius["direct"]
        assert plan.graph.has_edge("aws_instance.blue",
                                   "aws_route53_record.blue_instance[0]")


def test_without_classic_elb_records_point_at_instances_and_say_so(emulator):
    """Rehearse LocalStack's free edition on moto: ELBs are simulated only, the weighted
    records fall back to the instances' addresses, and the plan says why."""
    from tipsim.infra.capabilities import detect

    caps = detect(emulator.session).without("elb", reason="elb answered HTTP 501")
    session = _NoElb(emulator.session)  # the same emulator; asking it for ELB fails the test
    stack = Stack("talk", session, capabilities=caps)
    try:
        result = stack.apply({"enable_green_application": True})
        skipped = simulated(result.plan)
        assert set(skipped) == {"aws_elb.blue", "aws_elb.green[0]"}
        assert all("HTTP 501" in r for r in skipped.values())
        owned = stack.owned()
        blue_ip = owned["aws_instance.blue"].attrs["private_ip"]
        assert owned["aws_route53_record.blue_instance[0]"].attrs["records"] == [blue_ip]
        assert owned["aws_route53_record.blue_instance[0]"].attrs["alias"] == []
        assert "aws_route53_record.blue[0]" not in owned
        assert not stack.plan({"enable_green_application": True}).has_changes
    finally:
        gone = stack.destroy({"enable_green_application": True})
    assert set(simulated(gone.plan)) == {"aws_elb.blue", "aws_elb.green[0]"}
    assert stack.owned() == {}
    assert session.asked == set()


class _NoElb:
    """A session that refuses to make an ELB client (and records that it was asked)."""

    def __init__(self, session) -> None:
        self._session = session
        self.info = session.info
        self.region_name = getattr(session, "region_name", None)
        self.asked: set[str] = set()

    def client(self, name: str):
        if name == "elb":
            self.asked.add(name)
            raise AssertionError("an elb client was requested although ELB is missing")
        return self._session.client(name)
