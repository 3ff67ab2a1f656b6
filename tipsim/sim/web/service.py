"""A service: traffic, a load balancer and instances in one simpy environment.

:class:`Service` is the assembly other models build on. It owns the simpy
``Environment``, the :class:`~tipsim.sim.recorder.RequestLog`, a
:class:`~tipsim.sim.web.loadbalancer.LoadBalancer` and every instance ever launched, and
offers the operations a deployment strategy needs: :meth:`Service.launch` (boot, then
register), :meth:`Service.terminate` (drain or kill), and :meth:`Service.run`.

Example
-------
>>> from tipsim.sim.web.traffic import make_workload
>>> from tipsim.sim.web.instances import Image
>>> wl = make_workload(1, rate_per_s=20, duration_s=60, mean_service_s=0.05)
>>> svc = Service(wl)
>>> old = Image(name="xenial", code=0)
>>> for _ in range(2):
...     _ = svc.launch(old, pool="old", boot_s=0.0)
>>> log = svc.run()
>>> len(log) == len(wl) and bool(log.arrays()["ok"].all())
True

Strategies are simpy processes that call these methods at the right times, e.g.::

    def toggle(env, svc):
        yield env.timeout(120)
        new = svc.launch(bionic, pool="new", boot_s=60)
        yield new.ready
        svc.lb.set_weights({"old": 0.9, "new": 0.1})

Another router (DNS weighted records over two load balancers, say) can replace
``svc.lb`` as the traffic's entry point: pass ``router=`` (anything with
``pick(t, u_route)``) and ``lb=`` to :meth:`launch`.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from tipsim.errors import ParameterError
from tipsim.params import Params, param
from tipsim.sim.recorder import RequestLog, TimeoutLog
from tipsim.sim.web.instances import Image, Instance
from tipsim.sim.web.loadbalancer import LoadBalancer, Policy, health_check
from tipsim.sim.web.traffic import Router, Workload, client_process

UNROUTED = -1  # instance and image code logged for a request nobody could take (HTTP 503)


class ServiceConfig(Params):
    """How the instances of a service take requests."""

    workers_per_instance: int = param(4, ge=1, le=64,
                                      description="requests an instance serves at once")
    policy: Policy = param("round-robin", description="load balancing within a pool")
    idle_timeout_s: float = param(60.0, ge=1.0, le=3600.0, unit="s",
                                  description="load balancer's idle timeout: a request "
                                              "slower than this fails (HTTP 504)")


class Service:
    """Traffic -> router -> instances, recorded request by request.

    Parameters
    ----------
    workload
        The requests (:func:`tipsim.sim.web.traffic.make_workload`).
    policy
        Balancing policy of the default load balancer.
    router
        Entry point of the traffic; defaults to :attr:`lb`.
    workers_per_instance
        Default number of workers of launched instances.
    slow_threshold_s
        Latency above which instances count a request as slow (for monitors).
    env
        A simpy environment to share with other models; a new one by default.
    idle_timeout_s
        A request slower than this fails at this latency (the classic ELB's idle
        timeout answers HTTP 504; :class:`~tipsim.sim.recorder.TimeoutLog`); by default
        nobody gives up.
    """

    def __init__(self, workload: Workload, *, policy: Policy = "round-robin",
                 router: Router | None = None, workers_per_instance: int = 4,
                 slow_threshold_s: float = math.inf,
                 env: simpy.Environment | None = None,
                 idle_timeout_s: float = math.inf) -> None:
        self.env = env if env is not None else simpy.Environment()
        self.workload = workload
        self.lb = LoadBalancer(policy)
        self.router: Router = router if router is not None else self.lb
        capacity = max(1024, len(workload) + 16)
        self.log: RequestLog = (TimeoutLog(idle_timeout_s, capacity)
                                if math.isfinite(idle_timeout_s) else RequestLog(capacity))
        self.instances: list[Instance] = []
        self.workers_per_instance = int(workers_per_instance)
        self.slow_threshold_s = float(slow_threshold_s)
        self.unrouted = 0
        self._client_started = False

    # ------------------------------------------------------------------ instances
    def launch(self, image: Image, *, pool: str = "default", boot_s: float = 0.0,
               workers: int | None = None, lb: LoadBalancer | None = None,
               register: bool = True, warm: bool = False) -> Instance:
        """Start an instance; it serves (and is registered) after ``boot_s``.

        Returns the instance at once (state ``"booting"``); ``yield instance.ready`` in a
        strategy process waits for the end of its boot. If ``image.crash_after_s`` is
        set, the instance crashes that long after it starts serving. ``workers`` defaults
        to the image's own (``image.workers``), else the service's. ``warm``: a
        long-running instance with a warm cache (no cold start, see ``Image``).
        """
        if boot_s < 0:
            raise ParameterError("boot_s", boot_s, "a number >= 0")
        if len(self.instances) >= 32767:
            raise ParameterError("instances", len(self.instances), "at most 32767 per run")
        if workers is None:
            workers = image.workers if image.workers is not None else self.workers_per_instance
        instance = Instance(len(self.instances), image, workers,
                            self.log, pool=pool, slow_threshold_s=self.slow_threshold_s,
                            warm=warm)
        instance.launched_s = self.env.now
        self.instances.append(instance)
        instance.ready = self.env.process(self._boot(instance, boot_s, lb or self.lb, register))
        return instance

    def _boot(self, instance: Instance, boot_s: float, lb: LoadBalancer,
              register: bool) -> Generator[Any, Any, None]:
        if boot_s > 0:
            yield self.env.timeout(boot_s)
        if instance.state != "booting":  # terminated while booting
            return
        instance.start_serving(self.env.now)
        if register:
            lb.register(instance)
        if instance.image.crash_after_s is not None:
            self.env.process(self._crash_later(instance, instance.image.crash_after_s))

    def _crash_later(self, instance: Instance, after_s: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(after_s)
        instance.crash(self.env.now)

    def terminate(self, instance: Instance, *, drain: bool = True,
                  lb: LoadBalancer | None = None) -> None:
        """Deregister ``instance`` now and stop it (draining in-flight requests or not)."""
        (lb or self.lb).deregister(instance)
        instance.terminate(self.env.now, drain=drain)

    # ------------------------------------------------------------------ health, counters
    def start_health_check(self, *, interval_s: float = 30.0, unhealthy_threshold: int = 2,
                           lb: LoadBalancer | None = None) -> None:
        """Run :func:`tipsim.sim.web.loadbalancer.health_check` on a load balancer."""
        self.env.process(health_check(self.env, lb or self.lb, interval_s=interval_s,
                                      unhealthy_threshold=unhealthy_threshold))

    def counters(self, image_code: int) -> tuple[int, int, int]:
        """(recorded, failed, slow) requests so far on instances running ``image_code``.

        Call :meth:`flush` first to count everything finished by now.
        """
        done = failed = slow = 0
        for inst in self.instances:
            if inst.image.code == image_code:
                done += inst.completed
                failed += inst.failed
                slow += inst.slow
        return done, failed, slow

    def flush(self) -> None:
        """Record every request finished by the current simulated time."""
        now = self.env.now
        for inst in self.instances:
            inst.flush(now)

    def instance_seconds(self, until_s: float) -> float:
        """Machine time used (billed from launch, boot included, to stop or ``until_s``)."""
        total = 0.0
        for inst in self.instances:
            start = inst.launched_s
            stop = inst.stopped_s if not math.isnan(inst.stopped_s) else until_s
            total += max(0.0, min(stop, until_s) - start)
        return total

    # ------------------------------------------------------------------ running
    def _unrouted(self, t: float, user: int) -> None:
        self.unrouted += 1
        self.log.append(t, user, UNROUTED, UNROUTED, 0.0, False)

    def start_traffic(self) -> None:
        """Start the client process (done by :meth:`run` if not already)."""
        if not self._client_started:
            self._client_started = True
            self.env.process(client_process(self.env, self.workload, self.router,
                                            self._unrouted, until_s=self.workload.duration_s))

    def run(self, until_s: float | None = None) -> RequestLog:
        """Run to ``until_s`` (default: the workload's duration) and record every request.

        Requests still in flight at the end are recorded with the end time they will
        have; requests arriving after ``until_s`` are not sent.
        """
        end = self.workload.duration_s if until_s is None else float(until_s)
        self.start_traffic()
        self.env.run(until=end)
        for inst in self.instances:
            inst.flush(math.inf)
        return self.log
