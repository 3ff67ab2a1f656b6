"""Validated parameters: every bad value names the field and what is allowed."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import Field, ValidationError, model_validator

from tipsim.errors import ParameterError
from tipsim.params import Params


class Demo(Params):
    rate_per_s: float = Field(10.0, gt=0, le=1000, description="arrival rate")
    servers: int = Field(2, ge=1, le=64)
    strategy: Literal["toggle", "in-place"] = "toggle"
    enabled: bool = False
    tolerance_s: float | None = Field(None, ge=0)


def test_from_sets_parses_types() -> None:
    p = Demo.from_sets(["rate_per_s=2.5", "servers=4", "strategy=in-place", "enabled=true",
                        "tolerance_s=30"])
    assert (p.rate_per_s, p.servers, p.strategy, p.enabled, p.tolerance_s) == (2.5, 4, "in-place", True, 30.0)


def test_empty_value_means_none_for_optional_fields() -> None:
    assert Demo.from_sets(["tolerance_s="]).tolerance_s is None


@pytest.mark.parametrize("item, field, allowed", [
    ("rate_per_s=-1", "rate_per_s", "> 0 and <= 1000"),
    ("servers=0", "servers", ">= 1 and <= 64"),
    ("servers=2.5", "servers", "a whole number"),
    ("strategy=yolo", "strategy", "one of 'toggle', 'in-place'"),
    ("enabled=maybe", "enabled", "true or false"),
])
def test_bad_values_name_the_field_and_the_range(item, field, allowed) -> None:
    with pytest.raises(ParameterError) as err:
        Demo.from_sets([item])
    assert err.value.field == field
    assert allowed in str(err.value)


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(ParameterError) as err:
        Demo.from_sets(["rate=3"])
    msg = str(err.value)
    assert "rate" in msg and "unknown parameter" in msg
    for name in ("rate_per_s", "servers", "strategy", "enabled", "tolerance_s"):
        assert name in msg


def test_params_are_frozen_and_replace_validates() -> None:
    p = Demo()
    with pytest.raises(ValidationError):
        p.servers = 3  # type: ignore[misc]
    assert p.replace(servers=3).servers == 3
    with pytest.raises(ParameterError, match="servers"):
        p.replace(servers=100)


class Window(Params):
    start_s: float = Field(0.0, ge=0)
    end_s: float = Field(10.0, ge=0)



    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end_s <= self.start_s:
            raise ValueError("end_s: must be greater than start_s")
        return self


def test_cross_field_checks_name_their_field() -> None:
    with pytest.raises(ParameterError) as err:
        Window.create(start_s=5, end_s=2)
    assert err.value.field == "end_s"
    assert str(err.value).splitlines()[0] == "end_s=2 is not allowed: must be greater than start_s"
    assert "valid parameters:" in str(err.value)


class Shares(Params):
    """A group: one share per kind."""

    errors: float = Field(0.9, ge=0, le=1, description="errors")
    overload: float = Field(0.2, ge=0, le=1, description="overload")


class WithGroup(Params):
    rate_per_s: float = Field(10.0, gt=0, le=1000)
    fidelity: Shares = Field(Shares(), description="share reproduced per kind")


def test_a_dotted_name_sets_one_key_of_a_group_and_the_bare_name_sets_every_key() -> None:
    p = WithGroup.from_sets(["fidelity.overload=0.5"])
    assert (p.fidelity.errors, p.fidelity.overload) == (0.9, 0.5)
    p = WithGroup.from_sets(["fidelity=1", "fidelity.errors=0.25"])
    assert (p.fidelity.errors, p.fidelity.overload) == (0.25, 1.0)


@pytest.mark.parametrize("item, field, allowed", [
    ("fidelity.overload=1.5", "fidelity.overload", ">= 0 and <= 1"),
    ("fidelity=-1", "fidelity.errors", ">= 0 and <= 1"),
    ("fidelity.crash=1", "fidelity.crash", "errors, overload"),
    ("rate_per_s.x=1", "rate_per_s.x", "unknown parameter"),
])
def test_a_bad_group_value_names_the_dotted_field(item, field, allowed) -> None:
    with pytest.raises(ParameterError) as err:
        WithGroup.from_sets([item])
    assert err.value.field == field
    assert allowed in str(err.value)


def test_replace_changes_only_the_named_keys_of_a_group_and_describe_lists_them() -> None:
    p = WithGroup().replace(fidelity={"overload": 0.0})
    assert (p.fidelity.errors, p.fidelity.overload) == (0.9, 0.0)
    rows = {r["name"]: r for r in WithGroup.describe()}
    assert set(rows) == {"rate_per_s", "fidelity.errors", "fidelity.overload"}
    assert rows["fidelity.overload"]["default"] == 0.2
    assert "share reproduced per kind" in rows["fidelity.overload"]["description"]


def test_replace_accepts_a_dotted_name_for_one_key_of_a_group() -> None:
    p = WithGroup().replace(**{"fidelity.errors": 0.5, "rate_per_s": 2.0})
    assert (p.fidelity.errors, p.fidelity.overload, p.rate_per_s) == (0.5, 0.2, 2.0)
    with pytest.raises(ParameterError) as err:
        WithGroup().replace(**{"fidelity.errors": 2.0})
    assert err.value.field == "fidelity.errors"
