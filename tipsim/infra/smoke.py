"""The canary's smoke test: the kit's version of the talk's test-kitchen + InSpec check.

Run against the emulator's API objects (no packets are sent: the emulator has no
data plane), each check says pass or fail and why:

1. the canary exists, runs, and sits in the green subnet (the /28 of the talk);
2. one of its security groups admits tcp/22 from where it should (default anywhere);
3. its subnet routes 0.0.0.0/0 to an internet gateway attached to its VPC;
4. its name resolves in the private zone ``test.in.production`` to its private IP.

The talk's fifth check (an outside HTTPS site answers 301) needs the internet and
is not run; the report says so.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from tipsim.errors import ParameterError
from tipsim.infra.handler import Actual
from tipsim.infra.hcl.functions import cidrsubnet

CANARY = "aws_instance.canary[0]"
GREEN_SUBNET = "aws_subnet.public[1]"
CANARY_NAME = "canary.test.in.production"


@dataclass
class Check:
    name: str
    passed: bool
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "why": self.why}


@dataclass
class SmokeReport:
    checks: list[Check] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)
    emulator: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def failed(self) -> list[str]:
        return [c.name for c in self.checks if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "emulator": self.emulator,
                "checks": [c.to_dict() for c in self.checks], "not_run": dict(self.not_run)}


def _rule_admits(rule: dict[str, Any], port: int, source: ipaddress.IPv4Network) -> bool:
    proto_ok = rule["protocol"] in ("tcp", "6", "-1")
    port_ok = rule["protocol"] == "-1" or rule["from_port"] <= port <= rule["to_port"]
    nets = [ipaddress.ip_network(c, strict=False) for c in rule["cidr_blocks"]]
    return proto_ok and port_ok and any(
        isinstance(net, ipaddress.IPv4Network) and source.subnet_of(net) for net in nets)


def run_smoke(stack: Any, *, ssh_from: str = "0.0.0.0/0", port: int = 22) -> SmokeReport:
    """Run the canary smoke test against what ``stack`` (a :class:`Stack` of ``talk``) owns."""
    try:
        source = ipaddress.IPv4Network(ssh_from, strict=False)
    except ValueError:
        raise ParameterError("ssh_from", ssh_from, "an IPv4 network such as 0.0.0.0/0") from None
    if not 1 <= int(port) <= 65535:
        raise ParameterError("port", port, "a whole number >= 1 and <= 65535")
    owned = stack.owned()
    by_type: dict[str, list[Actual]] = {}
    for a in owned.values():
        by_type.setdefault(a.type, []).append(a)
    report = SmokeReport(emulator=stack.capabilities.emulator, not_run={
        "outside_https_301": "needs the internet; the emulator has no data plane"})
    canary = owned.get(CANARY)

    # 1. exists, runs, in the green subnet
    if canary is None:
        report.checks.append(Check("canary_in_green_subnet", False,
                                   f"no {CANARY} owned by the stack (is enable_new_network on?)"))
        for name in ("ssh_admitted", "default_route_to_gateway", "name_resolves"):
            report.checks.append(Check(name, False, "no canary to check"))
        return report
    subnet_address = _by_id(owned, canary.attrs.get("subnet_id") or "")
    subnet = owned.get(subnet_address) if subnet_address else None
    green_cidr = cidrsubnet(stack_var(stack, owned), 4, 0)
    ok = (canary.attrs.get("state") in ("pending", "running") and subnet is not None
          and subnet.address == GREEN_SUBNET and subnet.attrs["cidr_block"] == green_cidr)
    where = (f"{subnet.address} {subnet.attrs['cidr_block']}" if subnet else
             f"subnet {canary.attrs['subnet_id']} (not owned by the stack)")
    report.checks.append(Check("canary_in_green_subnet", ok,
                               f"{canary.id} is {canary.attrs.get('state')} in {where}; "
                               f"expected {GREEN_SUBNET} {green_cidr}"))

    # 2. security group admits tcp/port from ssh_from
    groups = [a for a in by_type.get("aws_security_group", [])
              if a.id in canary.attrs["vpc_security_group_ids"]]
    admitting = [g.address for g in groups
                 if any(_rule_admits(r, port, source) for r in g.attrs["ingress"])]
    report.checks.append(Check(
        "ssh_admitted", bool(admitting),
        f"tcp/{port} from {source} admitted by {', '.join(admitting)}" if admitting else
        f"no ingress rule of {', '.join(g.address for g in groups) or 'its groups'} admits "
        f"tcp/{port} from {source}"))

    # 3. the subnet's route table sends 0.0.0.0/0 to an attached internet gateway
    assoc = [a for a in by_type.get("aws_route_table_association", [])
             if a.attrs["subnet_id"] == canary.attrs["subnet_id"]]
    tables = [t for t in by_type.get("aws_route_table", [])
              if assoc and t.id == assoc[0].attrs["route_table_id"]]
    gateways = {g.id: g for g in by_type.get("aws_internet_gateway", [])}
    if not tables:
        report.checks.append(Check("default_route_to_gateway", False,
                                   "the canary's subnet has no route table association"))
    else:
        table = tables[0]
        default = [r for r in table.attrs["route"] if r["cidr_block"] == "0.0.0.0/0"]
        gw = gateways.get(default[0]["gateway_id"]) if default else None
        ok = gw is not None and gw.attrs.get("vpc_id") == canary.attrs.get("vpc_id")
        why = (f"{table.address} routes 0.0.0.0/0 to {gw.address} ({gw.id}), attached to the "
               "canary's VPC" if ok and gw is not None else
               f"{table.address} has no 0.0.0.0/0 route" if not default else
               f"{table.address} routes 0.0.0.0/0 to {default[0]['gateway_id']}, which is not an "
               "internet gateway attached to the canary's VPC")
        report.checks.append(Check("default_route_to_gateway", ok, why))

    # 4. the name resolves in the private zone to the canary's private IP
    records = [r for r in by_type.get("aws_route53_record", [])
               if r.attrs["name"] == CANARY_NAME and r.attrs["type"] == "A"]
    ip = canary.attrs.get("private_ip")
    values = (records[0].attrs.get("records") or []) if records else []
    ok = bool(records) and ip in values
    report.checks.append(Check(
        "name_resolves", ok,
        f"{CANARY_NAME} A {', '.join(values)} (canary private IP {ip})" if records else
        f"no A record {CANARY_NAME} in the stack's private zone"))
    return report


def _by_id(owned: dict[str, Actual], resource_id: str) -> str | None:
    for a in owned.values():
        if a.id == resource_id:
            return a.address
    return None


def stack_var(stack: Any, owned: dict[str, Actual]) -> str:
    """The VPC CIDR in use (read from the green VPC, else the stack's default)."""
    vpc = owned.get("aws_vpc.app_vpc[1]") or owned.get("aws_vpc.app_vpc[0]")
    if vpc is not None:
        return str(vpc.attrs["cidr_block"])
    return str(stack.spec.default("vpc_cidr"))
