"""Controls come from the field's one definition: range, unit, step, choices."""

from __future__ import annotations

from typing import Literal

import ipywidgets as w
import pytest

from tipsim.errors import ParameterError
from tipsim.params import Params, field_meta, param, same_as
from tipsim.widgets.controls import NumberText, control, controls, label_of, values


class Component(Params):
    ttl_s: float = param(60.0, ge=0, le=3600, unit="s", slider=(0, 600), step=10,
                         description="DNS answer lifetime")
    share: float = param(0.2, gt=0, le=1, percent=True, step=0.05, description="share")
    replicas: int = param(3, ge=1, le=24, description="replicas")
    seed: int = param(1, ge=0, le=1_000_000, description="random seed")
    rate_per_s: float = param(2000.0, gt=0, le=200_000, unit="records/s", slider=(100, 50_000),
                              log=True, description="load")
    mode: Literal["a", "b", "c"] = param("a", description="mode")
    on: bool = param(False, description="switch")


class Scenario(Params):
    """A scenario flattening the component's fields (one definition, another default)."""

    ttl_s: float = same_as(Component, "ttl_s", 120.0)
    replicas: int = same_as(Component, "replicas")


def test_slider_takes_range_step_unit_from_the_field() -> None:
    c = control(Component, "ttl_s")
    assert isinstance(c, w.FloatSlider)
    assert (c.min, c.max, c.step, c.value) == (0.0, 600.0, 10.0, 60.0)
    assert c.description == "ttl (s)"


def test_open_lower_bound_starts_one_step_inside() -> None:
    c = control(Component, "share")
    assert c.min == pytest.approx(0.05) and c.max == 1.0 and c.readout_format == ".0%"


def test_each_kind_of_field_gets_its_control() -> None:
    assert isinstance(control(Component, "replicas"), w.IntSlider)
    assert isinstance(control(Component, "seed"), NumberText)  # 10^6 steps: a box
    log = control(Component, "rate_per_s")
    assert isinstance(log, w.FloatLogSlider) and log.min == pytest.approx(2.0)
    assert isinstance(control(Component, "mode"), w.Dropdown)
    assert isinstance(control(Component, "mode", buttons=True), w.ToggleButtons)
    assert isinstance(control(Component, "on"), w.Checkbox)


def test_a_changed_bound_moves_the_control_the_cli_and_the_error_together() -> None:
    """Change the range in the component only: the scenario's control, its usage text and
    its error message all follow, because the scenario references the field."""
    class Narrow(Params):
        replicas: int = param(3, ge=1, le=12, description="replicas")

    class Scn(Params):
        replicas: int = same_as(Narrow, "replicas")

    assert control(Scn, "replicas").max == 12
    assert "<= 12" in Scn.usage()
    with pytest.raises(ParameterError, match="<= 12"):
        Scn.create(replicas=13)
    assert control(Scenario, "replicas").max == 24  # the original stays as declared


def test_same_as_keeps_the_range_but_may_change_the_default() -> None:
    assert Scenario().ttl_s == 120.0
    assert field_meta(Scenario, "ttl_s").unit == "s"
    with pytest.raises(ParameterError, match="ttl_s"):
        Scenario.create(ttl_s=-1)


def test_choices_subset_must_be_allowed() -> None:
    assert list(control(Component, "mode", options=["a", "b"]).options) == ["a", "b"]
    with pytest.raises(ParameterError, match="mode"):
        control(Component, "mode", options=["a", "z"])


def test_controls_start_at_given_values_and_read_back() -> None:
    p = Component.create(replicas=5, mode="b")
    made = controls(Component, ["replicas", "mode"], p, prefix="tipsim-demo-")
    assert values(made) == {"replicas": 5, "mode": "b"}
    assert "tipsim-demo-replicas" in made["replicas"]._dom_classes


def test_label_drops_the_unit_suffix_and_shows_the_unit() -> None:
    assert label_of(field_meta(Component, "rate_per_s")) == "rate (records/s)"
    assert label_of(field_meta(Component, "replicas")) == "replicas"


def test_a_number_box_says_why_it_refuses_letters_and_out_of_range_values() -> None:
    """What ipywidgets' number boxes drop or clamp silently in the browser, the kit's box
    refuses in the kernel with the field's name and what it accepts."""
    box = control(Component, "seed")
    box.value = "12a"
    with pytest.raises(ParameterError, match=r"seed='12a' is not allowed: a whole number >= 0"):
        _ = box.number
    box.value = "2.5"
    with pytest.raises(ParameterError, match="a whole number"):
        _ = box.number
    box.value = "1,000"
    assert box.number == 1000 and values({"seed": box}) == {"seed": 1000}


def test_a_control_for_a_key_of_a_group_starts_at_the_groups_value() -> None:
    """``group.key`` names a field inside a group (one share per defect kind): the control
    takes that field's range and the group's current value, and its value goes back
    through ``replace`` with the same name."""
    from tipsim.scenarios.staging_vs_production import Params

    p = Params().replace(**{"staging_fidelity.overload": 0.35})
    made = controls(Params, ["staging_fidelity.overload", "defect_rate"], p, prefix="t-")
    c = made["staging_fidelity.overload"]
    assert (c.min, c.max, c.value) == (0.0, 1.0, 0.35)
    assert "t-staging-fidelity-overload" in c._dom_classes
    c.value = 0.6
    changed = p.replace(**values(made))
    assert changed.staging_fidelity.overload == 0.6 and changed.staging_fidelity.errors == 0.9
