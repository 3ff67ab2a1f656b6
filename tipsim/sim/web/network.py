"""Network paths of a service with several sides (blue / green / ...), and their log.

A request from a client first asks DNS which side to use (the entry point,
:mod:`tipsim.sim.web.entry`), then travels that side's network path to the side's load
balancer and one of its instances. Each path has its own round-trip time, jitter and
packet loss, and can be *blocked* (a security group or network ACL that drops the
listener port: every request hangs until the client gives up).

:class:`NetworkLog` is a :class:`~tipsim.sim.recorder.RequestLog` that adds the path's
round trip to every record of a side (sides are told apart by image code) and turns
requests slower than the client's timeout into failures; :class:`Side` is one side:
its balancer, path and image code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tipsim.params import Params, param
from tipsim.sim.recorder import RequestLog
from tipsim.sim.web.loadbalancer import LoadBalancer

PATH_FAILURE = -1  # instance code logged for a request lost or dropped on the path
NO_TARGET = -2  # instance code logged when the side's balancer had no in-service target
REFUSED = -3  # instance code logged when the listener refused an old client
RTT_BLOCK = 4096  # round trips drawn at a time per side


class NetworkPath(Params):
    """One side's network between clients and its load balancer.

    Parameters
    ----------
    rtt_s
        Mean round-trip time added to every request, in seconds.
    jitter_s
        Standard deviation of the round trip (a gamma-distributed extra), in seconds.
    loss_prob
        Probability that a request is lost and the client times out (0-1).
    blocked
        The listener port is dropped: every request times out.
    refuses_old_clients
        The listener refuses old clients at once, e.g. an HTTPS listener with the
        TLS 1.2-only policy ``ELBSecurityPolicy-TLS-1-2-2017-01`` (Elastic Load Balancing,
        "Predefined SSL security policies for Classic Load Balancers") and a client that
        speaks only TLS 1.0 or 1.1: its handshake fails after one round trip.
    """

    rtt_s: float = param(0.02, ge=0.0, le=2.0, unit="s", step=0.005,
                         description="network round trip of the path")
    jitter_s: float = param(0.005, ge=0.0, le=2.0, unit="s",
                            description="standard deviation of the round trip")
    loss_prob: float = param(0.0, ge=0.0, le=1.0, step=0.01, percent=True,
                             description="share of requests lost on the path")
    blocked: bool = param(False, description="the listener port is dropped")
    refuses_old_clients: bool = param(
        False, description="the listener refuses old clients (a TLS 1.2-only policy)")

    def draw_rtt_s(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` round trips: ``rtt_s`` plus a gamma jitter with mean 0 shift removed."""
        if self.jitter_s == 0.0:
            return np.full(n, self.rtt_s)
        shape = 4.0
        scale = self.jitter_s / math.sqrt(shape)
        return np.maximum(0.0, self.rtt_s + rng.gamma(shape, scale, n) - shape * scale)


class NetworkLog(RequestLog):
    """A request log that adds each side's path round trip and applies the client timeout.

    Round trips are drawn :data:`RTT_BLOCK` at a time per side (one shared generator, a
    block when the side's last one is used up), handed out from each block's end in the
    order requests are recorded, and applied to new rows in bulk (:meth:`_complete`).

    Parameters
    ----------
    paths
        Network path per image code (blue image code -> blue path, ...).
    client_timeout_s
        A request slower than this fails, recorded at this latency.
    rng
        Draws the path jitter.
    capacity
        Initial rows.
    """

    def __init__(self, paths: dict[int, NetworkPath], client_timeout_s: float,
                 rng: np.random.Generator, capacity: int = 1024) -> None:
        super().__init__(capacity)
        self.paths = dict(paths)
        self.client_timeout_s = float(client_timeout_s)
        self._rng = rng
        self._rtt_left: dict[int, np.ndarray] = {code: np.empty(0) for code in paths}

    def _round_trips(self, image: np.ndarray, needs: np.ndarray) -> np.ndarray:
        """Round trip of each row, 0 where ``needs`` is false or the image has no path."""
        rtt = np.zeros(image.size)
        where = {code: np.flatnonzero(needs & (image == code)) for code in self.paths}
        blocks = {code: [left] for code, left in self._rtt_left.items()}
        # a side draws a block at the row that finds its last one used up; the generator
        # is shared, so blocks are drawn in the order of those rows
        refills = sorted((int(rows[k]), code) for code, rows in where.items()
                         for k in range(blocks[code][0].size, rows.size, RTT_BLOCK))
        for _, code in refills:
            blocks[code].append(self.paths[code].draw_rtt_s(self._rng, RTT_BLOCK))
        for code, rows in where.items():
            served = np.concatenate([b[::-1] for b in blocks[code]])  # each from its end
            rtt[rows] = served[:rows.size]
            rest = served[rows.size:]
            self._rtt_left[code] = rest[::-1].copy()
        return rtt

    def _complete(self, rows: dict[str, np.ndarray]) -> None:
        """Add the round trip (not to path failures) and apply the client timeout."""
        latency = rows["latency_s"]
        latency += self._round_trips(rows["image"], rows["instance"] != PATH_FAILURE)
        late = latency > self.client_timeout_s
        latency[late] = self.client_timeout_s
        rows["ok"][late] = False


@dataclass
class Side:
    """One colour of the deployment: its balancer, path, image code and loss draws."""

    name: str
    image_code: int
    lb: LoadBalancer
    path: NetworkPath
    rng: np.random.Generator
    requests: int = 0
    _loss_u: list[float] = field(default_factory=list)

    def loss_draw(self) -> float:
        """A uniform(0, 1) draw for this side's packet loss."""
        if not self._loss_u:
            self._loss_u.extend(self.rng.random(4096).tolist())
        return self._loss_u.pop()

    def loss_draws(self, n: int) -> np.ndarray:
        """``n`` draws of :meth:`loss_draw` in a row."""
        out: list[float] = []
        left = self._loss_u
        while len(out) < n:
            if not left:
                left.extend(self.rng.random(4096).tolist())
            take = min(n - len(out), len(left))
            out.extend(reversed(left[len(left) - take:]))
            del left[len(left) - take:]
        return np.array(out, dtype=float)

    @property
    def healthy(self) -> bool:
        """A balancer with at least one in-service target (what evaluate-target-health sees)."""
        return self.lb.has_members
