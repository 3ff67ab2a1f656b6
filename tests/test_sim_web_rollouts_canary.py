"""The canary's step plan and the blue/green operator, as the rollout processes use them."""

from __future__ import annotations

import pytest
import simpy

from tipsim.errors import ParameterError
from tipsim.sim.web.rollouts.canary import (
    BlueGreenPlan,
    RolloutRecord,
    StepPlan,
    blue_green,
    canary,
)


class _Entry:
    """Records the weights a controller sets (the DnsEntry calls a rollout makes)."""

    def __init__(self) -> None:
        self.weights: list[list[float]] = []

    def set_weights(self, weights: list[float], now_s: float) -> None:
        self.weights.append(list(weights))

    def note_change(self, now_s: float) -> None:
        pass


def test_step_plan_walks_from_the_step_to_the_max_weight() -> None:
    """Flagger's stepWeight 10 up to maxWeight 50: 10, 20, 30, 40, 50; a max that is not
    a multiple of the step is the last step."""
    assert StepPlan().weights_pct() == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert StepPlan(step_weight_pct=20.0, max_weight_pct=50.0).weights_pct() == [20, 40, 50]


def test_step_plan_refuses_a_max_below_the_step_naming_the_field() -> None:
    with pytest.raises(ParameterError, match="max_weight_pct"):
        StepPlan.create(step_weight_pct=50.0, max_weight_pct=20.0)
    with pytest.raises(ParameterError, match="window_s"):
        StepPlan.create(window_s=0.0)


@pytest.mark.parametrize("reaction_s", [0.0, 300.0])
def test_blue_green_switches_back_reaction_time_after_the_first_alert(reaction_s) -> None:
    """Switch at 100 s; the alert fires at the first check (60 s later); the operator
    switches back ``reaction_s`` after it."""
    env = simpy.Environment()
    entry, record = _Entry(), RolloutRecord()
    env.process(blue_green(env, entry, record, 100.0, lambda now: True,  # type: ignore[arg-type]
                           BlueGreenPlan(reaction_s=reaction_s), check_every_s=60.0))
    env.run(until=2000.0)
    assert record.decision == "rollback"
    assert record.weight_time_s == [100.0, 160.0 + reaction_s]
    assert entry.weights == [[0.0, 100.0], [100.0, 0.0]]


def test_blue_green_keeps_green_after_the_bake_time_without_alert() -> None:
    env = simpy.Environment()
    record = RolloutRecord()
    env.process(blue_green(env, _Entry(), record, 100.0, lambda now: False,  # type: ignore[arg-type]
                           BlueGreenPlan(bake_s=600.0), check_every_s=60.0))
    env.run(until=2000.0)
    assert record.decision == "promote" and record.decision_time_s == 700.0


@pytest.mark.parametrize(("verdict", "last"), [("pass", [0.0, 100.0, 0.0]),
                                               ("fail", [100.0, 0.0, 0.0])])
def test_a_fresh_baseline_gets_the_canarys_weight_at_every_step_and_none_after(
        verdict, last) -> None:
    """Kayenta's baseline cluster takes the same traffic as the canary: weights blue
    100 - 2w, green w, baseline w at each step; once promoted (or rolled back) the
    baseline's record goes to 0."""
    env = simpy.Environment()
    entry, record = _Entry(), RolloutRecord()
    env.process(canary(env, entry, record, 100.0,  # type: ignore[arg-type]
                       StepPlan(step_weight_pct=10.0, max_weight_pct=30.0,
                                failed_check_threshold=1),
                       lambda a, b: (verdict, 0.0, None), fresh_baseline=True))
    env.run(until=2000.0)
    steps = [[80.0, 10.0, 10.0], [60.0, 20.0, 20.0], [40.0, 30.0, 30.0]]
    expected = steps + [last] if verdict == "pass" else [steps[0], last]
    assert entry.weights == expected
