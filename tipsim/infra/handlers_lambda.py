"""Handlers for the data lake's FaaS arm (slides 13-14): the Lambda consumer, deployed
from its source text as an in-memory zip, and its Kafka event source mapping."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Mapping
from typing import Any

from tipsim.errors import InfraError
from tipsim.infra.handler import (
    Actual,
    Context,
    Handler,
    address_of,
    address_tag,
    child_address,
    child_key,
    owned_by,
    user_tags,
)


def _zip_source(source: str, filename: str = "consumer.py") -> bytes:
    """A deployment package made in memory (no Docker, nothing on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(filename, date_time=(2019, 11, 1, 0, 0, 0))
        zf.writestr(info, source)
    return buf.getvalue()


class LambdaFunctionHandler(Handler):
    type_name = "aws_lambda_function"
    service = "lambda"
    force_new = frozenset({"function_name", "runtime", "handler", "source"})
    updatable = frozenset({"memory_size_mb", "timeout_s", "role"})
    delete_rank = 60
    reference_keys = ("id", "arn")
    label_key = "function_name"

    def _actual(self, fn: Mapping[str, Any], tags: Mapping[str, str]) -> Actual:
        return Actual(address_of(tags), self.type_name, fn["FunctionName"], {
            "id": fn["FunctionName"], "function_name": fn["FunctionName"],
            "arn": fn["FunctionArn"], "runtime": fn.get("Runtime"), "handler": fn.get("Handler"),
            "role": fn.get("Role"), "memory_size_mb": fn.get("MemorySize"),
            "timeout_s": fn.get("Timeout"), "source": tags.get("tipsim:source", ""),
            "tags": user_tags(tags), "_all_tags": dict(tags)})

    def read_owned(self, ctx: Context) -> list[Actual]:
        lam = ctx.client("lambda")
        out = []
        for page in lam.get_paginator("list_functions").paginate():
            for fn in page["Functions"]:
                tags = lam.list_tags(Resource=fn["FunctionArn"]).get("Tags", {})
                if owned_by(tags, ctx):
                    out.append(self._actual(fn, tags))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        import hashlib

        source = str(attrs["source"])
        digest = hashlib.sha1(source.encode()).hexdigest()[:16]
        tags = {**attrs.get("tags", {}), **ctx.owner_tags(address), "tipsim:source": digest}
        fn = ctx.client("lambda").create_function(
            FunctionName=attrs["function_name"], Runtime=attrs["runtime"], Role=attrs["role"],
            Handler=attrs["handler"], Code={"ZipFile": _zip_source(source)},
            MemorySize=int(attrs.get("memory_size_mb", 128)),
            Timeout=int(attrs.get("timeout_s", 3)), Tags=tags)
        fn = self._settled(ctx, fn)
        if fn.get("State") == "Failed":
            raise InfraError(f"{address}: the emulator made function {fn['FunctionName']} in "
                             f"state Failed ({fn.get('StateReason', 'no reason given')}); "
                             "it cannot run Lambda functions here")
        return self._actual(fn, tags)

    @staticmethod
    def _settled(ctx: Context, fn: Mapping[str, Any], wait_s: float = 10.0) -> Mapping[str, Any]:
        """The function's configuration once it has left state Pending (or after ``wait_s``)."""
        deadline = time.monotonic() + wait_s
        while fn.get("State") == "Pending" and time.monotonic() < deadline:
            time.sleep(0.2)
            fn = ctx.client("lambda").get_function(
                FunctionName=fn["FunctionName"])["Configuration"]
        return fn

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        import hashlib

        out = dict(attrs)
        src = out.get("source")
        if isinstance(src, str) and len(src) != 16:  # desired: full text; actual: its digest
            out["source"] = hashlib.sha1(src.encode()).hexdigest()[:16]
        return out

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        lam = ctx.client("lambda")
        fn = lam.update_function_configuration(
            FunctionName=actual.id, Role=attrs["role"],
            MemorySize=int(attrs.get("memory_size_mb", 128)),
            Timeout=int(attrs.get("timeout_s", 3)))
        return self._actual(fn, actual.attrs["_all_tags"])

    def delete(self, ctx: Context, actual: Actual) -> None:
        ctx.client("lambda").delete_function(FunctionName=actual.id)


class EventSourceMappingHandler(Handler):
    """Lambda reading Kafka. moto maps Lambda only to SQS, DynamoDB and Kinesis, and
    LocalStack's free edition has no MSK: the capability ``lambda_kafka_mapping`` says
    whether the emulator can hold it; where not, it is simulated only."""

    type_name = "aws_lambda_event_source_mapping"
    service = "lambda_kafka_mapping"
    read_service = "lambda"  # mappings are listed per function, through Lambda
    force_new = frozenset({"function_name", "event_source_arn", "topics", "starting_position"})
    updatable = frozenset({"batch_size", "maximum_batching_window_s"})
    delete_rank = 65

    def read_owned(self, ctx: Context) -> list[Actual]:
        lam = ctx.client("lambda")
        out = []
        for fn in LambdaFunctionHandler().read_owned(ctx):
            tags = fn.attrs["_all_tags"]
            res = lam.list_event_source_mappings(FunctionName=fn.id)
            for m in res.get("EventSourceMappings", []):
                address = child_address(tags, self.type_name, m["UUID"])
                out.append(Actual(address, self.type_name, m["UUID"], {
                    "id": m["UUID"], "function_name": fn.id,
                    "event_source_arn": m.get("EventSourceArn"), "topics": m.get("Topics", []),
                    "starting_position": m.get("StartingPosition"),
                    "batch_size": m.get("BatchSize"),
                    "maximum_batching_window_s": m.get("MaximumBatchingWindowInSeconds")},
                    parent_id=fn.attrs["arn"]))
        return out

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        lam = ctx.client("lambda")
        m = lam.create_event_source_mapping(
            FunctionName=attrs["function_name"], EventSourceArn=attrs["event_source_arn"],
            Topics=list(attrs.get("topics", [])),
            StartingPosition=attrs.get("starting_position", "LATEST"),
            BatchSize=int(attrs.get("batch_size", 100)),
            MaximumBatchingWindowInSeconds=int(attrs.get("maximum_batching_window_s", 0)))
        fn_arn = lam.get_function(FunctionName=attrs["function_name"])["Configuration"][
            "FunctionArn"]
        lam.tag_resource(Resource=fn_arn, Tags={child_key(m["UUID"]): address_tag(address)})
        return Actual(address, self.type_name, m["UUID"], {"id": m["UUID"], **attrs},
                      parent_id=fn_arn)

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        ctx.client("lambda").update_event_source_mapping(
            UUID=actual.id, BatchSize=int(attrs.get("batch_size", 100)),
            MaximumBatchingWindowInSeconds=int(attrs.get("maximum_batching_window_s", 0)))
        return Actual(actual.address, self.type_name, actual.id, {**actual.attrs, **attrs},
                      parent_id=actual.parent_id)

    def delete(self, ctx: Context, actual: Actual) -> None:
        lam = ctx.client("lambda")
        lam.delete_event_source_mapping(UUID=actual.id)
        lam.untag_resource(Resource=actual.parent_id, TagKeys=[child_key(actual.id)])
