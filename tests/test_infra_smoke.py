"""The canary smoke test and blue/green weight shifting, on the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tipsim.errors import InfraError, ParameterError
from tipsim.infra.engine import Stack
from tipsim.infra.smoke import run_smoke
from tipsim.infra.weights import Weights, read_weights, set_weights

pytestmark = pytest.mark.infra

CANARY_ON = {"enable_new_network": True}


@pytest.fixture
def talk(emulator) -> Iterator[Stack]:
    stack = Stack("talk", emulator.session)
    yield stack
    stack.destroy()


def _by_name(report) -> dict[str, bool]:
    return {c.name: c.passed for c in report.checks}


def test_smoke_passes_on_the_good_canary_network(talk):
    talk.apply(CANARY_ON)
    report = run_smoke(talk)
    assert report.passed, report.to_dict()
    assert set(_by_name(report)) == {"canary_in_green_subnet", "ssh_admitted",
                                     "default_route_to_gateway", "name_resolves"}
    assert "10.128.0.0/28" in report.checks[0].why
    assert "outside_https_301" in report.not_run


def test_missing_default_route_fails_only_the_route_check(talk):
    talk.apply(CANARY_ON)
    table = talk.owned()["aws_route_table.public[1]"]
    talk.ctx.client("ec2").delete_route(RouteTableId=table.id, DestinationCidrBlock="0.0.0.0/0")
    report = run_smoke(talk)
    assert _by_name(report) == {"canary_in_green_subnet": True, "ssh_admitted": True,
                                "default_route_to_gateway": False, "name_resolves": True}
    assert "no 0.0.0.0/0 route" in report.checks[2].why
    # the next apply repairs the drift, and the smoke test passes again
    plan = talk.plan(CANARY_ON)
    assert {c.address: c.action for c in plan.changes if c.action not in ("no-op", "skip")} == {
        "aws_route_table.public[1]": "update"}
    skipped = {c.address for c in plan.changes if c.action == "skip"}
    assert skipped == (set() if talk.capabilities.has("elb") else {"aws_elb.blue"})
    talk.apply(CANARY_ON)
    assert run_smoke(talk).passed


def test_closed_ssh_fails_only_the_ssh_check(talk):
    talk.apply(CANARY_ON)
    group = talk.owned()["aws_security_group.instances[1]"]
    talk.ctx.client("ec2").revoke_security_group_ingress(GroupId=group.id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    report = run_smoke(talk)
    assert _by_name(report)["ssh_admitted"] is False
    assert [c.name for c in report.checks if not c.passed] == ["ssh_admitted"]


def test_smoke_without_a_canary_fails_and_says_why(talk):
    talk.apply({})
    report = run_smoke(talk)
    assert not report.passed
    assert "enable_new_network" in report.checks[0].why


@pytest.mark.parametrize("blue, green", [(-1, 5), (256, 0), (0, 0), (10, 300)])
def test_weights_outside_0_255_or_both_zero_are_refused(blue, green):
    with pytest.raises(ParameterError):
        Weights.create({"blue": blue, "green": green})


def test_weights_are_updated_read_back_and_kept_by_the_next_apply(talk):
    toggles = {"enable_green_application": True}
    talk.apply(toggles)
    assert read_weights(talk) == {"blue": 10, "green": 0}  # the talk's starting weights
    assert set_weights(talk, 3, 7) == {"blue": 3, "green": 7}
    raw = talk.ctx.client("route53").list_resource_record_sets(
        HostedZoneId=talk.owned()["aws_route53_zone.private"].id)["ResourceRecordSets"]
    weights = {r["SetIdentifier"]: r["Weight"] for r in raw if "SetIdentifier" in r}
    assert weights == {"blue": 3, "green": 7}
    assert not talk.plan(toggles).has_changes  # weight is ignore_changes in the stack
    talk.apply(toggles)
    assert read_weights(talk) == {"blue": 3, "green": 7}


def test_green_weight_without_green_application_is_an_error(talk):
    talk.apply({})
    with pytest.raises(InfraError, match="enable_green_application"):
        set_weights(talk, 5, 5)


def test_cli_smoke_and_weights(talk, run_cli):
    talk.apply({**CANARY_ON, "enable_green_application": True})
    code, out, _ = run_cli("infra", "smoke", "--json")
    assert code == 0 and json.loads(out)["passed"] is True
    code, out, _ = run_cli("infra", "weights", "--blue", "1", "--green", "9", "--json")
    assert code == 0 and json.loads(out)["weights"] == {"blue": 1, "green": 9}
    code, _, err = run_cli("infra", "weights", "--blue", "0", "--green", "0")
    assert code == 2 and "both be 0" in err
    code, _, err = run_cli("infra", "weights", "--blue", "300")
    assert code == 2 and "<= 255" in err
