"""A run of requests sent down one side at once: path, load balancer, instances.

Between two events of the model (a check, a weight change, a crash) nothing that routes a
request changes, so the DNS entry point (:mod:`tipsim.sim.web.entry`) can hand every
request of such a run to its side in one go. :func:`send_run` takes a side's share of the
run through the same steps as one request at a time, in the same order and with the same
draws: a blocked path fails them all; otherwise each takes one loss draw; an old client
is refused by a listener that refuses them; the balancer picks an instance for each of the
rest (:meth:`~tipsim.sim.web.loadbalancer.LoadBalancer.pick_many`) and every instance takes
its requests (:meth:`~tipsim.sim.web.instances.Instance.accept_many`).

Requests that fail at once are recorded at once, in request order across the sides
(:class:`RunFailures`); the others are recorded by their instance when they finish.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tipsim.sim.recorder import RequestLog
from tipsim.sim.web.network import NO_TARGET, PATH_FAILURE, REFUSED, Side


@dataclass(frozen=True)
class Run:
    """The requests of one run (columns, in arrival order) and who is an old client."""

    time_s: np.ndarray
    user: np.ndarray
    demand_s: np.ndarray
    u_error: np.ndarray
    u_route: np.ndarray
    old_client: np.ndarray  # one flag per user


class RunFailures:
    """Requests of a run that fail at once, kept until the run is done and then recorded
    in request order (each log gets its rows in the order one at a time would give)."""

    def __init__(self) -> None:
        self._rows: list[tuple[RequestLog, np.ndarray, int, int, float]] = []

    def add(self, log: RequestLog, positions: np.ndarray, instance: int, image: int,
            latency_s: float) -> None:
        """Requests at ``positions`` of the run fail with this instance code, image code
        and latency."""
        if positions.size:
            self._rows.append((log, positions, instance, image, latency_s))

    def record(self, run: Run) -> None:
        """Write every failure to its log, in request order."""
        logs = {id(row[0]): row[0] for row in self._rows}
        for key, log in logs.items():
            rows = [row for row in self._rows if id(row[0]) == key]
            at = np.concatenate([row[1] for row in rows])
            order = at.argsort(kind="stable")
            sizes = [row[1].size for row in rows]
            instance, image, latency_s = (np.repeat([row[k] for row in rows], sizes)[order]
                                          for k in (2, 3, 4))
            at = at[order]
            log.extend(run.time_s[at], run.user[at], instance, image,
                       latency_s.astype(float), np.zeros(at.size, dtype=bool))
        self._rows = []


def send_run(side: Side, at: np.ndarray, run: Run, log: RequestLog, timeout_s: float,
             failures: RunFailures) -> None:
    """Send the requests at positions ``at`` (ascending) of ``run`` down ``side``.

    ``log`` records failures on the path (at the client's ``timeout_s``), refused old
    clients and requests with no in-service target; an instance that refuses its requests
    records them in its own log.
    """
    path, code = side.path, side.image_code
    if path.blocked:
        failures.add(log, at, PATH_FAILURE, code, timeout_s)
        return
    if path.loss_prob > 0.0:
        lost = side.loss_draws(at.size) < path.loss_prob
        failures.add(log, at[lost], PATH_FAILURE, code, timeout_s)
        at = at[~lost]
    if path.refuses_old_clients:  # handshake refused: fails after a round trip
        old = run.old_client[run.user[at]]
        failures.add(log, at[old], REFUSED, code, 0.0)
        at = at[~old]
    if at.size == 0:
        return
    picked = side.lb.pick_many(run.u_route[at])
    if picked is None:  # HTTP 503 from a balancer with no in-service target
        failures.add(log, at, NO_TARGET, code, 0.0)
        return
    for instance, mine in picked:
        pos = at[mine]
        refused_s = instance.accept_many(run.time_s[pos], run.user[pos], run.demand_s[pos],
                                         run.u_error[pos])
        if refused_s is not None:
            failures.add(instance.log, pos, instance.instance_id, instance.image.code,
                         refused_s)
