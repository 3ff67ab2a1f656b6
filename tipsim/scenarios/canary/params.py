"""Parameters of the ``canary`` scenario: the web tier's and the judge's fields, flattened.

Each field is declared once, in the component it belongs to (DNS, the entry point, the
network path, the image, the traffic, the canary's step plan, the blue/green operator,
the judge, the SLO), and flattened here with :func:`~tipsim.params.same_as`; only what
belongs to the scenario itself (strategy, defect, when the change starts, ...) is
declared here. :class:`Weights` are the Route 53 record weights the emulator side sets.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import model_validator

from tipsim import params
from tipsim.analysis.canary_judge import JudgeParams
from tipsim.analysis.slo import SLO
from tipsim.param_rules import components_valid, ordered
from tipsim.params import param, same_as
from tipsim.sim.web.dns import DnsConfig
from tipsim.sim.web.entry import EntryConfig
from tipsim.sim.web.instances import Image
from tipsim.sim.web.network import NetworkPath
from tipsim.sim.web.rollouts.canary import BlueGreenPlan, StepPlan
from tipsim.sim.web.service import ServiceConfig
from tipsim.sim.web.traffic import TrafficConfig

Strategy = Literal["big-bang", "blue-green", "canary"]
JudgeBaseline = Literal["production", "fresh"]
Defect = Literal["none", "blocked-port", "latency", "loss", "overload", "errors", "crash",
                 "production-clients"]
STRATEGIES: tuple[Strategy, ...] = ("big-bang", "blue-green", "canary")
DEFECTS: tuple[Defect, ...] = ("none", "blocked-port", "latency", "loss", "overload", "errors",
                               "crash", "production-clients")


class Params(params.Params):
    """Parameters of the canary / blue-green scenario."""

    strategy: Strategy = param("canary", description="how traffic moves to green")
    defect: Defect = param("none", label="green defect",
                           description="what is wrong with the green side")
    dns_ttl_s: float = same_as(DnsConfig, "ttl_s", 60.0)
    dns_propagation_s: float = same_as(DnsConfig, "propagation_s")
    stale_resolver_share: float = same_as(DnsConfig, "stale_share")
    stale_resolver_hold_s: float = same_as(DnsConfig, "stale_hold_s")
    evaluate_target_health: bool = same_as(EntryConfig, "evaluate_target_health")
    smoke_test: Literal["pass", "fail"] = param("pass", description="result of the smoke test")
    users: int = same_as(DnsConfig, "clients", 500)
    rate_per_s: float = same_as(TrafficConfig, "rate_per_s", 25.0)
    duration_s: float = same_as(TrafficConfig, "duration_s", 1800.0)
    switch_at_s: float = param(300.0, ge=0.0, le=7200.0, unit="s",
                               description="when the change starts (first weight change)")
    mean_service_s: float = same_as(TrafficConfig, "mean_service_s", 0.1)
    service_cv: float = same_as(TrafficConfig, "service_cv", 0.5)
    instances_per_side: int = param(2, ge=1, le=20, description="instances behind each ELB")
    workers_per_instance: int = same_as(ServiceConfig, "workers_per_instance")
    background_error_prob: float = same_as(Image, "error_prob", 0.001,
                                           description="error rate of both sides, defect aside")
    rtt_s: float = same_as(NetworkPath, "rtt_s", 0.02,
                           description="network round trip of each path")
    client_timeout_s: float = same_as(EntryConfig, "client_timeout_s")
    latency_factor: float = same_as(Image, "latency_factor", 2.0,
                                    description="'latency': green slowdown")
    loss_prob: float = same_as(NetworkPath, "loss_prob", 0.05,
                               description="'loss': share of green requests lost")
    overload_workers: int = same_as(ServiceConfig, "workers_per_instance", 1,
                                    description="'overload': green workers")
    green_error_rate: float = same_as(Image, "error_prob", 0.02,
                                      description="'errors': share of green requests failing")
    green_crash_after_s: float = same_as(Image, "crash_after_s", 600.0,
                                         description="'crash': green instances crash this "
                                                     "long after they start serving (t=0)")
    old_client_share: float = same_as(TrafficConfig, "old_client_share",
                                      description="'production-clients': share of users on "
                                                  "an old client that green refuses")
    step_weight_pct: float = same_as(StepPlan, "step_weight_pct")
    max_weight_pct: float = same_as(StepPlan, "max_weight_pct")
    window_s: float = same_as(StepPlan, "window_s")
    failed_check_threshold: int = same_as(StepPlan, "failed_check_threshold")
    metric_interval_s: float = param(10.0, ge=1.0, le=600.0, unit="s",
                                     description="judge's data point spacing")
    judge_baseline: JudgeBaseline = param(
        "production", label="judge against",
        description="canary compared with blue ('production') or with a fresh baseline of "
                    "blue's version, same size and traffic, deployed beside it ('fresh')")
    cold_start_factor: float = same_as(Image, "cold_start_factor")
    warmup_requests: float = same_as(Image, "warmup_requests")
    confidence: float = same_as(JudgeParams, "confidence")
    effect_fraction: float = same_as(JudgeParams, "effect_fraction")
    pass_score: float = same_as(JudgeParams, "pass_score")
    marginal_score: float = same_as(JudgeParams, "marginal_score")
    reaction_s: float = same_as(BlueGreenPlan, "reaction_s")
    bake_s: float = same_as(BlueGreenPlan, "bake_s")
    availability_target: float = same_as(SLO, "availability_target", 0.99,
                                         description="SLO success share")
    latency_threshold_s: float = same_as(SLO, "latency_threshold_s", 0.5,
                                         description="SLO latency bound")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        components_valid(self, self.step_plan, self.judge_params)
        ordered(self, "switch_at_s", "<", "duration_s")
        ordered(self, "metric_interval_s", "<=", "window_s")
        if self.judge_baseline == "fresh" and self.max_weight_pct > 50.0:
            raise ValueError("max_weight_pct: a number <= 50 with judge_baseline 'fresh' "
                             "(the baseline takes as much traffic as the canary)")
        return self

    def judge_params(self) -> JudgeParams:
        """The judge's thresholds."""
        return JudgeParams.create(confidence=self.confidence,
                                  effect_fraction=self.effect_fraction,
                                  pass_score=self.pass_score, marginal_score=self.marginal_score)

    def step_plan(self) -> StepPlan:
        """The canary's weight steps and failure count."""
        return StepPlan.create(step_weight_pct=self.step_weight_pct,
                               max_weight_pct=self.max_weight_pct, window_s=self.window_s,
                               failed_check_threshold=self.failed_check_threshold)

    def blue_green_plan(self) -> BlueGreenPlan:
        """The blue/green operator's reaction and bake times."""
        return BlueGreenPlan(reaction_s=self.reaction_s, bake_s=self.bake_s)

    def dns_config(self) -> DnsConfig:
        """The clients' DNS: TTL, number of clients, propagation and stale resolvers."""
        return DnsConfig(ttl_s=self.dns_ttl_s, clients=self.users,
                         propagation_s=self.dns_propagation_s,
                         stale_share=self.stale_resolver_share,
                         stale_hold_s=self.stale_resolver_hold_s)

    def entry_config(self) -> EntryConfig:
        """Evaluate target health and the client timeout of the DNS entry point."""
        return EntryConfig(evaluate_target_health=self.evaluate_target_health,
                           client_timeout_s=self.client_timeout_s)

    def traffic(self) -> TrafficConfig:
        """The load: every client (``users``) sends requests at ``rate_per_s`` in all."""
        return TrafficConfig(rate_per_s=self.rate_per_s, duration_s=self.duration_s,
                             mean_service_s=self.mean_service_s, service_cv=self.service_cv,
                             users=self.users, old_client_share=self.old_client_share)

    def slo(self) -> SLO:
        """The objectives used for alerts and blast radius."""
        return SLO(availability_target=self.availability_target,
                   latency_threshold_s=self.latency_threshold_s)

