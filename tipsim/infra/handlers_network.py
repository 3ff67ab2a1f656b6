"""Handlers for the network: VPC, subnet, internet gateway, route table (+ association).
Attributes are named as the AWS provider's arguments (``route`` blocks are lists of
objects, as in ``terraform show -json``); the security group is in
:mod:`tipsim.infra.handlers_security_group`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tipsim.infra.ec2_tags import Ec2Handler, tag_spec
from tipsim.infra.handler import (
    Actual,
    Context,
    Handler,
    address_tag,
    child_address,
    child_key,
    tag_dict,
)


class VpcHandler(Ec2Handler):
    type_name = "aws_vpc"
    force_new = frozenset({"cidr_block"})
    updatable = frozenset({"tags"})
    delete_rank = 10
    label_key = "cidr_block"
    describe, list_key, id_key = "describe_vpcs", "Vpcs", "VpcId"

    def attributes(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"cidr_block": raw["CidrBlock"]}

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        res = ctx.client("ec2").create_vpc(
            CidrBlock=attrs["cidr_block"],
            TagSpecifications=tag_spec(ctx, "vpc", address, attrs.get("tags")))
        return self._actual(res["Vpc"])

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        self.update_tags(ctx, actual, attrs, changed)
        return Actual(actual.address, self.type_name, actual.id,
                      {**actual.attrs, "tags": dict(attrs.get("tags", {}))})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("ec2").delete_vpc(VpcId=actual.id)


class SubnetHandler(Ec2Handler):
    type_name = "aws_subnet"
    force_new = frozenset({"vpc_id", "cidr_block", "availability_zone"})
    updatable = frozenset({"tags", "map_public_ip_on_launch"})
    delete_rank = 40
    label_key = "cidr_block"
    describe, list_key, id_key = "describe_subnets", "Subnets", "SubnetId"

    def attributes(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"vpc_id": raw["VpcId"], "cidr_block": raw["CidrBlock"],
                "availability_zone": raw["AvailabilityZone"],
                "map_public_ip_on_launch": bool(raw.get("MapPublicIpOnLaunch", False))}

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
        self.update_tags(ctx, actual, attrs, changed)
        return Actual(actual.address, self.type_name, actual.id, {**actual.attrs, **attrs})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("ec2").delete_subnet(SubnetId=actual.id)


class InternetGatewayHandler(Ec2Handler):
    type_name = "aws_internet_gateway"
    updatable = frozenset({"vpc_id", "tags"})  # attach/detach: a half-made gateway converges
    delete_rank = 50
    describe, list_key = "describe_internet_gateways", "InternetGateways"
    id_key = "InternetGatewayId"

    def attributes(self, raw: dict[str, Any]) -> dict[str, Any]:
        attached = [a["VpcId"] for a in raw.get("Attachments", [])
                    if a.get("State") in (None, "available", "attached", "attaching")]
        return {"vpc_id": attached[0] if attached else None}

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
        self.update_tags(ctx, actual, attrs, changed)
        return Actual(actual.address, self.type_name, actual.id, {**actual.attrs, **attrs})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ec2 = ctx.client("ec2")
        if actual.attrs.get("vpc_id"):
            ec2.detach_internet_gateway(InternetGatewayId=actual.id,
                                        VpcId=actual.attrs["vpc_id"])
        ec2.delete_internet_gateway(InternetGatewayId=actual.id)


def _route_key(route: Mapping[str, Any]) -> tuple[str, str]:
    return str(route.get("cidr_block")), str(route.get("gateway_id"))


class RouteTableHandler(Ec2Handler):
    type_name = "aws_route_table"
    force_new = frozenset({"vpc_id"})
    updatable = frozenset({"route", "tags"})
    delete_rank = 60
    describe, list_key, id_key = "describe_route_tables", "RouteTables", "RouteTableId"

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(attrs)
        if isinstance(out.get("route"), list):
            out["route"] = sorted(({"cidr_block": r.get("cidr_block"),
                                     "gateway_id": r.get("gateway_id")}
                                    for r in out["route"]), key=_route_key)
        return out

    def attributes(self, raw: dict[str, Any]) -> dict[str, Any]:
        routes = [{"cidr_block": r.get("DestinationCidrBlock"), "gateway_id": r.get("GatewayId")}
                  for r in raw.get("Routes", [])
                  if r.get("GatewayId") != "local" and r.get("DestinationCidrBlock")]
        return {"vpc_id": raw["VpcId"], "route": routes}

    def _actual(self, raw: dict[str, Any]) -> Actual:
        """As every EC2 resource, plus what its associations need (not compared)."""
        actual = super()._actual(raw)
        actual.attrs["_associations"] = [a for a in raw.get("Associations", [])
                                         if not a.get("Main")]
        actual.attrs["_all_tags"] = tag_dict(raw.get("Tags"))
        return actual

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
        self.update_tags(ctx, actual, attrs, changed)
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
                address = child_address(tags, self.type_name, assoc_id)
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
