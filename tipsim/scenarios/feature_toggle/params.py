"""Parameters of the ``feature-toggle`` scenario: the web tier's fields, flattened.

Every field but ``defect`` and ``health_check`` is declared once, in the component it
belongs to (the rollout plan, the image, the traffic, the service, the SLO), and
flattened here with :func:`~tipsim.params.same_as`, so the CLI's ``--set`` names stay
flat (``toggle_share=0.5``) while the range lives in one place.
"""

from __future__ import annotations

from typing import Literal

from tipsim import params
from tipsim.analysis.slo import SLO
from tipsim.params import param, same_as
from tipsim.sim.web.instances import Image
from tipsim.sim.web.rollouts.feature_toggle import NEW, OLD, RolloutPlan, Strategy
from tipsim.sim.web.service import Policy, ServiceConfig
from tipsim.sim.web.traffic import TrafficConfig

Defect = Literal["none", "errors", "latency", "crash", "blocked-port", "overload",
                 "production-clients"]
DEFECTS: tuple[Defect, ...] = ("none", "errors", "latency", "crash", "blocked-port",
                               "overload", "production-clients")
"""What can be wrong with the new image:

``errors``
    it fails ``defect_error_rate`` of its requests;
``latency``
    it serves ``defect_latency_factor`` x slower;
``crash``
    it dies ``defect_crash_after_s`` after it starts serving (requests refused, health
    check fails);
``blocked-port``
    its listener port is closed (a security group or firewall rule of the new image):
    every request it gets is refused and its health check fails;
``overload``
    it has less capacity: an instance serves ``defect_overload_workers`` requests at
    once instead of ``workers_per_instance``. Invisible while an instance's load stays
    well below ``workers / mean_service_s``; at production load its queue grows, requests
    turn slow, then fail at the load balancer's idle timeout (HTTP 504);
``production-clients``
    it fails every request of ``defect_user_share`` of the users (clients only production
    has: an old app version, a partner's integration), and no one else's.
"""


class Params(params.Params):
    """Parameters of the feature-toggle scenario (defaults run in well under a second)."""

    strategy: Strategy = same_as(RolloutPlan, "strategy")
    defect: Defect = param("errors", description="what is wrong with the new image")
    defect_error_rate: float = same_as(Image, "error_prob", 0.2,
                                       description="share of requests the new image fails")
    defect_latency_factor: float = same_as(Image, "latency_factor", 5.0,
                                           description="new image's slowdown (latency defect)")
    defect_crash_after_s: float = same_as(Image, "crash_after_s", 120.0,
                                          description="new image crashes this long after boot")
    defect_overload_workers: int = same_as(ServiceConfig, "workers_per_instance", 1,
                                           description="'overload': requests a new-image "
                                                       "instance serves at once")
    defect_user_share: float = same_as(Image, "failing_user_share", 0.1,
                                       description="'production-clients': share of users "
                                                   "whose requests the new image fails")
    background_error_prob: float = same_as(Image, "error_prob", 0.0,
                                           description="error rate of both images, defect "
                                                       "aside")
    toggle_share: float = same_as(RolloutPlan, "toggle_share")
    toggle_bake_s: float = same_as(RolloutPlan, "toggle_bake_s")
    instances: int = same_as(RolloutPlan, "instances")
    workers_per_instance: int = same_as(ServiceConfig, "workers_per_instance")
    arrival_rate_per_s: float = same_as(TrafficConfig, "rate_per_s", 10.0,
                                        description="load, requests/s")
    mean_service_s: float = same_as(TrafficConfig, "mean_service_s", 0.05)
    service_cv: float = same_as(TrafficConfig, "service_cv", 0.5)
    users: int = same_as(TrafficConfig, "users", 500)
    policy: Policy = same_as(ServiceConfig, "policy")
    idle_timeout_s: float = same_as(ServiceConfig, "idle_timeout_s")
    duration_s: float = same_as(TrafficConfig, "duration_s", 1200.0)
    change_at_s: float = same_as(RolloutPlan, "change_at_s")
    boot_s: float = same_as(RolloutPlan, "boot_s")
    rolling_pause_s: float = same_as(RolloutPlan, "rolling_pause_s")
    check_interval_s: float = same_as(RolloutPlan, "check_interval_s")
    alarm_checks: int = same_as(RolloutPlan, "alarm_checks")
    alarm_error_rate: float = same_as(RolloutPlan, "alarm_error_rate")
    latency_threshold_s: float = same_as(SLO, "latency_threshold_s", 0.5,
                                         description="SLO latency threshold")
    latency_target: float = same_as(SLO, "latency_target", 0.99)
    availability_target: float = same_as(SLO, "availability_target", 0.99)
    slo_window_s: float = same_as(SLO, "window_s", 60.0, description="SLO window")
    health_check: bool = param(True, description="load balancer health check (30 s, 2)")

    def slo(self) -> SLO:
        """The SLO the blast radius is judged against."""
        return SLO(availability_target=self.availability_target,
                   latency_threshold_s=self.latency_threshold_s,
                   latency_target=self.latency_target, window_s=self.slo_window_s)

    def images(self) -> tuple[Image, Image]:
        """(old, new) images; the new one carries the chosen defect (:data:`DEFECTS`).
        Both fail ``background_error_prob`` of their requests; an ``errors`` defect adds
        its own, independently (``1 - (1 - background) (1 - defect)``)."""
        bg = self.background_error_prob
        old = Image(name="ubuntu-xenial-16.04", code=OLD, error_prob=bg)
        defect: dict[str, float | bool | int] = {"error_prob": bg}
        if self.defect == "errors":
            defect["error_prob"] = 1.0 - (1.0 - bg) * (1.0 - self.defect_error_rate)
        elif self.defect == "latency":
            defect["latency_factor"] = self.defect_latency_factor
        elif self.defect == "crash":
            defect["crash_after_s"] = self.defect_crash_after_s
        elif self.defect == "blocked-port":
            defect["port_open"] = False
        elif self.defect == "overload":
            defect["workers"] = self.defect_overload_workers
        elif self.defect == "production-clients":
            defect["failing_user_share"] = self.defect_user_share
        return old, Image(name="ubuntu-bionic-18.04", code=NEW, **defect)

    def plan(self) -> RolloutPlan:
        """The rollout's strategy, timing and alarms (the monitor's slow-share alarm is
        the SLO's: more than ``1 - latency_target`` of successes slower than the
        threshold)."""
        return RolloutPlan(
            strategy=self.strategy, instances=self.instances, change_at_s=self.change_at_s,
            boot_s=self.boot_s, toggle_share=self.toggle_share, toggle_bake_s=self.toggle_bake_s,
            rolling_pause_s=self.rolling_pause_s, check_interval_s=self.check_interval_s,
            alarm_checks=self.alarm_checks, alarm_error_rate=self.alarm_error_rate,
            alarm_slow_share=1.0 - self.latency_target)

    def traffic(self) -> TrafficConfig:
        """The load: rate, duration, work per request, users."""
        return TrafficConfig(rate_per_s=self.arrival_rate_per_s, duration_s=self.duration_s,
                             mean_service_s=self.mean_service_s, service_cv=self.service_cv,
                             users=self.users)
