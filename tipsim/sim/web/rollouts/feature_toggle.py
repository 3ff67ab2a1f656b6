"""Shipping a new machine image three ways, watched by a monitor, undone on detection.

The talk's feature toggle (``enable_new_ami``) adds an instance with the new image beside
the old one instead of changing the image of the running instance. Here a service of
``instances`` machines on the old image gets the new one by one of three strategies:

``in-place``
    Change the image of every instance. An image change forces replacement (Terraform's
    ``ami`` is a force-new attribute of ``aws_instance``), so every instance is destroyed
    (in-flight requests fail) and recreated: nothing serves until the new ones boot.
    Rolling back is another replacement, another outage.
``rolling``
    Replace instances one at a time: launch a new one, wait for its boot, drain an old
    one, pause ``rolling_pause_s``. On detection, stop and replace the new ones back,
    one at a time.
``toggle``
    Add one new-image instance beside the old ones and send it ``toggle_share`` of the
    traffic. On detection flip the toggle off (its share goes back to the old instances
    at once); if nothing is detected for ``toggle_bake_s``, roll forward: replace the old
    instances one by one.

The monitor looks at the new image's requests every ``check_interval_s`` and declares a
detection after ``alarm_checks`` bad checks in a row: an error rate above
``alarm_error_rate``, a share of slow successes above ``alarm_slow_share``, or a
new-image instance failing its health check (crashed, or its port closed). That is
Flagger's per-interval analysis (a metric checked every ``interval``, rollback after
``threshold`` failed checks; Flagger docs, "Canary analysis").

Like :mod:`tipsim.sim.web.rollouts.canary`, this module knows the service and the two
images it is given, nothing of the scenario that asks for it.

Example
-------
>>> from tipsim.sim.web.service import Service
>>> from tipsim.sim.web.traffic import make_workload
>>> svc = Service(make_workload(1, rate_per_s=5, duration_s=600, mean_service_s=0.05))
>>> svc.lb.set_weights({"old": 1.0})
>>> old = Image(name="xenial", code=OLD)
>>> new = Image(name="bionic", code=NEW, error_prob=0.5)
>>> deploy = Deployment(RolloutPlan(), svc, old, new)
>>> deploy.start()
>>> _ = svc.run()
>>> deploy.detected_s is not None and deploy.rolled_back
True
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Literal

from tipsim.params import Params, param
from tipsim.sim.web.instances import Image, Instance
from tipsim.sim.web.service import Service

Strategy = Literal["in-place", "rolling", "toggle"]
STRATEGIES: tuple[Strategy, ...] = ("in-place", "rolling", "toggle")
OLD, NEW = 0, 1  # image codes in the request log


class RolloutPlan(Params):
    """How the new image is shipped, and how the monitor decides it is bad."""

    strategy: Strategy = param("toggle", description="how the new image is shipped")
    instances: int = param(4, ge=1, le=50, description="instances of the service")
    change_at_s: float = param(120.0, ge=0.0, le=14_400.0, unit="s",
                               description="when the change starts")
    boot_s: float = param(60.0, ge=0.0, le=1800.0, unit="s", description="instance boot time")
    toggle_share: float = param(0.2, gt=0.0, le=1.0, step=0.05, percent=True,
                                description="share of traffic the toggled instance gets")
    toggle_bake_s: float = param(300.0, ge=0.0, le=7200.0, unit="s",
                                 description="toggle runs this long clean before rolling forward")
    rolling_pause_s: float = param(60.0, ge=0.0, le=3600.0, unit="s",
                                   description="pause after each rolling step")
    check_interval_s: float = param(30.0, ge=1.0, le=600.0, unit="s",
                                    description="monitor interval")
    alarm_checks: int = param(2, ge=1, le=20, description="bad checks in a row to detect")
    alarm_error_rate: float = param(0.01, ge=0.0, le=1.0,
                                    description="error rate above which a check is bad")
    alarm_slow_share: float = param(0.01, ge=0.0, le=0.5,
                                    description="share of slow successes above which a check "
                                                "is bad")


class Deployment:
    """The strategy, the monitor and the response, as simpy processes on one service.

    Parameters
    ----------
    plan
        Strategy, timing and alarm thresholds.
    svc
        The service (its balancer's pools ``"old"`` and ``"new"`` are used).
    old, new
        The images before and after the change.

    Attributes
    ----------
    onset_s
        When the new image first took traffic (``None``: never).
    detected_s
        When the monitor declared the defect (``None``: never).
    events
        ``(time_s, text)`` of everything the deployment did.
    rolled_back
        Whether the response finished undoing the change.
    """

    def __init__(self, plan: RolloutPlan, svc: Service, old: Image, new: Image) -> None:
        self.p = plan
        self.svc = svc
        self.env = svc.env
        self.old, self.new = old, new
        self.onset_s: float | None = None
        self.detected_s: float | None = None
        self.events: list[tuple[float, str]] = []
        self.rolled_back = False

    def start(self) -> None:
        """Start the strategy and the monitor in the service's environment."""
        self.env.process(self._start())
        self.env.process(self._monitor())

    def note(self, text: str) -> None:
        self.events.append((float(self.env.now), text))

    def _launch(self, image: Image, pool: str) -> Instance:
        return self.svc.launch(image, pool=pool, boot_s=self.p.boot_s)

    def _booted(self, instances: list[Instance]) -> Any:
        """An event that fires once every one of ``instances`` has booted."""
        return self.env.all_of([i.ready for i in instances if i.ready is not None])

    def _serving(self, inst: Instance) -> None:
        if inst.image.code == self.new.code and self.onset_s is None:
            self.onset_s = float(self.env.now)
            self.note("new image serving")

    def _alive(self, image: Image) -> list[Instance]:
        return [i for i in self.svc.instances
                if i.image is image and i.state in ("booting", "in_service", "crashed")]

    # ---------------------------------------------------------------- monitor
    def _monitor(self) -> Generator[Any, Any, None]:
        p = self.p
        bad_in_row = 0
        last = (0, 0, 0)
        last_unrouted = 0
        while self.detected_s is None:
            yield self.env.timeout(p.check_interval_s)
            self.svc.flush()
            now = self.svc.counters(self.new.code)
            n, failed, slow = (a - b for a, b in zip(now, last, strict=True))
            last = now
            unrouted = self.svc.unrouted - last_unrouted
            last_unrouted = self.svc.unrouted
            if self.onset_s is None:
                continue
            n += unrouted  # after onset, a request nobody took counts against the change
            failed += unrouted
            # a new-image instance failing its health check (crashed, or its port closed)
            # is a bad check too, even once the load balancer has stopped sending it traffic
            # (a CloudWatch alarm on the ELB's UnHealthyHostCount)
            failing = any(i.state == "crashed" or (i.state == "in_service" and not i.healthy)
                          for i in self._alive(self.new))
            bad = failing or (n > 0 and (failed / n > p.alarm_error_rate
                                         or slow / n > p.alarm_slow_share))
            bad_in_row = bad_in_row + 1 if bad else 0
            if bad_in_row >= p.alarm_checks:
                self.detected_s = float(self.env.now)
                self.note("defect detected")
                self.env.process(self._respond())

    # ---------------------------------------------------------------- strategies
    def _start(self) -> Generator[Any, Any, None]:
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
        yield self._booted(fresh)
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
    def _respond(self) -> Generator[Any, Any, None]:
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
                yield self._booted(fresh)
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
