"""EC2 tagging for the handlers: ownership filters, tags set in the create call, user tags
made equal to the wanted ones (the kit's ownership tags are never touched)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tipsim.infra.handler import OWNER_TAG, STACK_TAG, Context, tag_list


def owned_filter(ctx: Context) -> list[dict[str, Any]]:
    """EC2 ``Filters`` matching the resources this context's stack and owner own."""
    return [{"Name": f"tag:{STACK_TAG}", "Values": [ctx.stack]},
            {"Name": f"tag:{OWNER_TAG}", "Values": [ctx.owner]}]


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
