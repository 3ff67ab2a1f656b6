"""Handlers for machines: EC2 instances and classic load balancers (the talk's
``example``, ``example_bionic``, ``canary``, blue/green nginx and their ELBs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tipsim.infra.ec2_tags import Ec2Handler, owned_filter, tag_spec
from tipsim.infra.handler import (
    Actual,
    Context,
    Handler,
    address_of,
    owned_by,
    tag_dict,
    tag_list,
    user_tags,
)

LIVE_STATES = ["pending", "running", "stopping", "stopped"]


class InstanceHandler(Ec2Handler):
    """EC2 instances. A new image, type or subnet is a replacement (destroy, then create);
    the kit replaces on a type change where Terraform would stop and resize."""

    type_name = "aws_instance"
    force_new = frozenset({"ami", "instance_type", "subnet_id"})
    updatable = frozenset({"vpc_security_group_ids", "tags"})
    delete_rank = 80
    reference_keys = ("id", "private_ip")
    label_key = "ami"
    unordered_keys = ("vpc_security_group_ids",)
    id_key = "InstanceId"

    def attributes(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"ami": raw["ImageId"], "instance_type": raw["InstanceType"],
                "subnet_id": raw.get("SubnetId"), "vpc_id": raw.get("VpcId"),
                "vpc_security_group_ids": sorted(g["GroupId"]
                                                 for g in raw.get("SecurityGroups", [])),
                "private_ip": raw.get("PrivateIpAddress"),
                "public_ip": raw.get("PublicIpAddress"),
                "state": raw.get("State", {}).get("Name")}

    def read_owned(self, ctx: Context) -> list[Actual]:  # instances come in reservations
        res = ctx.client("ec2").describe_instances(Filters=[
            *owned_filter(ctx), {"Name": "instance-state-name", "Values": LIVE_STATES}])
        return [self._actual(i) for r in res["Reservations"] for i in r["Instances"]]

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        res = ctx.client("ec2").run_instances(
            ImageId=attrs["ami"], InstanceType=attrs.get("instance_type", "t2.micro"),
            MinCount=1, MaxCount=1, SubnetId=attrs["subnet_id"],
            SecurityGroupIds=list(attrs.get("vpc_security_group_ids", [])),
            TagSpecifications=tag_spec(ctx, "instance", address, attrs.get("tags")))
        return self._actual(res["Instances"][0])

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        ec2 = ctx.client("ec2")
        if "vpc_security_group_ids" in changed:
            ec2.modify_instance_attribute(InstanceId=actual.id,
                                          Groups=list(attrs["vpc_security_group_ids"]))
        self.update_tags(ctx, actual, attrs, changed)
        res = ec2.describe_instances(InstanceIds=[actual.id])
        return self._actual(res["Reservations"][0]["Instances"][0])

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("ec2").terminate_instances(InstanceIds=[actual.id])


def _listener(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {"lb_port": int(raw["lb_port"]), "lb_protocol": str(raw["lb_protocol"]).lower(),
            "instance_port": int(raw["instance_port"]),
            "instance_protocol": str(raw["instance_protocol"]).lower()}


def _health_check(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The provider's ``health_check`` block (interval and timeout in seconds)."""
    return {"target": str(raw["target"]), "interval": int(raw["interval"]),
            "timeout": int(raw["timeout"]), "healthy_threshold": int(raw["healthy_threshold"]),
            "unhealthy_threshold": int(raw["unhealthy_threshold"])}


class ClassicElbHandler(Handler):
    """Classic load balancers (not in LocalStack's free edition: the engine skips them
    there and the stack's DNS records fall back to instance addresses). ``listener`` and
    ``health_check`` are the provider's blocks (lists of objects)."""

    type_name = "aws_elb"
    service = "elb"
    force_new = frozenset({"name", "listener"})
    updatable = frozenset({"instances", "subnets", "security_groups", "health_check"})
    delete_rank = 90
    reference_keys = ("id", "dns_name")
    label_key = "name"

    unordered_keys = ("instances", "subnets", "security_groups")

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = super().normalize(attrs)
        if isinstance(out.get("listener"), list):
            out["listener"] = sorted((_listener(x) for x in out["listener"]),
                                     key=lambda x: x["lb_port"])
        if isinstance(out.get("health_check"), list):
            out["health_check"] = [_health_check(x) for x in out["health_check"][:1]]
        return out

    def read_owned(self, ctx: Context) -> list[Actual]:
        elb = ctx.client("elb")
        lbs = elb.describe_load_balancers()["LoadBalancerDescriptions"]
        out = []
        for i in range(0, len(lbs), 20):
            names = [lb["LoadBalancerName"] for lb in lbs[i:i + 20]]
            tags_by_name = {d["LoadBalancerName"]: tag_dict(d.get("Tags"))
                            for d in elb.describe_tags(LoadBalancerNames=names)["TagDescriptions"]}
            for lb in lbs[i:i + 20]:
                tags = tags_by_name.get(lb["LoadBalancerName"], {})
                if owned_by(tags, ctx):
                    out.append(self._actual(lb, tags))
        return out

    def _actual(self, lb: dict[str, Any], tags: Mapping[str, str]) -> Actual:
        hc = lb.get("HealthCheck") or {}
        name = lb["LoadBalancerName"]
        return Actual(address_of(tags), self.type_name, name, {
            "id": name, "name": name, "dns_name": lb.get("DNSName", ""),
            # moto leaves the canonical zone id empty (ENVIRONMENT-NOTES.md)
            "zone_id": lb.get("CanonicalHostedZoneNameID") or "",
            "subnets": sorted(lb.get("Subnets", [])),
            "security_groups": sorted(lb.get("SecurityGroups", [])),
            "instances": sorted(i["InstanceId"] for i in lb.get("Instances", [])),
            "listener": sorted((_listener({
                "lb_port": d["Listener"]["LoadBalancerPort"],
                "lb_protocol": d["Listener"]["Protocol"],
                "instance_port": d["Listener"]["InstancePort"],
                "instance_protocol": d["Listener"].get("InstanceProtocol",
                                                       d["Listener"]["Protocol"])})
                for d in lb.get("ListenerDescriptions", [])), key=lambda x: x["lb_port"]),
            "health_check": [_health_check({
                "target": hc.get("Target", ""), "interval": hc.get("Interval", 0),
                "timeout": hc.get("Timeout", 0),
                "healthy_threshold": hc.get("HealthyThreshold", 0),
                "unhealthy_threshold": hc.get("UnhealthyThreshold", 0)})],
            "tags": user_tags(tags)})

    def _read(self, ctx: Context, name: str) -> Actual:
        elb = ctx.client("elb")
        lb = elb.describe_load_balancers(LoadBalancerNames=[name])["LoadBalancerDescriptions"][0]
        tags = tag_dict(elb.describe_tags(LoadBalancerNames=[name])["TagDescriptions"][0]["Tags"])
        return self._actual(lb, tags)

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        elb = ctx.client("elb")
        elb.create_load_balancer(
            LoadBalancerName=attrs["name"],
            Listeners=[{"Protocol": x["lb_protocol"].upper(), "LoadBalancerPort": x["lb_port"],
                        "InstanceProtocol": x["instance_protocol"].upper(),
                        "InstancePort": x["instance_port"]}
                       for x in (_listener(r) for r in attrs["listener"])],
            Subnets=list(attrs.get("subnets", [])),
            SecurityGroups=list(attrs.get("security_groups", [])),
            Tags=tag_list({**attrs.get("tags", {}), **ctx.owner_tags(address)}))
        current = self._read(ctx, attrs["name"])
        return self.update(ctx, current, attrs, {"health_check", "instances"})

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        elb = ctx.client("elb")
        name = actual.id
        if "health_check" in changed and attrs.get("health_check"):
            hc = _health_check(attrs["health_check"][0])
            elb.configure_health_check(LoadBalancerName=name, HealthCheck={
                "Target": hc["target"], "Interval": hc["interval"], "Timeout": hc["timeout"],
                "HealthyThreshold": hc["healthy_threshold"],
                "UnhealthyThreshold": hc["unhealthy_threshold"]})
        if "instances" in changed:
            have, want = set(actual.attrs.get("instances", [])), set(attrs.get("instances", []))
            if have - want:
                elb.deregister_instances_from_load_balancer(
                    LoadBalancerName=name, Instances=[{"InstanceId": i} for i in have - want])
            if want - have:
                elb.register_instances_with_load_balancer(
                    LoadBalancerName=name, Instances=[{"InstanceId": i} for i in want - have])
        if "subnets" in changed:
            have, want = set(actual.attrs.get("subnets", [])), set(attrs.get("subnets", []))
            if want - have:
                elb.attach_load_balancer_to_subnets(LoadBalancerName=name,
                                                    Subnets=sorted(want - have))
            if have - want:
                elb.detach_load_balancer_from_subnets(LoadBalancerName=name,
                                                      Subnets=sorted(have - want))
        if "security_groups" in changed:
            elb.apply_security_groups_to_load_balancer(
                LoadBalancerName=name, SecurityGroups=list(attrs.get("security_groups", [])))
        return self._read(ctx, name)

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("elb").delete_load_balancer(LoadBalancerName=actual.id)
