"""Parameters of ``staging-vs-production``: a month of changes, what goes wrong, what
staging can reproduce, and production as the kit's other scenarios simulate it.

Production's load, fleet, SLO and rollout settings are the web tier's and the canary's
fields, flattened with :func:`~tipsim.params.same_as` (one definition each). Two *groups*
hold one value per defect kind: ``defect_mix`` (relative weights) and ``staging_fidelity``
(the chance that staging reproduces a defect of that kind); on the CLI
``--set staging_fidelity=1`` sets every kind, ``--set staging_fidelity.overload=0.5`` one.

Defaults, and where they come from (the notebook explains them):

* ``defect_rate`` 0.15: the change failure rate of DORA's elite, high and medium
  performers is 0-15 % (Accelerate State of DevOps Report 2019).
* ``staging_fidelity``: errors 0.9 and crash 0.9 (most production failures are
  deterministic and show on a few nodes given the same inputs: Yuan et al., "Simple Testing
  Can Prevent Most Critical Failures", OSDI 2014); latency 0.5 (staging's data and
  neighbours differ); blocked-port 0.5 (network rules match only if staging's network is
  built by the same code); overload 0.2 (a staging load test at production's per-instance
  load is rare); production-clients 0.05 (staging has test clients, not production's).
  Only the first two rest on a published study; the others are this kit's assumptions.
* ``reaction_s`` 300 s: the SRE book's on-call response time for user-facing services
  ("Being On-Call": 5 minutes); ``ticket_reaction_s`` 2 days: a ticket needs action "in a
  few days" (SRE book, "Monitoring Distributed Systems").
"""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import model_validator

from tipsim import params
from tipsim.analysis.slo import SLO
from tipsim.param_rules import components_valid
from tipsim.params import param, same_as
from tipsim.sim.web.instances import Image
from tipsim.sim.web.rollouts.canary import BlueGreenPlan, StepPlan
from tipsim.sim.web.rollouts.feature_toggle import RolloutPlan
from tipsim.sim.web.service import ServiceConfig
from tipsim.sim.web.traffic import TrafficConfig

Kind = Literal["errors", "latency", "crash", "blocked-port", "overload", "production-clients"]
KINDS: tuple[Kind, ...] = ("errors", "latency", "crash", "blocked-port", "overload",
                           "production-clients")
"""The defect kinds, as the scenarios name them."""
KIND_KEYS: dict[str, str] = {k: k.replace("-", "_") for k in KINDS}
"""Kind -> its key in a group (``blocked-port`` -> ``blocked_port``)."""
Approach = Literal["staging", "big-bang", "feature-toggle", "canary", "blue-green",
                   "staging+canary"]
APPROACHES: tuple[Approach, ...] = ("staging", "big-bang", "feature-toggle", "canary",
                                    "blue-green", "staging+canary")
InstanceType = Literal["t2.micro", "m5.xlarge", "m5.2xlarge", "m5.4xlarge"]



def _weight(default: float, description: str) -> Any:
    """A relative weight (0-100) of one defect kind."""
    return param(default, ge=0.0, le=100.0, step=0.5, description=description)


def _share(default: float, description: str) -> Any:
    """A chance (0-1) for one defect kind, shown as a percentage."""
    return param(default, ge=0.0, le=1.0, step=0.05, percent=True, description=description)


class DefectMix(params.Params):
    """Relative weight of each defect kind among defective changes (not all zero)."""

    errors: float = _weight(1.0, "fails a share of requests")
    latency: float = _weight(1.0, "serves slower")
    crash: float = _weight(1.0, "crashes after it starts serving")
    blocked_port: float = _weight(1.0, "listener port closed")
    overload: float = _weight(1.0, "less capacity: fails at "
                                                         "production load only")
    production_clients: float = _weight(1.0, "fails only production's "
                                                                   "own clients")

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one weight > 0")
        return self

    def shares(self) -> dict[str, float]:
        """Weights normalised to shares, by kind name."""
        w = self.model_dump()
        total = sum(w.values())
        return {k: w[KIND_KEYS[k]] / total for k in KINDS}


class Fidelity(params.Params):
    """Chance that staging reproduces a defect of each kind (its trigger is present)."""

    errors: float = _share(0.9, "same image, same inputs")
    latency: float = _share(0.5, "data volume and neighbours differ")
    crash: float = _share(0.9, "same image, same inputs")
    blocked_port: float = _share(0.5, "network rules built alike")
    overload: float = _share(0.2, "a load test at production's "
                                                       "per-instance load")
    production_clients: float = _share(0.05, "production's own "
                                                                  "clients in staging")

    def of(self, kind: str) -> float:
        """The fidelity of ``kind`` (a name such as ``"blocked-port"``)."""
        return float(getattr(self, KIND_KEYS[kind]))


class Params(params.Params):
    """A month of infrastructure changes, compared across six ways of shipping them."""

    # the month's changes
    changes_per_month: int = param(20, ge=1, le=1000, slider=(1, 200),
                                   description="infrastructure changes shipped per month")
    defect_rate: float = param(0.15, ge=0.0, le=1.0, step=0.01, percent=True,
                               description="share of changes that carry a defect")
    defect_mix: DefectMix = param(DefectMix(), description="weight of each defect kind")
    # staging
    staging_fidelity: Fidelity = param(Fidelity(), description="chance staging reproduces "
                                                               "a defect of each kind")
    staging_size_share: float = param(0.5, gt=0.0, le=1.0, step=0.05, percent=True,
                                      description="staging's size: share of production's "
                                                  "instances")
    staging_load_share: float = param(0.1, gt=0.0, le=1.0, step=0.01, percent=True,
                                      description="staging's traffic: share of "
                                                  "production's load")
    staging_soak_s: float = param(3600.0, ge=60.0, le=7 * 86_400.0, unit="s", log=True,
                                  slider=(300.0, 604_800.0),
                                  description="how long each change soaks in staging")
    # production
    rate_per_s: float = same_as(TrafficConfig, "rate_per_s", 10.0,
                                description="production load, requests/s")
    users: int = same_as(TrafficConfig, "users", 500)
    mean_service_s: float = same_as(TrafficConfig, "mean_service_s", 0.25)
    instances: int = param(2, ge=1, le=20, description="production's instances")
    workers_per_instance: int = same_as(ServiceConfig, "workers_per_instance")
    instance_type: InstanceType = param("t2.micro", description="production's instance "
                                                                "type (priced)")
    background_error_prob: float = same_as(Image, "error_prob", 0.001,
                                           description="error rate with no defect")
    availability_target: float = same_as(SLO, "availability_target", 0.99,
                                         description="SLO: share of good requests")
    latency_threshold_s: float = same_as(SLO, "latency_threshold_s", 1.0)
    # the defects' severity
    error_rate: float = same_as(Image, "error_prob", 0.2,
                                description="'errors': share of requests failed")
    latency_factor: float = same_as(Image, "latency_factor", 2.0,
                                    description="'latency': slowdown of the new version")
    crash_after_s: float = same_as(Image, "crash_after_s", 300.0,
                                   description="'crash': dies this long after serving")
    overload_workers: int = same_as(ServiceConfig, "workers_per_instance", 1,
                                    description="'overload': requests an instance of the "
                                                "new version serves at once")
    failing_user_share: float = same_as(Image, "failing_user_share", 0.1,
                                        description="'production-clients': share of users "
                                                    "failed")
    # the rollouts
    step_weight_pct: float = same_as(StepPlan, "step_weight_pct")
    max_weight_pct: float = same_as(StepPlan, "max_weight_pct")
    canary_window_s: float = same_as(StepPlan, "window_s", 60.0)
    toggle_share: float = same_as(RolloutPlan, "toggle_share")
    toggle_bake_s: float = same_as(RolloutPlan, "toggle_bake_s")
    bake_s: float = same_as(BlueGreenPlan, "bake_s", 600.0)
    reaction_s: float = same_as(BlueGreenPlan, "reaction_s", 300.0,
                                description="alert (page) to rollback by a person")
    ticket_reaction_s: float = param(2 * 86_400.0, ge=0.0, le=30 * 86_400.0, unit="s",
                                     description="ticket to rollback by a person")
    # the simulation
    window_s: float = param(720.0, ge=600.0, le=7200.0, unit="s", step=60.0,
                            description="simulated time after each change starts")
    months: int = param(400, ge=10, le=100_000, slider=(10, 2000),
                        description="simulated months (Monte Carlo)")
    replications: int = param(2, ge=1, le=20,
                              description="simulations per defect kind and approach")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        return components_valid(self, self.step_plan)

    def step_plan(self) -> StepPlan:
        """The canary's weight steps (their rules are the canary scenario's)."""
        return StepPlan.create(step_weight_pct=self.step_weight_pct,
                               max_weight_pct=self.max_weight_pct, window_s=self.canary_window_s)
