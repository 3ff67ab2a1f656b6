"""Handlers for the data-lake A/B stack (slides 13-14): IAM role, S3 lake bucket,
MSK (Kafka) cluster, EMR (Spark) cluster. The Lambda consumer and its Kafka event source
mapping are in :mod:`tipsim.infra.handlers_lambda`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from tipsim.infra.handler import (
    Actual,
    Context,
    Handler,
    address_of,
    error_code,
    owned_by,
    user_tags,
)


class IamRoleHandler(Handler):
    type_name = "aws_iam_role"
    service = "iam"
    force_new = frozenset({"name", "assume_role_policy"})
    delete_rank = 5
    reference_keys = ("id", "arn")
    label_key = "name"

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(attrs)
        policy = out.get("assume_role_policy")
        if isinstance(policy, str):
            policy = json.loads(policy)
        if isinstance(policy, Mapping):
            out["assume_role_policy"] = json.dumps(policy, sort_keys=True)
        return out

    def _actual(self, role: Mapping[str, Any], tags: Mapping[str, str]) -> Actual:
        return Actual(address_of(tags), self.type_name, role["RoleName"], {
            "id": role["RoleName"], "name": role["RoleName"], "arn": role["Arn"],
            "assume_role_policy": role.get("AssumeRolePolicyDocument"),
            "tags": user_tags(tags)})

    def read_owned(self, ctx: Context) -> list[Actual]:
        iam = ctx.client("iam")
        out = []
        for page in iam.get_paginator("list_roles").paginate(PathPrefix="/tipsim/"):
            for role in page["Roles"]:
                tags = {t["Key"]: t["Value"]
                        for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
                if owned_by(tags, ctx):
                    out.append(self._actual(role, tags))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        policy = self.normalize(attrs)["assume_role_policy"]
        role = ctx.client("iam").create_role(
            RoleName=attrs["name"], Path=f"/tipsim/{ctx.key}/", AssumeRolePolicyDocument=policy,
            Tags=[{"Key": k, "Value": v}
                  for k, v in {**attrs.get("tags", {}), **ctx.owner_tags(address)}.items()],
        )["Role"]
        return self._actual(role, ctx.owner_tags(address))

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("iam").delete_role(RoleName=actual.id)


class S3BucketHandler(Handler):
    type_name = "aws_s3_bucket"
    service = "s3"
    force_new = frozenset({"bucket"})
    delete_rank = 8
    reference_keys = ("id", "arn")
    label_key = "bucket"

    def read_owned(self, ctx: Context) -> list[Actual]:
        s3 = ctx.client("s3")
        out = []
        for bucket in s3.list_buckets().get("Buckets", []):
            name = bucket["Name"]
            try:
                tagset = s3.get_bucket_tagging(Bucket=name)["TagSet"]
            except ClientError as exc:
                if error_code(exc) in ("NoSuchTagSet", "NoSuchTagSetError", "NoSuchBucket"):
                    continue
                raise
            tags = {t["Key"]: t["Value"] for t in tagset}
            if owned_by(tags, ctx):
                out.append(Actual(address_of(tags), self.type_name, name, {
                    "id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}",
                    "tags": user_tags(tags)}))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        s3 = ctx.client("s3")
        name = attrs["bucket"]
        kwargs: dict[str, Any] = {"Bucket": name}
        if ctx.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        s3.create_bucket(**kwargs)
        tags = {**attrs.get("tags", {}), **ctx.owner_tags(address)}
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [
            {"Key": k, "Value": v} for k, v in tags.items()]})
        return Actual(address, self.type_name, name, {
            "id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}",
            "tags": dict(attrs.get("tags", {}))})

    def delete(self, ctx: Context, actual: Actual) -> None:
        s3 = ctx.client("s3")
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=actual.id):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=actual.id, Delete={"Objects": keys})
        s3.delete_bucket(Bucket=actual.id)


class MskClusterHandler(Handler):
    type_name = "aws_msk_cluster"
    service = "kafka"
    force_new = frozenset({"cluster_name", "kafka_version", "broker_instance_type",
                           "number_of_broker_nodes", "client_subnets"})
    delete_rank = 55
    reference_keys = ("id", "arn")
    label_key = "cluster_name"
    unordered_keys = ("client_subnets",)
    count_keys = ("number_of_broker_nodes",)

    def read_owned(self, ctx: Context) -> list[Actual]:
        kafka = ctx.client("kafka")
        out = []
        for summary in kafka.list_clusters().get("ClusterInfoList", []):
            info = kafka.describe_cluster(ClusterArn=summary["ClusterArn"])["ClusterInfo"]
            if info.get("State") in ("DELETING", "FAILED"):
                continue
            tags = info.get("Tags") or kafka.list_tags_for_resource(
                ResourceArn=info["ClusterArn"]).get("Tags", {})
            if not owned_by(tags, ctx):
                continue
            broker = info.get("BrokerNodeGroupInfo", {})
            arn = info["ClusterArn"]
            out.append(Actual(address_of(tags), self.type_name, arn, {
                "id": arn, "arn": arn, "cluster_name": info["ClusterName"],
                "kafka_version": info.get("CurrentBrokerSoftwareInfo", {}).get("KafkaVersion"),
                "number_of_broker_nodes": info.get("NumberOfBrokerNodes"),
                "broker_instance_type": broker.get("InstanceType"),
                "client_subnets": sorted(broker.get("ClientSubnets", [])),
                "security_groups": sorted(broker.get("SecurityGroups", [])),
                "state": info.get("State"), "tags": user_tags(tags)}))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        tags = {**attrs.get("tags", {}), **ctx.owner_tags(address)}
        res = ctx.client("kafka").create_cluster(
            ClusterName=attrs["cluster_name"], KafkaVersion=attrs["kafka_version"],
            NumberOfBrokerNodes=int(attrs["number_of_broker_nodes"]),
            BrokerNodeGroupInfo={"InstanceType": attrs["broker_instance_type"],
                                 "ClientSubnets": list(attrs["client_subnets"]),
                                 "SecurityGroups": list(attrs.get("security_groups", []))},
            Tags=tags)
        arn = res["ClusterArn"]
        return Actual(address, self.type_name, arn, {"id": arn, "arn": arn,
                                                     **self.normalize(attrs)})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("kafka").delete_cluster(ClusterArn=actual.id)


EMR_LIVE = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]


class EmrClusterHandler(Handler):
    type_name = "aws_emr_cluster"
    service = "emr"
    force_new = frozenset({"name", "release_label", "applications", "master_instance_type",
                           "core_instance_type", "core_instance_count", "subnet_id"})
    delete_rank = 55
    reference_keys = ("id",)
    label_key = "name"

    count_keys = ("core_instance_count",)

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        out = super().normalize(attrs)
        if isinstance(out.get("applications"), list):
            out["applications"] = sorted(str(a).lower() for a in out["applications"])
        return out

    def read_owned(self, ctx: Context) -> list[Actual]:
        emr = ctx.client("emr")
        out = []
        for page in emr.get_paginator("list_clusters").paginate(ClusterStates=EMR_LIVE):
            for summary in page["Clusters"]:
                c = emr.describe_cluster(ClusterId=summary["Id"])["Cluster"]
                tags = {t["Key"]: t["Value"] for t in c.get("Tags", [])}
                if not owned_by(tags, ctx):
                    continue
                groups = emr.list_instance_groups(ClusterId=c["Id"])["InstanceGroups"]
                by_type = {g["InstanceGroupType"]: g for g in groups}
                out.append(Actual(address_of(tags), self.type_name, c["Id"], {
                    "id": c["Id"], "name": c["Name"], "release_label": c.get("ReleaseLabel"),
                    "applications": sorted(a["Name"].lower() for a in c.get("Applications", [])),
                    "master_instance_type": by_type.get("MASTER", {}).get("InstanceType"),
                    "core_instance_type": by_type.get("CORE", {}).get("InstanceType"),
                    "core_instance_count": by_type.get("CORE", {}).get("RequestedInstanceCount"),
                    "subnet_id": c.get("Ec2InstanceAttributes", {}).get("Ec2SubnetId"),
                    "state": c.get("Status", {}).get("State"), "tags": user_tags(tags)}))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        tags = {**attrs.get("tags", {}), **ctx.owner_tags(address)}
        groups = [{"Name": "master", "InstanceRole": "MASTER", "InstanceCount": 1,
                   "InstanceType": attrs["master_instance_type"], "Market": "ON_DEMAND"},
                  {"Name": "core", "InstanceRole": "CORE",
                   "InstanceCount": int(attrs["core_instance_count"]),
                   "InstanceType": attrs["core_instance_type"], "Market": "ON_DEMAND"}]
        instances: dict[str, Any] = {"InstanceGroups": groups,
                                     "KeepJobFlowAliveWhenNoSteps": True}
        if attrs.get("subnet_id"):
            instances["Ec2SubnetId"] = attrs["subnet_id"]
        res = ctx.client("emr").run_job_flow(
            Name=attrs["name"], ReleaseLabel=attrs["release_label"], Instances=instances,
            Applications=[{"Name": a} for a in attrs.get("applications", [])],
            ServiceRole=attrs.get("service_role", "EMR_DefaultRole"),
            JobFlowRole=attrs.get("job_flow_role", "EMR_EC2_DefaultRole"),
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()], VisibleToAllUsers=True)
        cid = res["JobFlowId"]
        return Actual(address, self.type_name, cid, {"id": cid, **self.normalize(attrs)})

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("emr").terminate_job_flows(JobFlowIds=[actual.id])
