"""Instances: machines running an image, serving requests with a few workers.

An instance is like a shop with ``workers`` counters: customers (requests) are served
first come, first served by whichever counter frees first. Because a request's work
(its *demand*) is known when it arrives, the instance computes each request's start
and end at arrival with the exact FCFS multi-server recursion (Kiefer and Wolfowitz):
``start = max(arrival, earliest free worker)``, ``end = start + demand * latency_factor``.
This gives the same waits as a simpy ``Resource`` queue (``tests/test_sim_mmc.py``
checks it request by request) at a fraction of the events, so a scenario only schedules
simpy events for things that change the system: boots, crashes, deploy steps, checks.
A run of requests between two such events can be taken at once (:meth:`Instance.accept_many`,
:mod:`tipsim.sim.web.fcfs`), with the same results.

An instance records a request in the :class:`~tipsim.sim.recorder.RequestLog` when the
request completes (lazily, when the instance is next asked about time ``t``), so that a
crash or an abrupt termination can still turn in-flight requests into failures.

The image's behaviour (:class:`Image`) sets the error probability, a latency factor,
an optional crash some time after the instance starts serving, whether its listener
port is open, how many requests it serves at once (its capacity) and a share of users
whose requests it fails (a defect only some clients trigger).

A new instance starts with a cold cache (unless launched ``warm``, as long-running
production instances are). In the independent reference model with a working set of
``K = warmup_requests`` equally likely keys, request ``n + 1`` (counting from 0) misses
a cache that started empty with probability ``(1 - 1/K) ** n``; a miss costs
``cold_start_factor`` times the work, so the expected work multiplier is
``1 + (cold_start_factor - 1) * (1 - 1/K) ** n``, applied to each request (the expected
value, not a draw). The cache warms with requests served, not with time: an instance that
gets a small share of the traffic stays cold longer. Load balancers offer a "slow start"
because applications that depend on a cache need a warm-up period (AWS What's New, May
2018, "Application Load Balancer Announces Slow Start Support"); the factor and the working
set are the kit's knobs (1: no warm-up, the default), not measured values.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING, Literal

import numpy as np

from tipsim.errors import ParameterError
from tipsim.params import Params, param
from tipsim.sim.recorder import RequestLog
from tipsim.sim.web.fcfs import fcfs_ends
from tipsim.sim.web.inflight import InFlight

if TYPE_CHECKING:
    from simpy.events import Process

State = Literal["booting", "in_service", "crashed", "terminated"]


class Image(Params):
    """A machine image and how software on it behaves.

    Each field is declared here once; a scenario that lets learners change it (the new
    image's defect, the green side's slowdown) flattens it with
    :func:`tipsim.params.same_as`.

    Examples
    --------
    >>> Image(name="bionic", code=1, error_prob=0.2).error_prob
    0.2
    >>> Image.create(name="bionic", code=1, error_prob=1.5)
    Traceback (most recent call last):
    ...
    tipsim.errors.ParameterError: error_prob=1.5 is not allowed: a number >= 0.0 and <= 1.0
    valid parameters:
    ...
    """

    name: str = param(description="human name, e.g. ubuntu-xenial-16.04")
    code: int = param(ge=0, le=127,
                      description="small integer stored in the request log's image column")
    error_prob: float = param(0.0, ge=0.0, le=1.0, step=0.01, percent=True,
                              label="error rate",
                              description="share of requests that fail on this image")
    latency_factor: float = param(1.0, ge=1.0, le=50.0, step=0.5,
                                  description="slowdown: multiplies each request's work")
    crash_after_s: float | None = param(None, ge=0.0, le=7200.0, unit="s",
                                        description="crashes this long after it starts serving")
    cold_start_factor: float = param(1.0, ge=1.0, le=20.0, step=0.1,
                                     description="a cache miss on a new instance costs this "
                                                 "many times the work (1: no warm-up)")
    warmup_requests: float = param(1000.0, ge=1.0, le=1e7, log=True,
                                   description="distinct keys a new instance's cache fills "
                                               "with (its working set, in requests)")
    port_open: bool = param(True, description="the listener port answers (False: every "
                                              "request and health check is refused)")
    workers: int | None = param(None, ge=1, le=64,
                                description="requests an instance of this image serves at "
                                            "once (empty: the service's setting)")
    failing_user_share: float = param(0.0, ge=0.0, le=1.0, step=0.01, percent=True,
                                      description="share of users whose every request fails "
                                                  "on this image")


GOLDEN = 0.6180339887498949
"""Users whose ``(user x GOLDEN) mod 1`` is below a share are that share of the users
(Weyl's equidistribution): the same users on every run and every image."""


def user_in_share(user: int, share: float) -> bool:
    """Whether ``user`` is among the ``share`` of users a client-specific defect hits.

    Examples
    --------
    >>> sum(user_in_share(u, 0.1) for u in range(1000))
    100
    """
    return (user * GOLDEN) % 1.0 < share


class Instance:
    """One machine: ``workers`` FCFS servers, a state, and the requests in flight.

    Parameters
    ----------
    instance_id
        Integer stored in the log's ``instance`` column.
    image
        The :class:`Image` it runs.
    workers
        Number of requests it serves at once (the rest queue, first come first served).
    log
        Where finished requests are recorded.
    pool
        Name of the load-balancer pool it belongs to (e.g. ``"old"``, ``"new"``).
    slow_threshold_s
        Requests slower than this are counted in :attr:`slow` (for online monitors).
    refused_latency_s
        Latency recorded for a request sent to a crashed instance (connection refused).
    warm
        A long-running instance whose cache is already warm (no cold start).
    """

    __slots__ = (
        "instance_id", "image", "workers", "log", "pool", "state", "slow_threshold_s",
        "refused_latency_s", "_free_at", "_in_flight", "completed", "failed", "slow",
        "launched_s", "started_s", "stopped_s", "ready", "unhealthy_checks", "served",
        "_cold_extra", "_hit_keep", "_user_share",
    )

    def __init__(self, instance_id: int, image: Image, workers: int, log: RequestLog, *,
                 pool: str = "default", slow_threshold_s: float = math.inf,
                 refused_latency_s: float = 0.0, warm: bool = False) -> None:
        if workers < 1:
            raise ParameterError("workers", workers, "a whole number >= 1")
        self.instance_id = int(instance_id)
        self.image = image
        self.workers = int(workers)
        self.log = log
        self.pool = pool
        self.state: State = "booting"
        self.slow_threshold_s = float(slow_threshold_s)
        self.refused_latency_s = float(refused_latency_s)
        self._free_at: list[float] = [0.0] * self.workers
        self._in_flight = InFlight()  # accepted, not yet recorded
        self.completed = 0  # requests recorded (ok or not)
        self.failed = 0
        self.slow = 0
        self.launched_s = math.nan  # when it was launched (billing starts)
        self.started_s = math.nan  # when it began serving
        self.stopped_s = math.nan  # when it crashed or was terminated
        self.ready: Process | None = None  # the simpy boot process, set by Service.launch
        self.unhealthy_checks = 0
        self.served = 0  # requests accepted while in service (they warm its cache)
        # a cold start slows requests by _cold_extra * _hit_keep ** served (0: warm)
        self._cold_extra = 0.0 if warm else image.cold_start_factor - 1.0
        self._hit_keep = 1.0 - 1.0 / image.warmup_requests
        self._user_share = image.failing_user_share

    # ------------------------------------------------------------------ state
    @property
    def healthy(self) -> bool:
        """True while the instance is serving and its port answers (a health check would
        pass)."""
        return self.state == "in_service" and self.image.port_open

    def start_serving(self, now_s: float) -> None:
        """Mark the end of boot."""
        self.state = "in_service"
        self.started_s = now_s
        self._free_at = [now_s] * self.workers

    # ------------------------------------------------------------------ requests
    def accept(self, arrival_s: float, user: int, demand_s: float, u_error: float) -> None:
        """Take one request arriving at ``arrival_s``.

        ``demand_s`` is its work on the reference image; ``u_error`` a uniform(0, 1)
        draw: the request fails when ``u_error < image.error_prob`` (common random
        numbers: the same request fails on every strategy that sends it here), or when
        its user is among the image's ``failing_user_share``. A closed port refuses it.
        """
        image = self.image
        if self.state != "in_service" or not image.port_open:
            self._record(arrival_s, user, self.refused_latency_s, False)
            return
        free = self._free_at[0]
        start = arrival_s if arrival_s > free else free
        if self._cold_extra > 0.0:  # expected cache misses of a cold start (module doc)
            factor = image.latency_factor * (
                1.0 + self._cold_extra * self._hit_keep ** self.served)
        else:
            factor = image.latency_factor
        self.served += 1
        end = start + demand_s * factor
        heapq.heapreplace(self._free_at, end)
        ok = u_error >= image.error_prob
        if ok and self._user_share > 0.0 and (user * GOLDEN) % 1.0 < self._user_share:
            ok = False
        self._in_flight.push(end, arrival_s, user, end - arrival_s, ok)

    def accept_many(self, arrival_s: np.ndarray, user: np.ndarray, demand_s: np.ndarray,
                    u_error: np.ndarray) -> float | None:
        """:meth:`accept` for a run of requests (columns in arrival order, all before the
        model's next event), with the same results.

        An instance that refuses them (not serving, or a closed port) counts them and
        returns the latency to record for each: the caller records them at once, in
        order with the run's other failures. Otherwise it returns ``None``.
        """
        image = self.image
        n = arrival_s.size
        if self.state != "in_service" or not image.port_open:
            self.completed += n
            self.failed += n
            if self.refused_latency_s > self.slow_threshold_s:
                self.slow += n
            return self.refused_latency_s
        if self._cold_extra > 0.0:  # the same float operations as accept, request by request
            lf, extra, keep = image.latency_factor, self._cold_extra, self._hit_keep
            work = demand_s * np.array([lf * (1.0 + extra * keep ** k)
                                        for k in range(self.served, self.served + n)])
        else:
            work = demand_s * image.latency_factor
        self.served += n
        end = fcfs_ends(self._free_at, arrival_s, work)
        ok = u_error >= image.error_prob
        if self._user_share > 0.0:
            ok &= (user * GOLDEN) % 1.0 >= self._user_share
        self._in_flight.push_many(end, arrival_s, user, end - arrival_s, ok)
        return None

    def outstanding(self, now_s: float) -> int:
        """Requests accepted and not yet finished at ``now_s`` (records those finished)."""
        self.flush(now_s)
        return len(self._in_flight)

    def flush(self, now_s: float) -> None:
        """Record every request that has finished by ``now_s``."""
        rows = self._in_flight.pop_due(now_s)  # in order of completion, as _record would
        if rows is None:
            return
        times, users, latencies, oks = rows
        self.log.extend(times, users, self.instance_id, self.image.code, latencies, oks)
        done = times.size
        self.completed += done
        self.failed += done - int(oks.sum())
        if self.slow_threshold_s < math.inf:
            self.slow += int((latencies > self.slow_threshold_s).sum())

    def fail_in_flight(self, now_s: float) -> None:
        """Everything still queued or in service at ``now_s`` fails at ``now_s``."""
        self.flush(now_s)
        times, users, _, _ = self._in_flight.pop_all()
        for arrival_s, user in zip(times.tolist(), users.astype(int).tolist(), strict=True):
            self._record(arrival_s, user, now_s - arrival_s, False)

    def crash(self, now_s: float) -> None:
        """The software dies: in-flight requests fail; new ones are refused."""
        if self.state in ("crashed", "terminated"):
            return
        self.fail_in_flight(now_s)
        self.state = "crashed"
        self.stopped_s = now_s

    def terminate(self, now_s: float, *, drain: bool = True) -> None:
        """Stop the instance. ``drain=True`` lets in-flight requests finish (connection
        draining); ``drain=False`` kills them (a destroy without draining)."""
        if self.state == "terminated":
            return
        if not drain:
            self.fail_in_flight(now_s)
        if self.state != "crashed":
            self.stopped_s = now_s
        self.state = "terminated"

    def _record(self, arrival_s: float, user: int, latency_s: float, ok: bool) -> None:
        self.log.append(arrival_s, user, self.instance_id, self.image.code, latency_s, ok)
        self.completed += 1
        if not ok:
            self.failed += 1
        if latency_s > self.slow_threshold_s:
            self.slow += 1

    def __repr__(self) -> str:
        return (f"Instance({self.instance_id}, image={self.image.name!r}, pool={self.pool!r}, "
                f"state={self.state!r})")
