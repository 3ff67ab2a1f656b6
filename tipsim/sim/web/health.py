"""Load-balancer health checks with the classic ELB's timing.

The balancer knocks on each instance's door every ``interval_s`` seconds and waits at
most ``timeout_s`` for an answer. After ``unhealthy_threshold`` unanswered (or failed)
knocks in a row the instance is taken *out of service* (no new requests); after
``healthy_threshold`` good answers in a row it is put back *in service*. Checks go on
while an instance is out of service, which is how it comes back.

The talk's ELB uses HTTP:80/ every 30 s, timeout 3 s, healthy 2, unhealthy 2
(the talk's Terraform example, ``aws_elb`` health_check block). A check fails either when
the instance fails it at once (a refused connection, a status other than 200) or when no
answer comes within the response timeout (Elastic Load Balancing User Guide for Classic
Load Balancers, "Health checks for your Classic Load Balancer": ``ResponseTimeout``,
``HealthCheckInterval``, ``UnhealthyThreshold``). The failure is known when the answer
arrives or when the timeout runs out, so an instance that starts failing at ``t_fail``
leaves service at

    ``first failing check + (unhealthy_threshold - 1) * interval_s`` (immediate failure)
    ``first failing check + (unhealthy_threshold - 1) * interval_s + timeout_s`` (timeout)

that is ``(U-1) I`` to ``U I`` after ``t_fail`` for an immediate failure and ``(U-1) I + T``
to ``U I + T`` for a timeout: 30-60 s and 33-63 s with the talk's check
(:func:`removal_time` gives the exact time; ``tests/test_sim_web_health.py`` checks the
simulation against it over a sweep of failure times). This module extends
:func:`tipsim.sim.web.loadbalancer.health_check` with the timeout, the healthy threshold
and re-registration.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from pydantic import model_validator

from tipsim.errors import ParameterError
from tipsim.params import Params, param
from tipsim.sim.web.instances import Instance
from tipsim.sim.web.loadbalancer import LoadBalancer

# probe(instance, t) -> (answered_ok, answer_after_s); answer_after_s = inf: no answer
Probe = Callable[[Instance, float], tuple[bool, float]]
FailureKind = Literal["immediate", "timeout"]
FAILURE_KINDS: tuple[FailureKind, ...] = ("immediate", "timeout")


class HealthCheckConfig(Params):
    """Timing of the checks (defaults: the talk's classic ELB).

    Ranges are the Classic Load Balancer's (``ConfigureHealthCheck`` in the Elastic Load
    Balancing API reference: interval 5-300 s, timeout 2-60 s and shorter than the
    interval, thresholds 2-10).
    """

    interval_s: float = param(30.0, ge=5.0, le=300.0, unit="s", step=5.0,
                              description="time between two checks of one instance")
    timeout_s: float = param(3.0, ge=2.0, le=60.0, unit="s", step=1.0,
                             description="a check with no answer by then fails")
    healthy_threshold: int = param(2, ge=2, le=10,
                                   description="passing checks in a row to put it back")
    unhealthy_threshold: int = param(2, ge=2, le=10,
                                     description="failing checks in a row to take it out")

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> Self:
        if self.timeout_s >= self.interval_s:
            raise ValueError("timeout_s: a number >= 2 and <= 60, and < interval_s")
        return self


def removal_time(fail_s: float, config: HealthCheckConfig, first_check_s: float = 0.0, *,
                 failure: FailureKind) -> float:
    """When a target that starts failing its checks at ``fail_s`` is taken out of service.

    Checks start at ``first_check_s + k * interval_s``; every check started at or after
    ``fail_s`` fails: at once for ``failure="immediate"`` (connection refused, an error
    status), when its timeout runs out for ``failure="timeout"`` (no answer).
    """
    if failure not in FAILURE_KINDS:
        raise ParameterError("failure", failure, "one of " + ", ".join(map(repr, FAILURE_KINDS)))
    k = max(0, math.ceil((fail_s - first_check_s) / config.interval_s - 1e-12))
    first_failing = first_check_s + k * config.interval_s
    known_after_s = config.timeout_s if failure == "timeout" else 0.0
    return first_failing + (config.unhealthy_threshold - 1) * config.interval_s + known_after_s


def default_probe(mean_service_s: float) -> Probe:
    """Probe an :class:`Instance`: refused when it is not serving; otherwise answered after
    its queue ahead of the check (outstanding requests / workers x mean service time)."""

    def probe(instance: Instance, t: float) -> tuple[bool, float]:
        if instance.state != "in_service":
            return False, 0.0
        queue_s = instance.outstanding(t) / instance.workers * mean_service_s
        return True, queue_s * instance.image.latency_factor

    return probe


@dataclass
class HealthLog:
    """Every state change: time, instance id, and whether it is now in service."""

    time_s: list[float] = field(default_factory=list)
    instance: list[int] = field(default_factory=list)
    in_service: list[bool] = field(default_factory=list)


class HealthChecker:
    """ELB-style health checks of a fixed set of instances behind one balancer.

    Parameters
    ----------
    env
        The simpy environment.
    lb
        The balancer whose registrations the checks drive.
    instances
        The targets (each starts in the state ``initially_in_service``).
    probe
        What a check sees: ``(answered_ok, answer_after_s)``.
    config
        Interval, timeout and thresholds.
    first_check_s
        Time of the first round of checks.
    initially_in_service
        Whether the targets start registered (a fresh ELB starts them out of service).
    on_change
        Called as ``on_change(t)`` after any registration change.
    """

    def __init__(self, env: Any, lb: LoadBalancer, instances: Sequence[Instance], probe: Probe,
                 config: HealthCheckConfig | None = None, *, first_check_s: float = 0.0,
                 initially_in_service: bool = True,
                 on_change: Callable[[float], None] | None = None) -> None:
        self.env = env
        self.lb = lb
        self.instances = list(instances)
        self.probe = probe
        self.config = config or HealthCheckConfig()
        self.first_check_s = float(first_check_s)
        self.on_change = on_change
        self.log = HealthLog()
        self.in_service = {i.instance_id: initially_in_service for i in self.instances}
        self._fails = dict.fromkeys(self.in_service, 0)
        self._passes = dict.fromkeys(self.in_service, 0)
        for inst in self.instances:
            if initially_in_service:
                lb.register(inst)
            else:
                lb.deregister(inst)
        self.process = env.process(self._run())

    def _run(self) -> Generator[Any, Any, None]:
        if self.first_check_s > self.env.now:
            yield self.env.timeout(self.first_check_s - self.env.now)
        while True:
            now = self.env.now
            for inst in self.instances:
                ok, after_s = self.probe(inst, now)
                passed = ok and after_s <= self.config.timeout_s
                delay = after_s if passed else min(after_s, self.config.timeout_s)
                self.env.process(self._deliver(inst, passed, delay))
            yield self.env.timeout(self.config.interval_s)

    def _deliver(self, inst: Instance, passed: bool, delay_s: float) -> Generator[Any, Any, None]:
        if delay_s > 0:
            yield self.env.timeout(delay_s)
        self.record(inst, passed)

    def record(self, inst: Instance, passed: bool) -> None:
        """Apply one check result now (thresholds, registration, log)."""
        key = inst.instance_id
        cfg = self.config
        if passed:
            self._passes[key] += 1
            self._fails[key] = 0
            if not self.in_service[key] and self._passes[key] >= cfg.healthy_threshold:
                self._set(inst, True)
        else:
            self._fails[key] += 1
            self._passes[key] = 0
            if self.in_service[key] and self._fails[key] >= cfg.unhealthy_threshold:
                self._set(inst, False)

    def _set(self, inst: Instance, in_service: bool) -> None:
        now = float(self.env.now)
        self.in_service[inst.instance_id] = in_service
        if in_service:
            self.lb.register(inst)
        else:
            self.lb.deregister(inst)
        self.log.time_s.append(now)
        self.log.instance.append(inst.instance_id)
        self.log.in_service.append(in_service)
        if self.on_change is not None:
            self.on_change(now)
