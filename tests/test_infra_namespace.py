"""Attendee namespaces: two attendees on one emulator never see nor touch each other's stacks.

The room's failure this prevents (issue 13): attendee B's first cell of notebook 01,
``apply({})`` on a shared LocalStack, deleted attendee A's green network, and A's canary
smoke test then failed 4 of 4.
"""

from __future__ import annotations

import pytest

from tipsim.errors import ParameterError
from tipsim.infra.engine import Stack
from tipsim.infra.namespace import ATTENDEE_ENV, Namespace, from_user_name
from tipsim.infra.smoke import run_smoke

GREEN = {"enable_new_network": True, "enable_green_application": True}


def _ids(stack: Stack) -> dict[str, str]:
    return {address: actual.id for address, actual in stack.owned().items()}


def _tagged_to(emulator, attendee: str) -> set[str]:
    """EC2 ids the emulator holds with ``tipsim:owner=attendee`` (read without the kit)."""
    ec2 = emulator.session.client("ec2")
    owner = [{"Name": "tag:tipsim:owner", "Values": [attendee]}]
    found = {v["VpcId"] for v in ec2.describe_vpcs(Filters=owner)["Vpcs"]}
    found |= {i["InstanceId"] for r in ec2.describe_instances(Filters=owner)["Reservations"]
              for i in r["Instances"] if i["State"]["Name"] != "terminated"}
    return found


@pytest.mark.infra
@pytest.mark.parametrize(("builder", "other"), [("alice", "bob"), ("bob", "alice")])
def test_one_attendees_apply_and_destroy_leave_the_others_green_network_untouched(
        emulator, builder, other):
    """A builds the green network; B applies ``{}`` then destroys on the same emulator:
    every resource of A keeps its id, A's plan shows nothing to do, A's smoke test passes."""
    a = Stack("talk", emulator.session, namespace=Namespace(builder))
    b = Stack("talk", emulator.session, namespace=Namespace(other))
    try:
        built = a.apply(GREEN)
        assert built.ok
        before = _ids(a)
        created = {c.address for c in built.plan.changes if c.action == "create"}
        # What A owns is exactly what A's apply created (the count differs by emulator:
        # LocalStack has no classic ELB, so its records point at instances).
        assert created and set(before) == created and run_smoke(a).passed
        applied = b.apply({})
        assert applied.ok
        assert {c.action for c in applied.plan.changes} <= {"create", "skip"}
        b_ids = set(_ids(b).values())
        assert b_ids and not b_ids & set(before.values())
        assert not b.plan({}).has_changes
        b.destroy()
        assert b.owned() == {} and _tagged_to(emulator, other) == set()
        assert _ids(a) == before
        assert not a.plan(GREEN).has_changes
        smoke = run_smoke(a)
        assert smoke.passed, smoke.to_dict()
        assert _tagged_to(emulator, builder) >= {before["aws_vpc.app_vpc[1]"],
                                                 before["aws_instance.canary[0]"]}
    finally:
        a.destroy()
        b.destroy()
    assert a.owned() == {} and b.owned() == {}


@pytest.mark.infra
def test_names_carry_the_attendees_prefix_and_owner_tag(emulator):
    """Names unique per account (load balancers) differ per attendee; given inputs win."""
    a = Stack("talk", emulator.session, namespace=Namespace("alice"))
    try:
        a.apply({})
        owned = a.owned()
        if a.capabilities.has("elb"):
            assert owned["aws_elb.blue"].attrs["name"] == "alice-elb"
        tags = owned["aws_instance.example"].attrs["tags"]
        assert tags["Name"].startswith("alice-")
        assert a.inputs({"prefix": "room"}).prefix == "room"
        assert a.inputs({}).owner == "alice"
    finally:
        a.destroy()


def test_attendee_name_comes_from_the_environment_else_the_user_name(monkeypatch):
    assert Namespace.from_env({ATTENDEE_ENV: "alice-2"}) == Namespace("alice-2", ATTENDEE_ENV)
    monkeypatch.setattr("getpass.getuser", lambda: "Jane.Doe")
    assert Namespace.from_env({}).attendee == "jane-doe"
    assert from_user_name("42") == "attendee" and len(from_user_name("x" * 40)) == 20


@pytest.mark.parametrize("bad", ["Alice", "alice smith", "1alice", "a" * 21, "al_ice", "-a"])
def test_a_bad_attendee_name_is_one_short_line_naming_the_variable(bad):
    with pytest.raises(ParameterError) as err:
        Namespace.from_env({ATTENDEE_ENV: bad})
    line = str(err.value)
    assert "\n" not in line and line.startswith(f"{ATTENDEE_ENV}=")
    assert "lower-case letters, digits or '-'" in line and "1-20" in line


def test_a_stack_refuses_a_bad_attendee_before_any_emulator_call(monkeypatch):
    monkeypatch.setenv(ATTENDEE_ENV, "Bad Name")
    with pytest.raises(ParameterError, match=ATTENDEE_ENV):
        Stack("talk")


def test_a_learners_edited_stack_keeps_the_namespace() -> None:
    """An edit of the ``.tf`` text (notebook 01's editor) plans in the same namespace."""
    stack = Stack("talk", namespace=Namespace("alice"))
    assert stack.edited({}).namespace == Namespace("alice")
