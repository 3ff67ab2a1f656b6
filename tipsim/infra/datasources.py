"""Look-ups a stack reads but does not own: machine images by name, availability zones.

Like the talk's ``data "aws_ami"``: filter images by name pattern and owner, take
the most recent. The kit's images come from ``data/machine_images.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tipsim.errors import InfraError
from tipsim.infra.handler import Context


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


def resolve(ctx: Context, decls: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Resolve a stack's ``data`` block into values for ``data.<type>.<name>.<attr>``."""
    out: dict[str, dict[str, Any]] = {}
    for dtype, items in decls.items():
        out[dtype] = {}
        for name, decl in items.items():
            if dtype == "aws_ami":
                out[dtype][name] = find_image(ctx, decl["name_filter"], decl.get("owners"))
            elif dtype == "aws_availability_zones":
                out[dtype][name] = availability_zones(ctx)
            else:
                raise InfraError(f"data source type {dtype!r} is unknown "
                                 "(aws_ami, aws_availability_zones)")
    return out
