"""The staging panel: controls made from the fields, month-level changes redraw without new
simulations, and a bad mix is one line naming the field."""

from __future__ import annotations

import html

import pytest

from tipsim.scenarios.staging_vs_production import APPROACHES, Params, cache_size
from tipsim.widgets.staging import CONTROLS, StagingPanel


@pytest.fixture(scope="module")
def panel() -> StagingPanel:
    return StagingPanel(Params.create(months=100), seed=1)


def test_the_panel_shows_one_point_per_approach_and_a_table(panel) -> None:
    names = [t.name for t in panel.figures["cost"].data]
    assert names == list(APPROACHES)
    for name in APPROACHES:
        assert f"<td>{html.escape(name)}</td>" in panel.table.value
    assert "infrastructure (USD per month)" in panel.table.value
    assert set(panel.controls) == set(CONTROLS)


def test_a_month_level_change_redraws_without_simulating_again(panel) -> None:
    """More defects per month: the points move (more budget burned), from the same runs."""
    before = panel.figures["cost"].outputs
    runs = cache_size()
    budget = panel.result.approaches["big-bang"]["error_budget_used_per_month"]
    panel.controls["defect_rate"].value = 0.4
    assert panel.message.value == ""
    assert panel.figures["cost"].outputs != before
    assert cache_size() == runs
    assert panel.result.approaches["big-bang"]["error_budget_used_per_month"] > budget


def test_a_group_control_changes_its_key_only(panel) -> None:
    panel.controls["staging_fidelity.overload"].value = 1.0
    assert panel.params.staging_fidelity.overload == 1.0
    assert panel.params.staging_fidelity.errors == Params().staging_fidelity.errors


def test_a_mix_of_all_zeros_is_one_line_naming_the_field(panel) -> None:
    mix = [name for name in CONTROLS if name.startswith("defect_mix.")]
    old = {name: panel.controls[name].value for name in mix}
    try:
        for name in mix[:-1]:
            panel.controls[name].value = 0.0
        result = panel.result
        panel.controls[mix[-1]].value = 0.0
        line = html.unescape(panel.message.value)
        assert "defect_mix" in line and "at least one weight > 0" in line
        assert "Traceback" not in line
        assert panel.result is result
    finally:
        for name, value in old.items():
            panel.controls[name].value = value
