"""Handlers for the network: VPC, subnet, internet gateway, route table (+ association),
security group. Attributes are named as the AWS provider's arguments (``route`` and
``ingress``/``egress`` blocks are lists of objects, as in ``terraform show -json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tipsim.infra.handler import (
    Actual,
    Context,
    Handler,
    address_of,
    address_tag,
    child_key,
    decode_address,
    orphan_address,
    tag_dict,
    tag_list,
    user_tags,
)


def owned_filter(ctx: Context) -> list[dict[str, Any]]:
    return [{"Name": "tag:tipsim:stack", "Values": [ctx.stack]}]


def tag_spec(ctx: Context, resource_type: str, address: str,
             tags: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """EC2 ``TagSpecifications``: ownership and user tags set in the create call itself."""
    all_tags = {**(tags or {}), **ctx.owner_tags(address)}
    return [{"ResourceType": resource_type, "Tags": tag_list(all_tags)}]


def set_tags(ctx: Context, resource_id: str, old: Mapping[str, str],
             new: Mapping[str, str]) -> None:
    """Make the user tags of an EC2 resource equal ``new`` (ownership tags untouched)."""
    ec2 = ctx.client("ec2")
    gone = [k for k in old if k not in new]
    if gone:
        ec2.delete_tags(Resources=[resource_id], Tags=[{"Key": k} for k in gone])
    if new:
        ec2.create_tags(Resources=[resource_id], Tags=tag_list(new))


class VpcHandler(Handler):
    type_name = "aws_vpc"
    force_new = frozenset({"cidr_block"})
    updatable = frozenset({"tags"})
    delete_rank = 10
    label_key = "cidr_block"

    def _actual(self, v: dict[str, Any]) -> Actual:
        tags = tag_dict(v.get("Tags"))
        return Actual(address_of(tags), self.type_name, v["VpcId"],
                      {"id": v["VpcId"], "cidr_block": v["CidrBlock"], "tags": user_tags(tags)})

    def read_owned(self, ctx: Context) -> list[Actual]:
        res = ctx.client("ec2").describe_vpcs(Filters=owned_filter(ctx))
        return [self._actual(v) for v in res["Vpcs"]]

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        res = ctx.client("ec2").create_vpc(
            CidrBlock=attrs["cidr_block"],
            TagSpecifications=tag_spec(ctx, "vpc", address, attrs.get("tags")))
        return self._actual(res["Vpc"])

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        set_tags(ctx, actual.id, actual.attrs["tags"], attrs.get("tags", {}))
        return Actual(actual.address, self.type_name, actual.id,
                      {**actual.attrs, "tags": dict(attrs.get("tags", {}))})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("ec2").delete_vpc(VpcId=actual.id)


class SubnetHandler(Handler):
    type_name = "aws_subnet"
    force_new = frozenset({"vpc_id", "cidr_block", "availability_zone"})
    updatable = frozenset({"tags", "map_public_ip_on_launch"})
    delete_rank = 40
    label_key = "cidr_block"

    def _actual(self, s: dict[str, Any]) -> Actual:
        tags = tag_dict(s.get("Tags"))
        return Actual(address_of(tags), self.type_name, s["SubnetId"], {
            "id": s["SubnetId"], "vpc_id": s["VpcId"], "cidr_block": s["CidrBlock"],
            "availability_zone": s["AvailabilityZone"],
            "map_public_ip_on_launch": bool(s.get("MapPublicIpOnLaunch", False)),
            "tags": user_tags(tags)})

    def read_owned(self, ctx: Context) -> list[Actual]:
        res = ctx.client("ec2").describe_subnets(Filters=owned_filter(ctx))
        return [self._actual(s) for s in res["Subnets"]]

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        ec2 = ctx.client("ec2")
        kwargs: dict[str, Any] = {"VpcId": attrs["vpc_id"], "CidrBlock": attrs["cidr_block"],
                                  "TagSpecifications": tag_spec(ctx, "subnet", address,
                                                                attrs.get("tags"))}
        if attrs.get("availability_zone"):
            kwargs["AvailabilityZone"] = attrs["availability_zone"]
        subnet = ec2.create_subnet(**kwargs)["Subnet"]
        if attrs.get("map_public_ip_on_launch"):
            ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"],
                                        MapPublicIpOnLaunch={"Value": True})
            subnet["MapPublicIpOnLaunch"] = True
        return self._actual(subnet)

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        if "map_public_ip_on_launch" in changed:
            ctx.client("ec2").modify_subnet_attribute(
                SubnetId=actual.id,
                MapPublicIpOnLaunch={"Value": bool(attrs["map_public_ip_on_launch"])})
        if "tags" in changed:
            set_tags(ctx, actual.id, actual.attrs["tags"], attrs.get("tags", {}))
        return Actual(actual.address, self.type_name, actual.id, {**actual.attrs, **attrs})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("ec2").delete_subnet(SubnetId=actual.id)


class InternetGatewayHandler(Handler):
    type_name = "aws_internet_gateway"
    updatable = frozenset({"vpc_id", "tags"})  # attach/detach: a half-made gateway converges
    delete_rank = 50

    def _actual(self, g: dict[str, Any]) -> Actual:
        tags = tag_dict(g.get("Tags"))
        attached = [a["VpcId"] for a in g.get("Attachments", [])
                    if a.get("State") in (None, "available", "attached", "attaching")]
        return Actual(address_of(tags), self.type_name, g["InternetGatewayId"], {
            "id": g["InternetGatewayId"], "vpc_id": attached[0] if attached else None,
            "tags": user_tags(tags)})

    def read_owned(self, ctx: Context) -> list[Actual]:
        res = ctx.client("ec2").describe_internet_gateways(Filters=owned_filter(ctx))
        return [self._actual(g) for g in res["InternetGateways"]]

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        ec2 = ctx.client("ec2")
        gw = ec2.create_internet_gateway(TagSpecifications=tag_spec(
            ctx, "internet-gateway", address, attrs.get("tags")))["InternetGateway"]
        actual = self._actual(gw)
        return self.update(ctx, actual, attrs, {"vpc_id"})

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        ec2 = ctx.client("ec2")
        if "vpc_id" in changed:
            if actual.attrs.get("vpc_id"):
                ec2.detach_internet_gateway(InternetGatewayId=actual.id,
                                            VpcId=actual.attrs["vpc_id"])
            ec2.attach_internet_gateway(InternetGatewayId=actual.id, VpcId=attrs["vpc_id"])
        if "tags" in changed:
            set_tags(ctx, actual.id, actual.attrs["tags"], attrs.get("tags", {}))
        return Actual(actual.address, self.type_name, actual.id, {**actual.attrs, **attrs})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ec2 = ctx.client("ec2")
        if actual.attrs.get("vpc_id"):
            ec2.detach_internet_gateway(InternetGatewayId=actual.id,
                                        VpcId=actual.attrs["vpc_id"])
        ec2.delete_internet_gateway(InternetGatewayId=actual.id)


def _route_key(route: Mapping[str, Any]) -> tuple[str, str]:
    return str(route.get("cidr_block")), str(route.get("gateway_id"))


class RouteTableHandler(Handler):
    type_name = "aws_route_table"
    force_new = frozenset({"vpc_id"})
    updatable = frozenset({"route", "tags"})
    delete_rank = 60

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(attrs)
        if isinstance(out.get("route"), list):
            out["route"] = sorted(({"cidr_block": r.get("cidr_block"),
                                     "gateway_id": r.get("gateway_id")}
                                    for r in out["route"]), key=_route_key)
        return out

    def _actual(self, t: dict[str, Any]) -> Actual:
        tags = tag_dict(t.get("Tags"))
        routes = [{"cidr_block": r.get("DestinationCidrBlock"), "gateway_id": r.get("GatewayId")}
                  for r in t.get("Routes", [])
                  if r.get("GatewayId") != "local" and r.get("DestinationCidrBlock")]
        assoc = [a for a in t.get("Associations", []) if not a.get("Main")]
        return Actual(address_of(tags), self.type_name, t["RouteTableId"], {
            "id": t["RouteTableId"], "vpc_id": t["VpcId"], "route": routes,
            "tags": user_tags(tags), "_associations": assoc, "_all_tags": tags})

    def read_owned(self, ctx: Context) -> list[Actual]:
        res = ctx.client("ec2").describe_route_tables(Filters=owned_filter(ctx))
        return [self._actual(t) for t in res["RouteTables"]]

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        table = ctx.client("ec2").create_route_table(
            VpcId=attrs["vpc_id"],
            TagSpecifications=tag_spec(ctx, "route-table", address, attrs.get("tags")),
        )["RouteTable"]
        actual = self._actual(table)
        return self.update(ctx, actual, attrs, {"route"})

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        ec2 = ctx.client("ec2")
        if "route" in changed:
            have = {_route_key(r): r for r in actual.attrs.get("route", [])}
            want = {_route_key(r): r for r in attrs.get("route", [])}
            for key, route in have.items():
                if key not in want:
                    ec2.delete_route(RouteTableId=actual.id,
                                     DestinationCidrBlock=route["cidr_block"])
            for key, route in want.items():
                if key in have:
                    continue
                if any(r["cidr_block"] == route["cidr_block"] for r in have.values()):
                    ec2.replace_route(RouteTableId=actual.id,
                                      DestinationCidrBlock=route["cidr_block"],
                                      GatewayId=route["gateway_id"])
                else:
                    ec2.create_route(RouteTableId=actual.id,
                                     DestinationCidrBlock=route["cidr_block"],
                                     GatewayId=route["gateway_id"])
        if "tags" in changed:
            set_tags(ctx, actual.id, actual.attrs["tags"], attrs.get("tags", {}))
        return Actual(actual.address, self.type_name, actual.id, {**actual.attrs, **attrs})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ec2 = ctx.client("ec2")
        tables = ec2.describe_route_tables(RouteTableIds=[actual.id])["RouteTables"]
        for assoc in tables[0].get("Associations", []) if tables else []:
            if not assoc.get("Main"):  # an association left over would block the delete
                ec2.disassociate_route_table(AssociationId=assoc["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=actual.id)


class RouteTableAssociationHandler(Handler):
    """Untaggable: owned through its route table (see :mod:`tipsim.infra.handler`)."""

    type_name = "aws_route_table_association"
    force_new = frozenset({"subnet_id", "route_table_id"})
    delete_rank = 70

    def read_owned(self, ctx: Context) -> list[Actual]:
        out = []
        for table in RouteTableHandler().read_owned(ctx):
            tags = table.attrs["_all_tags"]
            for assoc in table.attrs["_associations"]:
                assoc_id = assoc["RouteTableAssociationId"]
                address = (decode_address(tags.get(child_key(assoc_id), ""))
                           or orphan_address(self.type_name, assoc_id))
                out.append(Actual(address, self.type_name, assoc_id, {
                    "id": assoc_id, "subnet_id": assoc.get("SubnetId"),
                    "route_table_id": table.id}, parent_id=table.id))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        ec2 = ctx.client("ec2")
        assoc_id = ec2.associate_route_table(RouteTableId=attrs["route_table_id"],
                                             SubnetId=attrs["subnet_id"])["AssociationId"]
        ec2.create_tags(Resources=[attrs["route_table_id"]],
                        Tags=[{"Key": child_key(assoc_id), "Value": address_tag(address)}])
        return Actual(address, self.type_name, assoc_id, {"id": assoc_id, **attrs},
                      parent_id=attrs["route_table_id"])

    def delete(self, ctx: Context, actual: Actual) -> None:
        ec2 = ctx.client("ec2")
        ec2.disassociate_route_table(AssociationId=actual.id)
        ec2.delete_tags(Resources=[actual.parent_id], Tags=[{"Key": child_key(actual.id)}])


def _rule_key(rule: Mapping[str, Any]) -> tuple[str, int, int]:
    return str(rule["protocol"]), int(rule["from_port"]), int(rule["to_port"])


def normalize_rules(rules: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
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


def _permissions(rules: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
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


class SecurityGroupHandler(Handler):
    type_name = "aws_security_group"
    force_new = frozenset({"vpc_id", "name", "description"})
    updatable = frozenset({"ingress", "egress", "tags"})
    delete_rank = 45
    label_key = "name"

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(attrs)
        for key in ("ingress", "egress"):
            if isinstance(out.get(key), list):
                out[key] = normalize_rules(out[key])
        return out

    def _actual(self, g: dict[str, Any]) -> Actual:
        tags = tag_dict(g.get("Tags"))
        return Actual(address_of(tags), self.type_name, g["GroupId"], {
            "id": g["GroupId"], "vpc_id": g.get("VpcId"), "name": g["GroupName"],
            "description": g.get("Description", ""),
            "ingress": _rules_from(g.get("IpPermissions", [])),
            "egress": _rules_from(g.get("IpPermissionsEgress", [])),
            "tags": user_tags(tags)})

    def read_owned(self, ctx: Context) -> list[Actual]:
        res = ctx.client("ec2").describe_security_groups(Filters=owned_filter(ctx))
        return [self._actual(g) for g in res["SecurityGroups"]]

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
        if "tags" in changed:
            set_tags(ctx, actual.id, actual.attrs["tags"], attrs.get("tags", {}))
        group = ec2.describe_security_groups(GroupIds=[actual.id])["SecurityGroups"][0]
        return self._actual(group)

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("ec2").delete_security_group(GroupId=actual.id)
