"""Rollout controllers: how the green side's DNS weight moves over time.

Three ways to move traffic from blue to green, each a simpy process that sets the
weights of a :class:`~tipsim.sim.web.entry.DnsEntry`:

* **big-bang**: green's weight goes straight to 100% at ``switch_s`` and stays there;
* **blue/green**: the same switch, but a person watches an alert and switches back to
  blue ``reaction_s`` after the alert fires (or keeps green after ``bake_s``);
* **canary**: gated first by the smoke test, then weight steps (Flagger's ``stepWeight``
  up to ``maxWeight``, Argo Rollouts' ``setWeight`` + pause), each held for an
  observation window and judged; a failed window counts a failed check (Flagger's
  ``threshold`` rolls back), a marginal one holds the weight and looks again, a pass
  moves to the next step; passing the last step promotes green to 100%.

Flagger's documented example uses stepWeight 10, maxWeight 50, threshold 5 with
1-minute checks (Flagger docs, "Istio Canary Deployments" tutorial,
docs.flagger.app/tutorials/istio-progressive-delivery).

The judge is passed in as a function, so this module knows nothing of statistics:
``evaluate(start_s, end_s) -> (verdict, score, details)`` with verdict ``"pass"``,
``"marginal"`` or ``"fail"``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from pydantic import model_validator

from tipsim.param_rules import ordered
from tipsim.params import Params, param
from tipsim.sim.web.entry import DnsEntry

Decision = Literal["promote", "rollback", "blocked", "undecided"]
Evaluate = Callable[[float, float], tuple[str, float, Any]]
Alert = Callable[[float], bool]


class StepPlan(Params):
    """The canary's weight steps and how failures are counted."""

    step_weight_pct: float = param(10.0, gt=0.0, le=100.0, unit="%", step=5.0,
                                   slider=(5.0, 50.0), label="step weight (%)",
                                   description="green weight added at each canary step")
    max_weight_pct: float = param(50.0, gt=0.0, le=100.0, unit="%", step=5.0,
                                  slider=(5.0, 100.0), label="max weight (%)",
                                  description="green weight of the last canary step")
    window_s: float = param(120.0, ge=30.0, le=3600.0, unit="s", step=30.0,
                            slider=(30.0, 600.0), description="observation window per step")
    failed_check_threshold: int = param(2, ge=1, le=20, slider=(1, 5),
                                        label="failed checks to roll back",
                                        description="failed windows before rollback")

    @model_validator(mode="after")
    def _max_not_below_step(self) -> Self:
        return ordered(self, "max_weight_pct", ">=", "step_weight_pct")

    def weights_pct(self) -> list[float]:
        """The green weights of the steps, e.g. 10, 20, 30, 40, 50."""
        out: list[float] = []
        w = self.step_weight_pct
        while w < self.max_weight_pct - 1e-9:
            out.append(round(w, 6))
            w += self.step_weight_pct
        out.append(float(self.max_weight_pct))
        return out


class BlueGreenPlan(Params):
    """The blue/green operator: how fast they react to an alert, how long they watch."""

    reaction_s: float = param(300.0, ge=0.0, le=7200.0, unit="s",
                              description="blue/green: alert to manual switch back")
    bake_s: float = param(900.0, ge=60.0, le=14400.0, unit="s",
                          description="blue/green: watch this long before keeping green")


@dataclass
class Step:
    """One observation window: the weight held, when, and what the judge said."""

    weight_pct: float
    start_s: float
    end_s: float
    verdict: str
    score: float | None = None
    details: Any = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (details left out)."""
        return {"weight": self.weight_pct, "start": self.start_s, "end": self.end_s,
                "verdict": self.verdict, "score": self.score}


@dataclass
class RolloutRecord:
    """What a controller did: the decision, when, the steps and every weight change."""

    decision: Decision = "undecided"
    decision_time_s: float | None = None
    steps: list[Step] = field(default_factory=list)
    weight_time_s: list[float] = field(default_factory=list)
    weight_pct: list[float] = field(default_factory=list)


def set_green_weight(entry: DnsEntry, record: RolloutRecord, now_s: float, pct: float,
                     baseline_pct: float | None = None) -> None:
    """Route 53 weights blue = 100 - pct, green = pct (and a third record, a fresh baseline,
    ``baseline_pct``, taken from blue, when given), logged."""
    if baseline_pct is None:
        entry.set_weights([100.0 - pct, pct], now_s)
    else:
        entry.set_weights([100.0 - pct - baseline_pct, pct, baseline_pct], now_s)
    entry.note_change(now_s)
    record.weight_time_s.append(float(now_s))
    record.weight_pct.append(float(pct))


def big_bang(env: Any, entry: DnsEntry, record: RolloutRecord,
             switch_s: float) -> Generator[Any, Any, None]:
    """All traffic to green at ``switch_s``; no way back within the run."""
    yield env.timeout(switch_s)
    set_green_weight(entry, record, env.now, 100.0)
    record.decision, record.decision_time_s = "promote", float(env.now)
    record.steps.append(Step(100.0, float(env.now), float("nan"), "no check"))


def blue_green(env: Any, entry: DnsEntry, record: RolloutRecord, switch_s: float,
               alert: Alert, plan: BlueGreenPlan | None = None, *,
               check_every_s: float = 60.0) -> Generator[Any, Any, None]:
    """Switch to green at ``switch_s``; a person switches back ``plan.reaction_s`` after
    ``alert(now)`` first fires, or keeps green once ``plan.bake_s`` passed without alert."""
    plan = plan if plan is not None else BlueGreenPlan()
    reaction_s, bake_s = plan.reaction_s, plan.bake_s
    yield env.timeout(switch_s)
    start = float(env.now)
    set_green_weight(entry, record, start, 100.0)
    step = Step(100.0, start, float("nan"), "watching")
    record.steps.append(step)
    while env.now < start + bake_s:
        yield env.timeout(check_every_s)
        if alert(float(env.now)):
            yield env.timeout(reaction_s)
            set_green_weight(entry, record, env.now, 0.0)
            step.end_s, step.verdict = float(env.now), "alert: switched back"
            record.decision, record.decision_time_s = "rollback", float(env.now)
            return
    step.end_s, step.verdict = float(env.now), "no alert"
    record.decision, record.decision_time_s = "promote", float(env.now)


def canary(env: Any, entry: DnsEntry, record: RolloutRecord, start_s: float, plan: StepPlan,
           evaluate: Evaluate, *, smoke_passed: bool = True,
           fresh_baseline: bool = False) -> Generator[Any, Any, None]:
    """Smoke gate, then judged weight steps; promote or roll back (see module doc).

    ``fresh_baseline``: a third record, a baseline of production's version deployed beside
    the canary, gets the same weight as the canary at every step (Kayenta's canary and
    baseline clusters of the same size and traffic), and 0 once the canary is decided.
    """
    base: Callable[[float], float | None] = (lambda w: w) if fresh_baseline else (lambda w: None)
    yield env.timeout(start_s)
    if not smoke_passed:
        record.decision, record.decision_time_s = "blocked", float(env.now)
        record.steps.append(Step(0.0, float(env.now), float(env.now), "smoke test failed"))
        return
    failed = 0
    for weight in plan.weights_pct():
        set_green_weight(entry, record, env.now, weight, base(weight))
        while True:
            begin = float(env.now)
            yield env.timeout(plan.window_s)
            verdict, value, details = evaluate(begin, float(env.now))
            record.steps.append(Step(weight, begin, float(env.now), verdict, value, details))
            if verdict == "pass":
                break
            if verdict == "fail":
                failed += 1
                if failed >= plan.failed_check_threshold:
                    set_green_weight(entry, record, env.now, 0.0, base(0.0))
                    record.decision, record.decision_time_s = "rollback", float(env.now)
                    return
    set_green_weight(entry, record, env.now, 100.0, base(0.0))
    record.decision, record.decision_time_s = "promote", float(env.now)
