"""Look-ups a stack reads but does not own: machine images by name, availability zones.

As Terraform's ``data "aws_ami"`` (``owners``, ``filter { name = "name" ... }``,
``most_recent``) and ``data "aws_availability_zones"``. The kit's images come from
``data/machine_images.json``, served by the embedded emulator and the kit's LocalStack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tipsim.errors import InfraError, StackSourceError
from tipsim.infra.handler import Context
from tipsim.infra.hcl.config import Body, Config
from tipsim.infra.hcl.values import UNKNOWN

KNOWN = ("aws_ami", "aws_availability_zones")


def find_image(ctx: Context, name_filter: str, owners: list[str] | None = None) -> dict[str, Any]:
    """The most recent image whose name matches ``name_filter`` (``*`` wildcards)."""
    kwargs: dict[str, Any] = {"Filters": [{"Name": "name", "Values": [name_filter]}]}
    if owners:
        kwargs["Owners"] = list(owners)
    images = ctx.client("ec2").describe_images(**kwargs)["Images"]
    if not images:
        raise InfraError(f"no machine image matches name {name_filter!r}"
                         + (f" owned by {', '.join(owners)}" if owners else "")
                         + ": the kit's images (data/machine_images.json) are served by the "
                           "embedded emulator and the kit's LocalStack runtime; another "
                           "emulator needs MOTO_AMIS_PATH set to that file when it starts")
    best = max(images, key=lambda i: i.get("CreationDate", ""))
    return {"id": best["ImageId"], "name": best["Name"], "created": best.get("CreationDate")}


def availability_zones(ctx: Context) -> dict[str, Any]:
    zones = ctx.client("ec2").describe_availability_zones()["AvailabilityZones"]
    names = sorted(z["ZoneName"] for z in zones if z.get("State", "available") == "available")
    return {"names": names}


def _name_filter(body: Body, values: Mapping[str, Any]) -> str:
    for f in values.get("filter", []):
        if f.get("name") == "name" and f.get("values"):
            return str(f["values"][0])
    raise StackSourceError(body.file, body.line, "data \"aws_ami\" needs a filter on \"name\"")


def resolve(ctx: Context | None, config: Config, variables: Mapping[str, Any]
            ) -> dict[str, dict[str, Any]]:
    """Every data block's value; with ``ctx`` None, offline (image names from the filters,
    ids and zones known only after apply)."""
    from tipsim.infra.render import body_value, scope_for

    out: dict[str, dict[str, Any]] = {}
    for dtype, items in config.data.items():
        out[dtype] = {}
        for name, body in items.items():
            if dtype not in KNOWN:
                raise StackSourceError(body.file, body.line, f"data source {dtype!r} is not one "
                                       f"the kit reads ({', '.join(KNOWN)})")
            values = body_value(body, scope_for(config, variables, {}, {}))
            if dtype == "aws_ami":
                pattern = _name_filter(body, values)
                out[dtype][name] = (find_image(ctx, pattern, values.get("owners"))
                                    if ctx is not None else {"id": UNKNOWN, "name": pattern})
            else:
                out[dtype][name] = availability_zones(ctx) if ctx is not None else {
                    "names": UNKNOWN}
    return out
