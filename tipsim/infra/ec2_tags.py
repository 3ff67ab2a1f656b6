"""Tagged EC2 resources for the handlers: ownership filters, tags set in the create call,
user tags made equal to the wanted ones (the kit's ownership tags are never touched), and
:class:`Ec2Handler`, the base of the handlers that read such resources back by their tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tipsim.infra.handler import (
    OWNER_TAG,
    STACK_TAG,
    Actual,
    Context,
    Handler,
    address_of,
    tag_dict,
    tag_list,
    user_tags,
)


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


class Ec2Handler(Handler):
    """A handler of one kind of tagged EC2 resource (VPC, subnet, gateway, route table,
    security group, instance).

    The stack's resources of that kind are read with one ``Describe`` call filtered by the
    ownership tags (:func:`owned_filter`); each is read back as its id, the attributes of
    :meth:`attributes` (named as the AWS provider's arguments) and its user tags, with its
    address from the kit's tag.

    Class attributes
    ----------------
    describe
        The ``Describe`` call of the EC2 client (``"describe_subnets"``).
    list_key
        The list of resources in its answer (``"Subnets"``).
    id_key
        The id in each resource (``"SubnetId"``).
    """

    describe: ClassVar[str] = ""
    list_key: ClassVar[str] = ""
    id_key: ClassVar[str] = ""

    def attributes(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The attributes of ``raw`` (one item of the answer) besides ``id`` and ``tags``."""
        return {}

    def _actual(self, raw: dict[str, Any]) -> Actual:
        tags = tag_dict(raw.get("Tags"))
        resource_id = raw[self.id_key]
        return Actual(address_of(tags), self.type_name, resource_id, {
            "id": resource_id, **self.attributes(raw), "tags": user_tags(tags)})

    def read_owned(self, ctx: Context) -> list[Actual]:
        answer = getattr(ctx.client("ec2"), self.describe)(Filters=owned_filter(ctx))
        return [self._actual(raw) for raw in answer[self.list_key]]

    def update_tags(self, ctx: Context, actual: Actual, attrs: Mapping[str, Any],
                    changed: set[str]) -> None:
        """Make the user tags equal the wanted ones when ``tags`` is among ``changed``."""
        if "tags" in changed:
            set_tags(ctx, actual.id, actual.attrs["tags"], attrs.get("tags", {}))
