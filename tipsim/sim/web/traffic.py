"""Traffic: who sends requests, when, and how much work each one is.

Like the queue of customers arriving at a shop over a day, requests arrive as a
Poisson process (optionally busier at the daily peak), each from one of ``users``
customers, each needing some work (its *demand*, seconds of service on the reference
image). Everything random about a request is drawn here, up front, in numpy arrays,
one named stream per source (:func:`tipsim.sim.rng.streams`):

========== ============================================================
stream     draws
========== ============================================================
arrivals   arrival times (and the thinning draws of the daily pattern)
users      which user sends each request
service    the request's demand
errors     a uniform(0, 1) per request, compared with an image's error rate
routing    a uniform(0, 1) per request, used by weighted routing
========== ============================================================

So two strategies run on the same seed see the same requests, with the same demands,
the same "unlucky" error draws and the same routing draws (common random numbers).

:func:`client_process` is the simpy process that sends a :class:`Workload` to a
router (anything with ``pick(t, u_route)``, e.g. a
:class:`~tipsim.sim.web.loadbalancer.LoadBalancer`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from tipsim.errors import ParameterError
from tipsim.params import Params, param
from tipsim.sim.rng import streams

SECONDS_PER_DAY = 86_400.0
STREAMS = ("arrivals", "users", "service", "errors", "routing")
ServiceDist = Literal["exponential", "lognormal", "deterministic"]


@dataclass(frozen=True)
class Workload:
    """The requests of one run, as parallel arrays sorted by arrival time.

    Attributes
    ----------
    arrival_s
        Arrival time of each request (seconds from the start of the run).
    user
        User id (0 .. users-1).
    demand_s
        Service time on the reference image.
    u_error, u_route
        Uniform(0, 1) draws for the error decision and weighted routing.
    duration_s
        Length of the run the arrivals cover.
    """

    arrival_s: np.ndarray
    user: np.ndarray
    demand_s: np.ndarray
    u_error: np.ndarray
    u_route: np.ndarray
    duration_s: float

    def __len__(self) -> int:
        return int(self.arrival_s.size)


def daily_factor(time_s: np.ndarray | float, amplitude: float, peak_hour: float) -> Any:
    """Rate multiplier of the daily pattern: ``1 + amplitude * cos(2 pi (t - peak) / day)``.

    ``amplitude`` 0 is a flat rate; 0.5 means the peak is 1.5x and the trough 0.5x the mean.
    """
    phase = 2.0 * np.pi * (np.asarray(time_s) - peak_hour * 3600.0) / SECONDS_PER_DAY
    return 1.0 + amplitude * np.cos(phase)


def poisson_arrival_times(rng: np.random.Generator, rate_per_s: float, duration_s: float, *,
                          daily_amplitude: float = 0.0, peak_hour: float = 14.0,
                          start_s: float = 0.0) -> np.ndarray:
    """Arrival times of a Poisson process on ``[0, duration_s)``.

    With ``daily_amplitude > 0`` the rate follows :func:`daily_factor` (clock time
    ``start_s + t``), made by thinning a process at the peak rate (Lewis and Shedler).

    Examples
    --------
    >>> t = poisson_arrival_times(np.random.default_rng(1), 10.0, 100.0)
    >>> 900 < t.size < 1100 and bool(np.all(np.diff(t) > 0))
    True
    """
    if not rate_per_s > 0:
        raise ParameterError("rate_per_s", rate_per_s, "a number > 0")
    if not duration_s > 0:
        raise ParameterError("duration_s", duration_s, "a number > 0")
    if not 0.0 <= daily_amplitude < 1.0:
        raise ParameterError("daily_amplitude", daily_amplitude, "a number >= 0 and < 1")
    peak_rate = rate_per_s * (1.0 + daily_amplitude)
    expected = peak_rate * duration_s
    chunk = int(expected + 6.0 * math.sqrt(expected) + 16)
    gaps = rng.exponential(1.0 / peak_rate, size=chunk)
    times = np.cumsum(gaps)
    while times[-1] < duration_s:  # rare: draw more until the run is covered
        more = np.cumsum(rng.exponential(1.0 / peak_rate, size=chunk)) + times[-1]
        times = np.concatenate([times, more])
    times = times[times < duration_s]
    if daily_amplitude > 0.0:
        keep = rng.random(times.size) * (1.0 + daily_amplitude) < daily_factor(
            start_s + times, daily_amplitude, peak_hour)
        times = times[keep]
    return times


def service_demands(rng: np.random.Generator, n: int, mean_s: float, *,
                    dist: ServiceDist = "exponential", cv: float = 1.0) -> np.ndarray:
    """``n`` service demands with mean ``mean_s``.

    ``dist`` is ``"exponential"`` (cv 1, the M in M/M/c), ``"lognormal"`` with
    coefficient of variation ``cv`` (typical of web latencies), or ``"deterministic"``.
    """
    if not mean_s > 0:
        raise ParameterError("mean_service_s", mean_s, "a number > 0")
    if dist == "exponential":
        return rng.exponential(mean_s, size=n)
    if dist == "lognormal":
        if not cv > 0:
            raise ParameterError("service_cv", cv, "a number > 0")
        sigma2 = math.log1p(cv * cv)
        return rng.lognormal(math.log(mean_s) - sigma2 / 2.0, math.sqrt(sigma2), size=n)
    if dist == "deterministic":
        return np.full(n, float(mean_s))
    raise ParameterError("service_dist", dist, "one of 'exponential', 'lognormal', 'deterministic'")


def make_workload(seed: int, *, rate_per_s: float, duration_s: float, mean_service_s: float,
                  users: int = 1000, service_dist: ServiceDist = "exponential",
                  service_cv: float = 1.0, daily_amplitude: float = 0.0,
                  peak_hour: float = 14.0, start_s: float = 0.0,
                  replication: int = 0) -> Workload:
    """Draw every request of one run from ``seed`` (one stream per source, see module doc).

    Examples
    --------
    >>> a = make_workload(3, rate_per_s=5, duration_s=60, mean_service_s=0.1)
    >>> b = make_workload(3, rate_per_s=5, duration_s=60, mean_service_s=0.1)
    >>> bool(np.array_equal(a.arrival_s, b.arrival_s))
    True
    """
    if users < 1:
        raise ParameterError("users", users, "a whole number >= 1")
    rng = streams(seed, STREAMS, replication)
    arrival_s = poisson_arrival_times(rng["arrivals"], rate_per_s, duration_s,
                                      daily_amplitude=daily_amplitude, peak_hour=peak_hour,
                                      start_s=start_s)
    n = arrival_s.size
    return Workload(
        arrival_s=arrival_s,
        user=rng["users"].integers(0, users, size=n, dtype=np.int32),
        demand_s=service_demands(rng["service"], n, mean_service_s, dist=service_dist,
                                 cv=service_cv),
        u_error=rng["errors"].random(n),
        u_route=rng["routing"].random(n),
        duration_s=float(duration_s),
    )


class TrafficConfig(Params):
    """The load of one run: how many requests, from how many users, how much work each.

    :meth:`workload` draws the requests (lognormal work with coefficient of variation
    ``service_cv``, typical of web latencies). Production's users are not all alike:
    :meth:`old_clients` marks the ``old_client_share`` still on an old client version,
    which a synthetic load generator (an up-to-date client) never contains. The default
    is the share of requests the BBC's websites received over TLS 1.0 or 1.1 in November
    2018, 1.82 % + 0.22 % of 2 billion (N. Craig, "Around the world with TLS 1.0", BBC
    Design + Engineering, 29 Nov 2018), the year before the talk.
    """

    rate_per_s: float = param(10.0, gt=0.0, le=500.0, unit="req/s", step=1.0,
                              slider=(1.0, 100.0), description="requests per second, all users")
    duration_s: float = param(1200.0, ge=60.0, le=14_400.0, unit="s", step=60.0,
                              description="simulated time")
    mean_service_s: float = param(0.05, ge=0.001, le=5.0, unit="s",
                                  description="mean work of a request")
    service_cv: float = param(0.5, gt=0.0, le=5.0,
                              description="coefficient of variation of the (lognormal) work")
    users: int = param(500, ge=1, le=1_000_000, description="distinct users sending requests")
    old_client_share: float = param(
        0.0204, ge=0.0, le=1.0, step=0.005, percent=True,
        description="share of users on an old client (TLS 1.0/1.1): 2.04% of the BBC's "
                    "HTTPS requests in November 2018")

    def old_clients(self, seed: int, *, replication: int = 0) -> np.ndarray:
        """Which users run an old client (True), each with chance ``old_client_share``,
        from the run's ``"client-versions"`` stream (the same users on every strategy)."""
        draws = streams(seed, ["client-versions"], replication)["client-versions"]
        return draws.random(self.users) < self.old_client_share

    def workload(self, seed: int, *, replication: int = 0) -> Workload:
        """Every request of one run (:func:`make_workload`, lognormal work)."""
        return make_workload(seed, rate_per_s=self.rate_per_s, duration_s=self.duration_s,
                             mean_service_s=self.mean_service_s, users=self.users,
                             service_dist="lognormal", service_cv=self.service_cv,
                             replication=replication)


class Target(Protocol):
    """What a router hands a request to (an :class:`~tipsim.sim.web.instances.Instance`)."""

    def accept(self, arrival_s: float, user: int, demand_s: float, u_error: float) -> None: ...


class Router(Protocol):
    """Chooses where a request goes: a load balancer, or DNS over several of them."""

    def pick(self, t: float, u_route: float) -> Target | None: ...


class BatchRouter(Protocol):
    """A router that also takes a run of requests at once (``accept_many``): requests
    ``lo`` to ``hi - 1`` of the workload's arrays, all before the model's next event,
    handled exactly as ``pick`` + ``accept`` one by one would."""

    def accept_many(self, arrival_s: np.ndarray, user: np.ndarray, demand_s: np.ndarray,
                    u_error: np.ndarray, u_route: np.ndarray, lo: int, hi: int) -> None: ...


def client_process(env: Any, workload: Workload, router: Router,
                   on_unrouted: Callable[[float, int], None],
                   until_s: float | None = None) -> Generator[Any, Any, None]:
    """simpy process sending every request of ``workload`` to ``router``.

    Requests between two scheduled events of the model see the same system state,
    so they are handed over in one batch without a simpy event each; the process only
    wakes at the first arrival after each state change. The result is the same as
    one timeout per request (arrivals tied exactly with an event go after it).
    ``on_unrouted(t, user)`` is called when the router has nowhere to send a request.
    A :class:`BatchRouter` gets each such run of requests in one call.
    """
    arrival = workload.arrival_s.tolist()
    many = getattr(router, "accept_many", None)
    if many is None:  # request by request: lists are faster to index
        user, demand = workload.user.tolist(), workload.demand_s.tolist()
        u_error, u_route = workload.u_error.tolist(), workload.u_route.tolist()
    end = math.inf if until_s is None else float(until_s)
    n = len(arrival)
    i = 0
    pick = router.pick
    while i < n:
        t = arrival[i]
        if t >= end:
            return
        if t > env.now:
            yield env.timeout(t - env.now)
        next_event = env.peek()
        if many is not None:  # the router takes the run of requests in one call
            j = bisect.bisect_left(arrival, min(next_event, end), i)
            many(workload.arrival_s, workload.user, workload.demand_s, workload.u_error,
                 workload.u_route, i, j)
            i = j
        else:
            while i < n:
                t = arrival[i]
                if t >= next_event or t >= end:
                    break
                target = pick(t, u_route[i])
                if target is None:
                    on_unrouted(t, user[i])
                else:
                    target.accept(t, user[i], demand[i], u_error[i])
                i += 1
        if i < n and arrival[i] <= env.now:
            # an event is due at this very instant: let it run first
            yield env.timeout(0)
