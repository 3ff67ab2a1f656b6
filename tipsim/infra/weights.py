"""Shift traffic between blue and green: set the weighted records' weights, read them back.

Route53 weights are whole numbers 0-255; a record of weight 0 gets no traffic
unless every record of the name has weight 0 (then all share it equally), so the
kit refuses both at 0, as the talk's blue 10 / green 0 start would never need.
The stack marks the records' ``weighted_routing_policy`` as ``ignore_changes``, so a later apply
keeps the shifted weights (Terraform's ``lifecycle { ignore_changes }``).
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from tipsim.errors import InfraError
from tipsim.params import Params

# The weighted records: an alias to the side's ELB, or where the emulator has no classic ELB
# (LocalStack's free edition), a record naming the side's instance (see blue_green.tf).
RECORDS = {"blue": ("aws_route53_record.blue[0]", "aws_route53_record.blue_instance[0]"),
           "green": ("aws_route53_record.green[0]", "aws_route53_record.green_instance[0]")}


def record_of(owned: Any, side: str) -> Any:
    """The side's weighted record among ``owned`` (either form of :data:`RECORDS`), or None."""
    return next((owned[a] for a in RECORDS[side] if a in owned), None)


class Weights(Params):
    """Weights of the blue and green records."""

    blue: int = Field(10, ge=0, le=255, description="weight of the blue record")
    green: int = Field(0, ge=0, le=255, description="weight of the green record")

    @model_validator(mode="after")
    def _not_both_zero(self) -> Self:
        if self.blue == 0 and self.green == 0:
            raise ValueError("blue: blue and green cannot both be 0 (at least one > 0)")
        return self


def read_weights(stack: Any) -> dict[str, int | None]:
    """Current weights as the emulator holds them (None: the record does not exist)."""
    from tipsim.infra.handlers_dns import weight_of

    owned = stack.owned()
    return {side: (weight_of(rec.attrs) if (rec := record_of(owned, side)) else None)
            for side in RECORDS}


def set_weights(stack: Any, blue: int, green: int) -> dict[str, int | None]:
    """Validate, update both records, and return the weights read back."""
    from tipsim.infra.handlers_dns import RecordHandler, weight_of

    wanted = Weights.create({"blue": blue, "green": green})
    owned = stack.owned()
    handler = RecordHandler()
    for side in RECORDS:
        weight = getattr(wanted, side)
        actual = record_of(owned, side)
        if actual is None:
            if side == "green" and weight == 0:
                continue
            raise InfraError(f"{RECORDS[side][0]} does not exist: apply the stack"
                             + (" with enable_green_application=true" if side == "green" else "")
                             + " first")
        if weight_of(actual.attrs) != weight:
            attrs = {k: v for k, v in actual.attrs.items() if not k.startswith("_") and k != "id"}
            policy = [{"weight": weight}]
            handler.update(stack.ctx, actual, {**attrs, "weighted_routing_policy": policy},
                           {"weighted_routing_policy"})
    return read_weights(stack)
