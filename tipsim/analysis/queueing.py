"""Queueing theory for the M/M/c queue (Erlang C): what the simulator must agree with.

With arrival rate lambda, service rate mu per server, ``c`` servers and offered load
``a = lambda / mu`` (utilisation ``rho = a / c < 1``), the probability that a customer
waits is Erlang C,

    C(c, a) = [a^c / c! * c / (c - a)] / [sum_{k<c} a^k / k! + a^c / c! * c / (c - a)],

and the mean wait in queue is ``Wq = C(c, a) / (c mu - lambda)``. Worked values
(standard Erlang C tables): M/M/1 lambda=3, mu=5: Wq = 0.3; M/M/10 lambda=9,
mu=1: Wq = 0.6687.

Examples
--------
>>> round(mmc_mean_wait_s(3.0, 5.0, 1), 4)
0.3
>>> round(mmc_mean_wait_s(9.0, 1.0, 10), 4)
0.6687
"""

from __future__ import annotations

from tipsim.errors import ParameterError


def _check(arrival_rate_per_s: float, service_rate_per_s: float, servers: int) -> None:
    if not arrival_rate_per_s > 0:
        raise ParameterError("arrival_rate_per_s", arrival_rate_per_s, "a number > 0")
    if not service_rate_per_s > 0:
        raise ParameterError("service_rate_per_s", service_rate_per_s, "a number > 0")
    if servers < 1:
        raise ParameterError("servers", servers, "a whole number >= 1")
    if arrival_rate_per_s >= servers * service_rate_per_s:
        raise ParameterError(
            "arrival_rate_per_s", arrival_rate_per_s,
            f"< servers * service_rate_per_s = {servers * service_rate_per_s:g} "
            "(otherwise the queue grows without bound)")


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arriving customer has to wait, C(c, a), for ``a < c``.

    Computed with the numerically stable Erlang B recursion
    ``B(k) = a B(k-1) / (k + a B(k-1))`` and ``C = c B / (c - a (1 - B))``.
    """
    if servers < 1:
        raise ParameterError("servers", servers, "a whole number >= 1")
    if not 0 < offered_load < servers:
        raise ParameterError("offered_load", offered_load, f"a number > 0 and < {servers}")
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return servers * b / (servers - offered_load * (1.0 - b))


def mmc_mean_wait_s(arrival_rate_per_s: float, service_rate_per_s: float, servers: int) -> float:
    """Mean time in queue, ``Wq = C(c, a) / (c mu - lambda)``."""
    _check(arrival_rate_per_s, service_rate_per_s, servers)
    a = arrival_rate_per_s / service_rate_per_s
    return erlang_c(servers, a) / (servers * service_rate_per_s - arrival_rate_per_s)


def mmc_utilisation(arrival_rate_per_s: float, service_rate_per_s: float, servers: int) -> float:
    """Server utilisation ``rho = lambda / (c mu)``."""
    _check(arrival_rate_per_s, service_rate_per_s, servers)
    return arrival_rate_per_s / (servers * service_rate_per_s)


def mmc_mean_response_s(arrival_rate_per_s: float, service_rate_per_s: float,
                        servers: int) -> float:
    """Mean time in system, ``W = Wq + 1 / mu``."""
    return mmc_mean_wait_s(arrival_rate_per_s, service_rate_per_s, servers) + \
        1.0 / service_rate_per_s
