"""Handler for the security group: ``ingress`` / ``egress`` blocks as the AWS provider
writes them (lists of ``{protocol, from_port, to_port, cidr_blocks}``; protocol ``-1``
means all, with ports 0), made equal to the wanted rules by revoking and authorizing only
the difference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tipsim.infra.ec2_tags import Ec2Handler, tag_spec
from tipsim.infra.handler import Actual, Context


def _rule_key(rule: Mapping[str, Any]) -> tuple[str, int, int]:
    return str(rule["protocol"]), int(rule["from_port"]), int(rule["to_port"])


def normalize_rules(rules: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rules as sorted ``{protocol, from_port, to_port, cidr_blocks}``; ``-1`` means all."""
    out = []
    for r in rules:
        proto = str(r.get("protocol", "-1")).lower()
        proto = "-1" if proto in ("all", "-1") else proto
        out.append({"protocol": proto,
                    "from_port": 0 if proto == "-1" else int(r.get("from_port", 0)),
                    "to_port": 0 if proto == "-1" else int(r.get("to_port", 0)),
                    "cidr_blocks": sorted(r.get("cidr_blocks", []))})
    return sorted(out, key=_rule_key)


def _permissions(rules: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    perms = []
    for r in normalize_rules(rules):
        perm: dict[str, Any] = {"IpProtocol": r["protocol"],
                                "IpRanges": [{"CidrIp": c} for c in r["cidr_blocks"]]}
        if r["protocol"] != "-1":
            perm.update(FromPort=r["from_port"], ToPort=r["to_port"])
        perms.append(perm)
    return perms


def _rules_from(perms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return normalize_rules([{"protocol": p.get("IpProtocol", "-1"),
                             "from_port": p.get("FromPort", 0), "to_port": p.get("ToPort", 0),
                             "cidr_blocks": [r["CidrIp"] for r in p.get("IpRanges", [])]}
                            for p in perms])


class SecurityGroupHandler(Ec2Handler):
    type_name = "aws_security_group"
    force_new = frozenset({"vpc_id", "name", "description"})
    updatable = frozenset({"ingress", "egress", "tags"})
    delete_rank = 45
    label_key = "name"
    describe, list_key, id_key = "describe_security_groups", "SecurityGroups", "GroupId"

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(attrs)
        for key in ("ingress", "egress"):
            if isinstance(out.get(key), list):
                out[key] = normalize_rules(out[key])
        return out

    def attributes(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"vpc_id": raw.get("VpcId"), "name": raw["GroupName"],
                "description": raw.get("Description", ""),
                "ingress": _rules_from(raw.get("IpPermissions", [])),
                "egress": _rules_from(raw.get("IpPermissionsEgress", []))}

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        ec2 = ctx.client("ec2")
        group_id = ec2.create_security_group(
            GroupName=attrs["name"], Description=attrs.get("description", "tipsim"),
            VpcId=attrs["vpc_id"],
            TagSpecifications=tag_spec(ctx, "security-group", address, attrs.get("tags")),
        )["GroupId"]
        group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        return self.update(ctx, self._actual(group), attrs, {"ingress", "egress"})

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        ec2 = ctx.client("ec2")
        for key, revoke, authorize in (
                ("ingress", ec2.revoke_security_group_ingress,
                 ec2.authorize_security_group_ingress),
                ("egress", ec2.revoke_security_group_egress,
                 ec2.authorize_security_group_egress)):
            if key not in changed:
                continue
            have, want = actual.attrs.get(key, []), normalize_rules(attrs.get(key, []))
            stale = [r for r in have if r not in want]
            new = [r for r in want if r not in have]
            if stale:
                revoke(GroupId=actual.id, IpPermissions=_permissions(stale))
            if new:
                authorize(GroupId=actual.id, IpPermissions=_permissions(new))
        self.update_tags(ctx, actual, attrs, changed)
        group = ec2.describe_security_groups(GroupIds=[actual.id])["SecurityGroups"][0]
        return self._actual(group)

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("ec2").delete_security_group(GroupId=actual.id)
