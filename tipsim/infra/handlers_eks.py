"""Handlers for EKS (slide 12): a control plane and node groups (sizes, instance type,
labels, taints). The OS image of each group is recorded in its ``Image`` tag, read
back with the group, since a managed node group names its image only through a
launch template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tipsim.infra.handler import (
    Actual,
    Context,
    Handler,
    address_of,
    owned_by,
    user_tags,
)


class EksClusterHandler(Handler):
    type_name = "aws_eks_cluster"
    service = "eks"
    force_new = frozenset({"name", "role_arn", "subnet_ids", "version"})
    delete_rank = 50
    reference_keys = ("id", "arn")
    label_key = "name"
    unordered_keys = ("subnet_ids",)

    def _actual(self, c: Mapping[str, Any]) -> Actual:
        tags = c.get("tags") or {}
        return Actual(address_of(tags), self.type_name, c["name"], {
            "id": c["name"], "name": c["name"], "arn": c.get("arn"),
            "role_arn": c.get("roleArn"), "version": c.get("version"),
            "subnet_ids": sorted(c.get("resourcesVpcConfig", {}).get("subnetIds", [])),
            "status": c.get("status"), "tags": user_tags(tags)})

    def read_owned(self, ctx: Context) -> list[Actual]:
        eks = ctx.client("eks")
        out = []
        for name in eks.list_clusters().get("clusters", []):
            c = eks.describe_cluster(name=name)["cluster"]
            if owned_by(c.get("tags") or {}, ctx) and c.get("status") != "DELETING":
                out.append(self._actual(c))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        c = ctx.client("eks").create_cluster(
            name=attrs["name"], version=str(attrs.get("version", "1.29")),
            roleArn=attrs["role_arn"],
            resourcesVpcConfig={"subnetIds": list(attrs["subnet_ids"])},
            tags={**attrs.get("tags", {}), **ctx.owner_tags(address)})["cluster"]
        return self._actual(c)

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("eks").delete_cluster(name=actual.id)


def _taints(raw: list[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    return sorted(({"key": str(t["key"]), "value": str(t.get("value", "")),
                    "effect": str(t["effect"])} for t in raw or []),
                  key=lambda t: (t["key"], t["effect"]))


class EksNodeGroupHandler(Handler):
    type_name = "aws_eks_node_group"
    service = "eks"
    force_new = frozenset({"cluster_name", "node_group_name", "node_role_arn", "subnet_ids",
                           "instance_types", "image"})
    updatable = frozenset({"min_size", "max_size", "desired_size", "labels", "taints"})
    delete_rank = 75
    reference_keys = ("id", "arn")
    label_key = "node_group_name"

    unordered_keys = ("subnet_ids", "instance_types")
    count_keys = ("min_size", "max_size", "desired_size")

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = super().normalize(attrs)
        if "taints" in out:
            out["taints"] = _taints(out["taints"])
        if "labels" in out:
            out["labels"] = {str(k): str(v) for k, v in (out["labels"] or {}).items()}
        return out

    def _actual(self, g: Mapping[str, Any]) -> Actual:
        tags = g.get("tags") or {}
        scaling = g.get("scalingConfig", {})
        gid = f"{g['clusterName']}:{g['nodegroupName']}"
        return Actual(address_of(tags), self.type_name, gid, self.normalize({
            "id": gid, "arn": g.get("nodegroupArn"), "cluster_name": g["clusterName"],
            "node_group_name": g["nodegroupName"], "node_role_arn": g.get("nodeRole"),
            "subnet_ids": g.get("subnets", []), "instance_types": g.get("instanceTypes", []),
            "image": tags.get("Image", ""), "min_size": scaling.get("minSize"),
            "max_size": scaling.get("maxSize"), "desired_size": scaling.get("desiredSize"),
            "labels": g.get("labels", {}), "taints": g.get("taints", []),
            "status": g.get("status"), "tags": user_tags(tags)}))

    def read_owned(self, ctx: Context) -> list[Actual]:
        eks = ctx.client("eks")
        out = []
        for cluster in eks.list_clusters().get("clusters", []):
            for name in eks.list_nodegroups(clusterName=cluster).get("nodegroups", []):
                g = eks.describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]
                if owned_by(g.get("tags") or {}, ctx) and g.get("status") != "DELETING":
                    out.append(self._actual(g))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        a = self.normalize(attrs)
        tags = {**a.get("tags", {}), "Image": str(a.get("image", "")),
                **ctx.owner_tags(address)}
        g = ctx.client("eks").create_nodegroup(
            clusterName=a["cluster_name"], nodegroupName=a["node_group_name"],
            nodeRole=a["node_role_arn"], subnets=list(a["subnet_ids"]),
            instanceTypes=list(a["instance_types"]),
            scalingConfig={"minSize": a["min_size"], "maxSize": a["max_size"],
                           "desiredSize": a["desired_size"]},
            labels=a.get("labels", {}), taints=a.get("taints", []), tags=tags)["nodegroup"]
        return self._actual(g)

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        """Resize, relabel or (un)taint in place, as ``update_nodegroup_config`` does."""
        want, have = self.normalize(attrs), actual.attrs
        kwargs: dict[str, Any] = {"clusterName": have["cluster_name"],
                                  "nodegroupName": have["node_group_name"]}
        if changed & {"min_size", "max_size", "desired_size"}:
            kwargs["scalingConfig"] = {"minSize": want["min_size"], "maxSize": want["max_size"],
                                       "desiredSize": want["desired_size"]}
        if "labels" in changed:
            gone = [k for k in have["labels"] if k not in want["labels"]]
            kwargs["labels"] = {"addOrUpdateLabels": want["labels"], **(
                {"removeLabels": gone} if gone else {})}
        if "taints" in changed:
            gone = [t for t in have["taints"] if t not in want["taints"]]
            kwargs["taints"] = {"addOrUpdateTaints": want["taints"], **(
                {"removeTaints": gone} if gone else {})}
        eks = ctx.client("eks")
        eks.update_nodegroup_config(**kwargs)
        g = eks.describe_nodegroup(clusterName=have["cluster_name"],
                                   nodegroupName=have["node_group_name"])["nodegroup"]
        return self._actual(g)

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("eks").delete_nodegroup(clusterName=actual.attrs["cluster_name"],
                                           nodegroupName=actual.attrs["node_group_name"])
