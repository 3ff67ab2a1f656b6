"""Handlers for Route53: the private zone ``test.in.production`` and weighted records.

Attributes are named as the AWS provider's arguments: a zone's ``vpc`` block, a record's
``alias`` and ``weighted_routing_policy`` blocks (lists of one object, as in
``terraform show -json``). Zones are owned through their ``CallerReference`` (``tipsim|<stack>|<address>|<n>``),
which is set in the create call itself, so no half-made zone goes unseen. Records
cannot be tagged: the zone records each record's address (:mod:`tipsim.infra.handler`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from tipsim.infra.handler import (
    Actual,
    Context,
    Handler,
    address_tag,
    child_address,
    child_key,
)

REF_PREFIX = "tipsim|"


def dns_name(name: str) -> str:
    """Lower case, no trailing dot: the form the kit compares."""
    return str(name).lower().rstrip(".")


def zone_tags(ctx: Context, zone_id: str) -> dict[str, str]:
    res = ctx.client("route53").list_tags_for_resource(ResourceType="hostedzone",
                                                        ResourceId=zone_id)
    return {t["Key"]: t["Value"] for t in res["ResourceTagSet"].get("Tags", [])}


class HostedZoneHandler(Handler):
    type_name = "aws_route53_zone"
    service = "route53"
    force_new = frozenset({"name", "vpc"})
    delete_rank = 35
    label_key = "name"

    def read_owned(self, ctx: Context) -> list[Actual]:
        r53 = ctx.client("route53")
        out = []
        for page in r53.get_paginator("list_hosted_zones").paginate():
            for zone in page["HostedZones"]:
                parts = zone.get("CallerReference", "").split("|")
                if len(parts) < 3 or parts[0] != "tipsim" or parts[1] != ctx.key:
                    continue
                zone_id = zone["Id"].split("/")[-1]
                vpcs = r53.get_hosted_zone(Id=zone_id).get("VPCs", [])
                out.append(Actual(parts[2], self.type_name, zone_id, {
                    "id": zone_id, "name": dns_name(zone["Name"]),
                    "vpc": [{"vpc_id": v["VPCId"]} for v in vpcs[:1]],
                    "private": bool(zone.get("Config", {}).get("PrivateZone"))}))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        r53 = ctx.client("route53")
        ref = f"{REF_PREFIX}{ctx.key}|{address}|{time.time_ns()}"
        vpc_id = (attrs.get("vpc") or [{}])[0].get("vpc_id")
        kwargs: dict[str, Any] = {
            "Name": attrs["name"], "CallerReference": ref,
            # LocalStack refuses a private zone config without a comment
            "HostedZoneConfig": {"Comment": attrs.get("comment") or "tipsim",
                                 "PrivateZone": bool(vpc_id)}}
        if vpc_id:
            kwargs["VPC"] = {"VPCRegion": ctx.region, "VPCId": vpc_id}
        zone = r53.create_hosted_zone(**kwargs)["HostedZone"]
        zone_id = zone["Id"].split("/")[-1]
        r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id, AddTags=[
            {"Key": k, "Value": v} for k, v in ctx.owner_tags(address).items()])
        return Actual(address, self.type_name, zone_id, {
            "id": zone_id, "name": dns_name(zone["Name"]),
            "vpc": [{"vpc_id": vpc_id}] if vpc_id else [], "private": bool(vpc_id)})

    def delete(self, ctx: Context, actual: Actual) -> None:
        r53 = ctx.client("route53")
        leftovers = [r for r in _record_sets(ctx, actual.id, actual.attrs["name"])]
        if leftovers:  # records nobody owns would block the delete: remove them, reported above
            r53.change_resource_record_sets(HostedZoneId=actual.id, ChangeBatch={"Changes": [
                {"Action": "DELETE", "ResourceRecordSet": r} for r in leftovers]})
        r53.delete_hosted_zone(Id=actual.id)


def _record_sets(ctx: Context, zone_id: str, zone_name: str) -> list[dict[str, Any]]:
    """The zone's record sets, without the apex SOA and NS records AWS makes itself."""
    r53 = ctx.client("route53")
    out = []
    for page in r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id):
        for rs in page["ResourceRecordSets"]:
            if rs["Type"] in ("SOA", "NS") and dns_name(rs["Name"]) == dns_name(zone_name):
                continue
            out.append(rs)
    return out


def _record_id(zone_id: str, name: str, rtype: str, set_identifier: str | None) -> str:
    return f"{zone_id}|{dns_name(name)}|{rtype}|{set_identifier or ''}"


def weight_of(attrs: Mapping[str, Any]) -> int | None:
    """The weight of a record's ``weighted_routing_policy`` block (None: not weighted)."""
    policy = attrs.get("weighted_routing_policy") or []
    return int(policy[0]["weight"]) if policy else None


class RecordHandler(Handler):
    """A record set; weighted with a ``weighted_routing_policy`` block and a
    ``set_identifier``; an ``alias`` block (name, zone_id, evaluate_target_health) or
    plain ``records`` with ``ttl``."""

    type_name = "aws_route53_record"
    service = "route53"
    force_new = frozenset({"zone_id", "name", "type", "set_identifier"})
    updatable = frozenset({"weighted_routing_policy", "alias", "records", "ttl"})
    delete_rank = 100
    label_key = "set_identifier"

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(attrs)
        if isinstance(out.get("name"), str):
            out["name"] = dns_name(out["name"])
        alias = out.get("alias")
        if isinstance(alias, list) and alias and isinstance(alias[0], Mapping):
            out["alias"] = [{"name": dns_name(alias[0].get("name", "")),
                             "zone_id": alias[0].get("zone_id"),
                             "evaluate_target_health": bool(
                                 alias[0].get("evaluate_target_health"))}]
        if isinstance(out.get("records"), list):
            out["records"] = sorted(str(r) for r in out["records"])
        if out.get("alias"):
            out.pop("ttl", None)
            out["records"] = None
        else:
            out["alias"] = []
        policy = out.get("weighted_routing_policy")
        if isinstance(policy, list) and policy and isinstance(policy[0], Mapping):
            out["weighted_routing_policy"] = [{"weight": int(policy[0]["weight"])}]
        return out

    def _from_set(self, zone_id: str, rs: Mapping[str, Any]) -> dict[str, Any]:
        alias = rs.get("AliasTarget")
        return self.normalize({
            "zone_id": zone_id, "name": rs["Name"], "type": rs["Type"],
            "set_identifier": rs.get("SetIdentifier"),
            "weighted_routing_policy": [{"weight": rs["Weight"]}] if "Weight" in rs else [],
            "alias": [{"name": alias["DNSName"], "zone_id": alias.get("HostedZoneId"),
                       "evaluate_target_health": alias.get("EvaluateTargetHealth", False)}]
            if alias else [],
            "records": [r["Value"] for r in rs.get("ResourceRecords", [])] if not alias else None,
            "ttl": rs.get("TTL")})

    def read_owned(self, ctx: Context) -> list[Actual]:
        out = []
        for zone in HostedZoneHandler().read_owned(ctx):
            tags = zone_tags(ctx, zone.id)
            for rs in _record_sets(ctx, zone.id, zone.attrs["name"]):
                attrs = self._from_set(zone.id, rs)
                rid = _record_id(zone.id, attrs["name"], attrs["type"], attrs["set_identifier"])
                address = child_address(tags, self.type_name, rid)
                out.append(Actual(address, self.type_name, rid, {"id": rid, **attrs,
                                                                  "_set": rs},
                                  parent_id=zone.id))
        return out

    def _record_set(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        rs: dict[str, Any] = {"Name": attrs["name"], "Type": attrs.get("type", "A")}
        if attrs.get("set_identifier"):
            rs["SetIdentifier"] = attrs["set_identifier"]
            rs["Weight"] = weight_of(attrs) or 0
        alias = (attrs.get("alias") or [None])[0]
        if alias:
            rs["AliasTarget"] = {"HostedZoneId": alias["zone_id"], "DNSName": alias["name"],
                                 "EvaluateTargetHealth": bool(alias.get(
                                     "evaluate_target_health", False))}
        else:
            rs["TTL"] = int(attrs.get("ttl") or 60)
            rs["ResourceRecords"] = [{"Value": str(v)} for v in attrs.get("records") or []]
        return rs

    def _upsert(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        r53 = ctx.client("route53")
        rs = self._record_set(attrs)
        r53.change_resource_record_sets(HostedZoneId=attrs["zone_id"], ChangeBatch={
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": rs}]})
        norm = self.normalize(attrs)
        rid = _record_id(attrs["zone_id"], norm["name"], norm.get("type", "A"),
                         norm.get("set_identifier"))
        r53.change_tags_for_resource(
            ResourceType="hostedzone", ResourceId=attrs["zone_id"],
            AddTags=[{"Key": child_key(rid), "Value": address_tag(address)}])
        return Actual(address, self.type_name, rid, {"id": rid, **norm, "_set": rs},
                      parent_id=attrs["zone_id"])

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        return self._upsert(ctx, address, attrs)

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        if "alias" in changed or "records" in changed:
            # switching between alias and plain records: delete the old set first
            self._delete_set(ctx, actual)
        return self._upsert(ctx, actual.address, attrs)

    def _delete_set(self, ctx: Context, actual: Actual) -> None:
        ctx.client("route53").change_resource_record_sets(
            HostedZoneId=actual.parent_id,
            ChangeBatch={"Changes": [{"Action": "DELETE",
                                      "ResourceRecordSet": actual.attrs["_set"]}]})

    def delete(self, ctx: Context, actual: Actual) -> None:
        self._delete_set(ctx, actual)
        ctx.client("route53").change_tags_for_resource(
            ResourceType="hostedzone", ResourceId=actual.parent_id,
            RemoveTagKeys=[child_key(actual.id)])
