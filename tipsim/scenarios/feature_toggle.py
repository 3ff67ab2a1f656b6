"""Scenario ``feature-toggle``: ship a new machine image three ways (slides 7-8).

The talk's example toggles a new Ubuntu image (``enable_new_ami``): the old instance
stays and a second one with the new image (``example_bionic``) is added beside it.
Here a service of ``instances`` machines on the old image gets the new one, which may
carry a defect (errors, a latency regression or a crash), by one of three strategies:

``in-place``
    Change the image of every instance. An image change forces replacement, so every
    instance is destroyed (in-flight requests fail) and recreated: nothing serves until
    the new ones boot. A defect then hits all traffic; rolling back is another
    replacement, another outage.
``rolling``
    Replace instances one at a time (launch the new one, wait for its boot, drain an
    old one, pause ``rolling_pause_s``). On detection, stop and replace the new ones
    back, one at a time.
``toggle``
    Add one new-image instance beside the old ones and send it ``toggle_share`` of the
    traffic. On detection flip the toggle off (its share goes back to the old
    instances at once); if nothing is detected for ``toggle_bake_s``, roll forward:
    replace the old instances one by one.

A monitor looks at the new image's requests every ``check_interval_s`` and declares
a detection after ``alarm_checks`` bad checks in a row (error rate above
``alarm_error_rate``, or more than 1 - ``latency_target`` of successes slower than
``latency_threshold_s``, or a new-image instance crashed), like Flagger's per-interval checks (FACTS.md: success rate
>= 99 %, duration <= 500 ms). The load balancer's health check (every 30 s, unhealthy
after 2: the talk's ELB) removes crashed instances.

Results: the :mod:`blast radius <tipsim.analysis.blast_radius>` from the change to the
end of the run, detection time, machine hours, and per-window success rate and latency
per image. :func:`compare_strategies` runs all three on one seed (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import Field

from tipsim.analysis.blast_radius import BlastRadius, blast_radius
from tipsim.analysis.metrics import mean_ci, windowed
from tipsim.analysis.slo import SLO
from tipsim.errors import ParameterError
from tipsim.params import Params as _BaseParams
from tipsim.sim.web.instances import Image, Instance
from tipsim.sim.web.service import UNROUTED, Service
from tipsim.sim.web.traffic import make_workload

Strategy = Literal["in-place", "rolling", "toggle"]
STRATEGIES: tuple[Strategy, ...] = ("in-place", "rolling", "toggle")
Defect = Literal["none", "errors", "latency", "crash"]
OLD, NEW = 0, 1
IMAGE_NAMES = {OLD: "old image (xenial)", NEW: "new image (bionic)", UNROUTED: "no instance"}
# EC2 t2.micro Linux on-demand, us-east-1 (FACTS.md, marked unverified: 2017 source)
T2_MICRO_USD_PER_HOUR = 0.0116


class Params(_BaseParams):
    """Parameters of the feature-toggle scenario (defaults run in well under a second)."""

    strategy: Strategy = Field("toggle", description="how the new image is shipped")
    defect: Defect = Field("errors", description="what is wrong with the new image")
    defect_error_rate: float = Field(0.2, ge=0.0, le=1.0,
                                     description="share of requests the new image fails")
    defect_latency_factor: float = Field(5.0, ge=1.0, le=50.0,
                                         description="new image's slowdown (latency defect)")
    defect_crash_after_s: float = Field(120.0, ge=0.0, le=7200.0,
                                        description="new image crashes this long after boot")
    toggle_share: float = Field(0.2, gt=0.0, le=1.0,
                                description="share of traffic the toggled instance gets")
    toggle_bake_s: float = Field(300.0, ge=0.0, le=7200.0,
                                 description="toggle runs this long clean before rolling forward")
    instances: int = Field(4, ge=1, le=50, description="instances of the service")
    workers_per_instance: int = Field(4, ge=1, le=64, description="requests served at once")
    arrival_rate_per_s: float = Field(10.0, gt=0.0, le=500.0, description="load, requests/s")
    mean_service_s: float = Field(0.05, ge=0.001, le=5.0, description="mean service time")
    service_cv: float = Field(0.5, gt=0.0, le=5.0, description="service time variability")
    users: int = Field(500, ge=1, le=1_000_000, description="distinct users sending requests")
    policy: Literal["round-robin", "least-outstanding"] = Field(
        "round-robin", description="load balancing within a pool")
    duration_s: float = Field(1200.0, ge=60.0, le=14_400.0, description="simulated time")
    change_at_s: float = Field(120.0, ge=0.0, le=14_400.0, description="when the change starts")
    boot_s: float = Field(60.0, ge=0.0, le=1800.0, description="instance boot time")
    rolling_pause_s: float = Field(60.0, ge=0.0, le=3600.0,
                                   description="pause after each rolling step")
    check_interval_s: float = Field(30.0, ge=1.0, le=600.0, description="monitor interval")
    alarm_checks: int = Field(2, ge=1, le=20, description="bad checks in a row to detect")
    alarm_error_rate: float = Field(0.01, ge=0.0, le=1.0,
                                    description="error rate above which a check is bad")
    latency_threshold_s: float = Field(0.5, gt=0.0, le=60.0,
                                       description="SLO latency threshold")
    latency_target: float = Field(0.99, ge=0.5, le=1.0,
                                  description="share of successes under the threshold")
    availability_target: float = Field(0.99, ge=0.5, lt=1.0,
                                       description="SLO share of requests that succeed")
    slo_window_s: float = Field(60.0, ge=1.0, le=3600.0, description="SLO window")
    health_check: bool = Field(True, description="load balancer health check (30 s, 2)")

    def slo(self) -> SLO:
        """The SLO the blast radius is judged against."""
        return SLO(availability_target=self.availability_target,
                   latency_threshold_s=self.latency_threshold_s,
                   latency_target=self.latency_target, window_s=self.slo_window_s)

    def images(self) -> tuple[Image, Image]:
        """(old, new) images; the new one carries the chosen defect."""
        old = Image("ubuntu-xenial-16.04", OLD)
        if self.defect == "errors":
            new = Image("ubuntu-bionic-18.04", NEW, error_prob=self.defect_error_rate)
        elif self.defect == "latency":
            new = Image("ubuntu-bionic-18.04", NEW, latency_factor=self.defect_latency_factor)
        elif self.defect == "crash":
            new = Image("ubuntu-bionic-18.04", NEW, crash_after_s=self.defect_crash_after_s)
        else:
            new = Image("ubuntu-bionic-18.04", NEW)
        return old, new


@dataclass
class Run:
    """One run: the request arrays, what happened when, and the blast radius."""

    params: Params
    seed: int
    arrays: dict[str, np.ndarray]
    blast: BlastRadius
    onset_s: float | None
    detected_s: float | None
    instance_seconds: float
    events: list[tuple[float, str]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """JSON-ready result (the ``tipsim run feature-toggle --json`` fields)."""
        return {
            "strategy": self.params.strategy,
            "defect": self.params.defect,
            **self.blast.as_dict(),
            "detected_at_s": self.detected_s,
            "new_image_serving_at_s": self.onset_s,
            "instance_hours": self.instance_seconds / 3600.0,
            "instance_cost_usd": self.instance_seconds / 3600.0 * T2_MICRO_USD_PER_HOUR,
            "events": [{"time_s": t, "event": e} for t, e in self.events],
        }


class _Deployment:
    """The strategy, the monitor and the response, as simpy processes on one service."""

    def __init__(self, params: Params, svc: Service) -> None:
        self.p = params
        self.svc = svc
        self.env = svc.env
        self.old, self.new = params.images()
        self.onset_s: float | None = None
        self.detected_s: float | None = None
        self.events: list[tuple[float, str]] = []
        self.rolled_back = False

    def note(self, text: str) -> None:
        self.events.append((float(self.env.now), text))

    def _launch(self, image: Image, pool: str) -> Instance:
        return self.svc.launch(image, pool=pool, boot_s=self.p.boot_s)

    def _serving(self, inst: Instance) -> None:
        if inst.image.code == NEW and self.onset_s is None:
            self.onset_s = float(self.env.now)
            self.note("new image serving")

    def _alive(self, image: Image) -> list[Instance]:
        return [i for i in self.svc.instances
                if i.image is image and i.state in ("booting", "in_service", "crashed")]

    # ---------------------------------------------------------------- monitor
    def monitor(self) -> Generator[Any, Any, None]:
        p = self.p
        bad_in_row = 0
        last = (0, 0, 0)
        last_unrouted = 0
        while self.detected_s is None:
            yield self.env.timeout(p.check_interval_s)
            self.svc.flush()
            now = self.svc.counters(NEW)
            n, failed, slow = (a - b for a, b in zip(now, last, strict=True))
            last = now
            unrouted = self.svc.unrouted - last_unrouted
            last_unrouted = self.svc.unrouted
            if self.onset_s is None:
                continue
            n += unrouted  # after onset, a request nobody took counts against the change
            failed += unrouted
            # a crashed new-image instance (failing its health check) is a bad check too,
            # even once the load balancer has stopped sending it traffic
            crashed = any(i.state == "crashed" for i in self._alive(self.new))
            bad = crashed or (n > 0 and (failed / n > p.alarm_error_rate
                                         or slow / n > 1.0 - p.latency_target))
            bad_in_row = bad_in_row + 1 if bad else 0
            if bad_in_row >= p.alarm_checks:
                self.detected_s = float(self.env.now)
                self.note("defect detected")
                self.env.process(self.respond())

    # ---------------------------------------------------------------- strategies
    def start(self) -> Generator[Any, Any, None]:
        p = self.p
        for _ in range(p.instances):
            self.svc.launch(self.old, pool="old", boot_s=0.0)
        yield self.env.timeout(p.change_at_s)
        self.note(f"change starts ({p.strategy})")
        if p.strategy == "in-place":
            yield from self._replace_all(self.old, self.new)
        elif p.strategy == "rolling":
            yield from self._roll(self.old, self.new, stop_on_detect=True)
        else:
            yield from self._toggle()

    def _replace_all(self, frm: Image, to: Image) -> Generator[Any, Any, None]:
        for inst in self._alive(frm):
            self.svc.terminate(inst, drain=False)
        fresh = [self._launch(to, "old") for _ in range(self.p.instances)]
        yield self.env.all_of([i.ready for i in fresh])
        self.note(f"{'new' if to is self.new else 'old'} image serving on every instance")
        self._serving(fresh[0])

    def _roll(self, frm: Image, to: Image, *, stop_on_detect: bool
              ) -> Generator[Any, Any, None]:
        pool = "old"
        for old in self._alive(frm):
            if stop_on_detect and self.detected_s is not None:
                return
            fresh = self._launch(to, pool)
            yield fresh.ready
            if stop_on_detect and self.detected_s is not None:
                self.svc.terminate(fresh)  # the response rolls back; don't keep going
                return
            self._serving(fresh)
            self.svc.terminate(old, drain=True)
            if self.p.rolling_pause_s > 0:
                yield self.env.timeout(self.p.rolling_pause_s)
        if stop_on_detect and self.detected_s is None:
            self.note(f"rolled out: {to.name} everywhere")

    def _toggle(self) -> Generator[Any, Any, None]:
        p = self.p
        toggled = self._launch(self.new, "new")
        yield toggled.ready
        if toggled.state != "in_service":
            return
        self.svc.lb.set_weights({"old": 1.0 - p.toggle_share, "new": p.toggle_share})
        self._serving(toggled)
        self.note(f"toggle on: {p.toggle_share:.0%} of traffic to the new image")
        yield self.env.timeout(p.toggle_bake_s)
        if self.detected_s is not None:
            return
        self.note("toggle clean: rolling forward")
        # roll forward: old instances replaced; the new pool takes traffic per instance
        for old in self._alive(self.old):
            if self.detected_s is not None:
                return
            fresh = self._launch(self.new, "new")
            yield fresh.ready
            if self.detected_s is not None:
                return
            self.svc.terminate(old, drain=True)
            self._rebalance()
            if p.rolling_pause_s > 0:
                yield self.env.timeout(p.rolling_pause_s)
        self.note("rolled forward: toggle can be removed")

    def _rebalance(self) -> None:
        lb = self.svc.lb
        lb.set_weights({pool: float(len(lb.members(pool))) for pool in ("old", "new")})

    # ---------------------------------------------------------------- response
    def respond(self) -> Generator[Any, Any, None]:
        p = self.p
        if p.strategy == "toggle":
            self.svc.lb.set_weights({"new": 0.0, "old": 1.0})
            for inst in self._alive(self.new):
                self.svc.terminate(inst, drain=True)
            self.note("toggle off: all traffic back on the old image")
            if not self._alive(self.old):
                yield from self._replace_all(self.new, self.old)
            missing = p.instances - len(self._alive(self.old))
            fresh = [self._launch(self.old, "old") for _ in range(missing)]
            if fresh:
                yield self.env.all_of([i.ready for i in fresh])
                self.svc.lb.set_weights({"old": 1.0})
        elif p.strategy == "rolling":
            for inst in self._alive(self.new):
                if inst.state == "booting":  # never served: just cancel it
                    self.svc.terminate(inst)
            self.note("rollback: replacing new instances one at a time")
            yield from self._roll(self.new, self.old, stop_on_detect=False)
            self.note("rolled back")
        else:
            self.note("rollback: replacing every instance again")
            yield from self._replace_all(self.new, self.old)
        self.rolled_back = True


def run(params: Params, *, seed: int = 1, replication: int = 0) -> Run:
    """Simulate one strategy on one seed."""
    if params.change_at_s >= params.duration_s:
        raise ParameterError("change_at_s", params.change_at_s,
                             f"a number < duration_s = {params.duration_s:g}")
    workload = make_workload(seed, rate_per_s=params.arrival_rate_per_s,
                             duration_s=params.duration_s, mean_service_s=params.mean_service_s,
                             users=params.users, service_dist="lognormal",
                             service_cv=params.service_cv, replication=replication)
    svc = Service(workload, policy=params.policy, workers_per_instance=params.workers_per_instance,
                  slow_threshold_s=params.latency_threshold_s)
    svc.lb.set_weights({"old": 1.0})
    deploy = _Deployment(params, svc)
    svc.env.process(deploy.start())
    svc.env.process(deploy.monitor())
    if params.health_check:
        svc.start_health_check(interval_s=30.0, unhealthy_threshold=2)
    log = svc.run()
    arrays = log.arrays()
    blast = blast_radius(arrays["time_s"], arrays["user"], arrays["ok"], arrays["latency_s"],
                         params.slo(), onset_s=params.change_at_s, end_s=params.duration_s,
                         detected_s=deploy.detected_s)
    if deploy.onset_s is not None and deploy.detected_s is not None:
        # measured from when the new image first took traffic, not from the change start
        blast = BlastRadius(**{**blast.as_dict(),
                               "time_to_detect_s": deploy.detected_s - deploy.onset_s})
    return Run(params=params, seed=seed, arrays=arrays, blast=blast, onset_s=deploy.onset_s,
               detected_s=deploy.detected_s,
               instance_seconds=svc.instance_seconds(params.duration_s), events=deploy.events)


def timeline(result: Run, window_s: float = 30.0) -> Any:
    """Success rate and latency per time window per image, as a tidy DataFrame.

    Columns: ``window_start_s``, ``image`` (code), ``image_name``, ``requests``,
    ``failed``, ``success_rate``, ``p50_latency_s``, ``p95_latency_s``.
    """
    import pandas as pd

    a = result.arrays
    cols = windowed(a["time_s"], a["ok"], a["latency_s"], window_s=window_s, start_s=0.0,
                    end_s=result.params.duration_s, group=a["image"], q=95.0)
    frame = pd.DataFrame(cols).rename(columns={"group": "image", "pq_latency_s": "p95_latency_s"})
    frame["image_name"] = frame["image"].map(IMAGE_NAMES)
    return frame


def compare_strategies(params: Params, *, seed: int = 1,
                       strategies: tuple[str, ...] = STRATEGIES) -> Any:
    """Run every strategy on the same seed (same requests) and return a tidy DataFrame of
    their blast radius, one row per strategy."""
    import pandas as pd

    rows = []
    for name in strategies:
        r = run(params.replace(strategy=name), seed=seed)
        summary = r.summary()
        summary.pop("events")
        rows.append(summary)
    return pd.DataFrame(rows)


def run_cli(params: Params, *, seed: int, replications: int | None = None) -> dict[str, Any]:
    """``tipsim run feature-toggle``: one run, or the mean over ``replications`` with
    95 % intervals (``<name>_ci``) and each replication's figures."""
    if replications is None or replications <= 1:
        return run(params, seed=seed).summary()
    runs = [run(params, seed=seed, replication=r).summary() for r in range(replications)]
    out: dict[str, Any] = {"strategy": params.strategy, "defect": params.defect,
                           "replications": replications}
    for key in ("requests", "failed_requests", "slow_requests", "affected_users",
                "slo_breach_minutes", "error_budget_used", "time_to_detect_s",
                "time_to_recover_s", "instance_hours"):
        values = [r[key] for r in runs if r[key] is not None]
        if values:
            mean, half = mean_ci(values)
            out[key] = mean
            out[f"{key}_ci"] = [mean - half, mean + half] if math.isfinite(half) else None
        else:
            out[key] = None
        out[f"{key}_missing"] = len(runs) - len(values)
    for r in runs:
        r.pop("events")
    out["per_replication"] = runs
    return out
