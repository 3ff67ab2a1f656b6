"""Rules between fields: each reads as the CLI's one-line refusal, naming the field, the
value given and the other field; a scenario that flattens a component is held to the
component's rule, stated once."""

from __future__ import annotations

import pytest
from pydantic import model_validator

from tipsim.errors import ParameterError
from tipsim.param_rules import Order, ordered
from tipsim.params import Params, param
from tipsim.scenarios import canary, staging_vs_production
from tipsim.sim.web.rollouts.canary import StepPlan


@pytest.mark.parametrize(("order", "holds"), [
    ("<", [(1, 2)]), ("<=", [(1, 2), (2, 2)]), (">=", [(2, 2), (3, 2)]), (">", [(3, 2)])])
def test_ordered_holds_exactly_where_the_comparison_does(order: Order, holds) -> None:
    class Pair(Params):
        low: float = param(0.0, ge=0, le=10)
        high: float = param(0.0, ge=0, le=10)

        @model_validator(mode="after")
        def _rule(self) -> Pair:
            return ordered(self, "low", order, "high")

    for low in (1, 2, 3):
        if (low, 2) in holds:
            assert Pair.create(low=low, high=2).low == low
        else:
            with pytest.raises(ParameterError) as exc:
                Pair.create(low=low, high=2)
            assert (exc.value.field, exc.value.allowed) == ("low", f"a number {order} high")


def test_the_canary_step_rule_is_stated_once_and_every_scenario_reports_it_alike() -> None:
    given = {"step_weight_pct": 20.0, "max_weight_pct": 10.0}
    refusals = []
    for model in (StepPlan, canary.Params, staging_vs_production.Params):
        with pytest.raises(ParameterError) as exc:
            model.create(**given)
        refusals.append((exc.value.field, exc.value.value, exc.value.allowed))
    assert refusals == [("max_weight_pct", 10.0, "a number >= step_weight_pct")] * 3


def test_a_scenario_accepts_what_its_component_accepts() -> None:
    p = staging_vs_production.Params.create(step_weight_pct=20.0, max_weight_pct=20.0)
    assert p.step_plan().weights_pct() == [20.0]
