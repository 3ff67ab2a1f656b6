"""Smoke test of the emulator the run is given: embedded moto, or a real LocalStack.

``make test-localstack`` runs every ``infra`` test against LocalStack's own runtime
(``scripts/test_localstack.py``); a plain ``make test`` runs them against the
embedded moto server. Each test here records which emulator answered
(``record_property("emulator", ...)``, read back into the run's summary), and a
service that this LocalStack edition leaves out (ELB, EMR, MSK, EKS answer HTTP 501
"not included in your current license plan"; LocalStack's licensing page,
https://docs.localstack.cloud/references/licensing/, lists them outside the free plan)
is a skip that says so, never a silent pass. On moto every service must answer.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tipsim.emulator.status import SERVICE_PROBES

pytestmark = pytest.mark.infra

# A cheap read per service: the status report's probes, plus two services the kit may use.
SERVICE_READS: dict[str, tuple[str, str, str]] = {
    **{k: v for k, v in SERVICE_PROBES.items() if k != "lambda"},
    "sqs": ("sqs", "list_queues", "ResponseMetadata"),
    "iam": ("iam", "list_roles", "Roles"),
}
# Documented as missing from LocalStack's free edition (HTTP 501): skipped there, with a reason.
NOT_IN_LOCALSTACK_EDITION = {"elb", "emr", "kafka", "eks"}


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


@pytest.fixture
def emulator_name(emulator: Any, record_property: Any) -> str:
    """'LocalStack <version>' or 'embedded moto <version>', recorded on the test's report."""
    if emulator.kind == "localstack":
        from tipsim.emulator.probe import probe

        found = probe(emulator.endpoint_url, timeout_s=5.0)
        assert found.kind == "localstack", f"{emulator.endpoint_url} is not LocalStack"
        name = f"LocalStack {found.version}".strip()
    else:
        from tipsim.emulator.embedded import moto_version

        name = f"embedded moto {moto_version()}"
    record_property("emulator", name)
    return name


@pytest.fixture
def ec2(emulator: Any) -> Any:
    return emulator.session.client("ec2")


@pytest.fixture
def route53(emulator: Any) -> Any:
    return emulator.session.client("route53")


@pytest.fixture
def vpc_id(ec2: Any) -> Iterator[str]:
    """A fresh VPC, deleted afterwards (LocalStack has no reset: clean up what we make)."""
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    yield vpc
    with contextlib.suppress(ClientError):
        ec2.delete_vpc(VpcId=vpc)


def test_vpc_with_subnets_and_security_group_is_described_back(
        ec2: Any, vpc_id: str, emulator_name: str) -> None:
    """A VPC, two subnets in two zones and a security group come back as created."""
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    assert len(zones) >= 2, f"{emulator_name}: fewer than two availability zones: {zones}"
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.42.{i}.0/24",
                                 AvailabilityZone=zones[i])["Subnet"]["SubnetId"]
               for i in range(2)]
    group = ec2.create_security_group(GroupName=f"smoke-{uuid.uuid4().hex[:8]}",
                                      Description="smoke test", VpcId=vpc_id)["GroupId"]
    try:
        ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                                           "IpRanges": [{"CidrIp": "10.42.0.0/16"}]}])
        vpcs = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
        assert [v["CidrBlock"] for v in vpcs] == ["10.42.0.0/16"]
        found = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
        assert sorted(s["CidrBlock"] for s in found) == ["10.42.0.0/24", "10.42.1.0/24"]
        assert {s["AvailabilityZone"] for s in found} == set(zones[:2])
        sg = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
        assert sg["VpcId"] == vpc_id
        assert [p["FromPort"] for p in sg["IpPermissions"]] == [80]
    finally:
        with contextlib.suppress(ClientError):
            ec2.delete_security_group(GroupId=group)
        for subnet in subnets:
            with contextlib.suppress(ClientError):
                ec2.delete_subnet(SubnetId=subnet)


def _weights(route53: Any, zone_id: str, name: str) -> dict[str, int]:
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {r["SetIdentifier"]: int(r["Weight"]) for r in records
            if r["Name"] == name and r["Type"] == "A" and "SetIdentifier" in r}


def test_private_zone_weighted_records_shift_traffic_weights(
        route53: Any, vpc_id: str, emulator: Any, emulator_name: str) -> None:
    """Blue/green weighted records in a private zone: created 90/10, then shifted to 50/50.

    This is the DNS half of the talk's canary: two weighted records for one name,
    whose weights an UPSERT changes. LocalStack needs a HostedZoneConfig Comment.
    """
    zone_name = "smoke.tipsim.internal."
    record = f"app.{zone_name}"
    zone = route53.create_hosted_zone(
        Name=zone_name, CallerReference=uuid.uuid4().hex,
        VPC={"VPCRegion": emulator.session.region_name, "VPCId": vpc_id},
        HostedZoneConfig={"Comment": "tipsim smoke test", "PrivateZone": True},
    )["HostedZone"]
    zone_id = zone["Id"]

    def upsert(weights: dict[str, int]) -> None:
        changes = [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": record, "Type": "A", "SetIdentifier": color, "Weight": weight, "TTL": 60,
            "ResourceRecords": [{"Value": ip}]}}
            for (color, weight), ip in zip(weights.items(), ("10.42.0.10", "10.42.1.10"),
                                           strict=True)]
        route53.change_resource_record_sets(HostedZoneId=zone_id,
                                            ChangeBatch={"Changes": changes})

    try:
        assert zone["Config"]["PrivateZone"] is True
        upsert({"blue": 90, "green": 10})
        assert _weights(route53, zone_id, record) == {"blue": 90, "green": 10}, emulator_name
        upsert({"blue": 50, "green": 50})
        assert _weights(route53, zone_id, record) == {"blue": 50, "green": 50}, emulator_name
        vpcs = route53.get_hosted_zone(Id=zone_id).get("VPCs", [])
        assert vpc_id in [v["VPCId"] for v in vpcs]
    finally:
        records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        deletes = [{"Action": "DELETE", "ResourceRecordSet": r} for r in records
                   if r["Type"] not in ("SOA", "NS")]
        with contextlib.suppress(ClientError):
            if deletes:
                route53.change_resource_record_sets(HostedZoneId=zone_id,
                                                    ChangeBatch={"Changes": deletes})
            route53.delete_hosted_zone(Id=zone_id)


@pytest.mark.parametrize("service", list(SERVICE_READS))
def test_service_answers_or_is_reported_missing_from_this_edition(
        service: str, emulator: Any, emulator_name: str) -> None:
    """Every service the talk uses answers a read; on LocalStack a 501 for a service
    its free edition leaves out becomes a skip naming the service, so a run shows
    which parts could not run there."""
    client_name, operation, key = SERVICE_READS[service]
    try:
        answer = getattr(emulator.session.client(client_name), operation)()
    except ClientError as exc:
        if (emulator.kind == "localstack" and service in NOT_IN_LOCALSTACK_EDITION
                and _status(exc) == 501):
            pytest.skip(f"{service} is not in this LocalStack edition ({emulator_name}, "
                        "HTTP 501); it runs on the embedded moto emulator")
        raise
    assert key in answer, f"{service} on {emulator_name}: no {key!r} in the answer"


def test_infra_layer_reports_each_missing_service_as_simulated_only(
        emulator: Any, emulator_name: str) -> None:
    """The infrastructure layer's own detection agrees with the reads above: on LocalStack
    the services its edition leaves out are simulated only, each with a reason naming it
    (and Lambda too where LocalStack cannot prepare functions); on moto nothing is missing
    but the Kafka event source mapping, which moto does not implement."""
    from tipsim.infra.capabilities import PROBES, detect

    caps = detect(emulator.session)
    for service in ("ec2", "route53", "s3", "iam"):
        assert caps.has(service), f"{service} on {emulator_name}: {caps.why_not(service)}"
    if emulator.kind == "localstack":
        for service in NOT_IN_LOCALSTACK_EDITION:
            assert not caps.has(service)
            assert caps.why_not(service).startswith(f"{service} answered HTTP 501")
        if not caps.has("lambda"):
            assert caps.why_not("lambda").startswith("lambda: LocalStack cannot prepare")
        assert not caps.has("lambda_kafka_mapping")
    else:
        assert all(caps.has(s) for s in PROBES), caps.to_dict()
        assert caps.to_dict()["simulated_only"] == {
            "lambda_kafka_mapping": caps.why_not("lambda_kafka_mapping")}
