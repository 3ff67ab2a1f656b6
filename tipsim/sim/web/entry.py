"""The DNS entry point of a service with several sides: weighted records, client caches.

Traffic's router (:func:`tipsim.sim.web.traffic.client_process`): each client resolves the
service's name through weighted Route 53 records, one per side (blue, green, ...), keeps
the answer in its cache (:mod:`tipsim.sim.web.dns`), and sends the request down that
side's network path (:mod:`tipsim.sim.web.network`) to its load balancer. DNS caching is
per client, so the lookup happens in :meth:`DnsEntry.accept_many`, where the user is
known; the entry takes each run of requests between two events at once: the lookups
(:mod:`tipsim.sim.web.lookups`), then each side's share (:mod:`tipsim.sim.web.batch`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np

from tipsim.errors import ParameterError
from tipsim.params import Params, param
from tipsim.sim.recorder import RequestLog
from tipsim.sim.web.batch import Run, RunFailures, send_run
from tipsim.sim.web.dns import ClientCaches, record_probabilities
from tipsim.sim.web.lookups import cache_plan, pick_records
from tipsim.sim.web.network import NO_TARGET, PATH_FAILURE, REFUSED, Side

OddsKey = tuple[tuple[float, ...], tuple[bool, ...]]  # (record weights, sides' health)
MIN_RUN = 8
"""Shorter runs of requests go one at a time (numpy's per-call cost would outweigh)."""


class EntryConfig(Params):
    """Options of the DNS entry point: Route 53's *evaluate target health* and how long
    a client waits for an answer."""

    evaluate_target_health: bool = param(
        True, description="DNS skips a side whose load balancer has no in-service target")
    client_timeout_s: float = param(3.0, ge=0.5, le=60.0, unit="s", step=0.5,
                                    description="clients give up after this long")


class DnsEntry:
    """Traffic's entry point: weighted DNS with per-client caches over two or more sides.

    A weight change (:meth:`set_weights`, Route 53's UPSERT) reaches the authoritative
    servers within ``propagation_s`` (see :class:`~tipsim.sim.web.dns.DnsConfig`): a
    fresh query is answered by a server that took a uniform time in
    ``[0, propagation_s]`` to apply each change. Health (evaluate target health) is
    always current.

    Parameters
    ----------
    sides
        The sides, in the order of the DNS records.
    caches
        One cache per client (user).
    log
        Where path failures and refusals are recorded.
    config
        Evaluate target health (skip a side whose balancer has no in-service target) and
        the client timeout (the latency recorded for a request dropped on the path).
    propagation_s
        Spread of the servers' delay in applying a weight change (0: at once).
    rng
        Draws each fresh query's server delay (needed when ``propagation_s`` > 0).
    old_clients
        Which clients run an old client version (one flag per client): a side whose
        path refuses old clients fails their requests at once.
    """

    def __init__(self, sides: Sequence[Side], caches: ClientCaches, log: RequestLog,
                 config: EntryConfig | None = None, *, propagation_s: float = 0.0,
                 rng: np.random.Generator | None = None,
                 old_clients: Sequence[bool] | None = None) -> None:
        cfg = config if config is not None else EntryConfig()
        if propagation_s < 0 or (propagation_s > 0 and rng is None):
            raise ParameterError("propagation_s", propagation_s,
                                 "a number >= 0 (and a generator when > 0)")
        self.sides = list(sides)
        self.caches = caches
        self.log = log
        self.evaluate_target_health = cfg.evaluate_target_health
        self.client_timeout_s = float(cfg.client_timeout_s)
        self.propagation_s = float(propagation_s)
        self._lag = rng
        self.old_clients = [False] * caches.n_clients if old_clients is None else [
            bool(x) for x in old_clients]
        if len(self.old_clients) != caches.n_clients:
            raise ParameterError("old_clients", len(self.old_clients),
                                 f"one flag per client ({caches.n_clients})")
        self._old = np.array(self.old_clients, dtype=bool)
        # lookups planned for the requests to come: (arrival column, first position,
        # fresh-query flags, answer sources) and the next position expected
        self._plan: tuple[object, int, np.ndarray, np.ndarray] | None = None
        self._planned_to = -1
        self.weights: list[float] = [1.0] + [0.0] * (len(self.sides) - 1)
        self._probs: dict[OddsKey, np.ndarray] = {}
        self._cumulative: dict[OddsKey, list[float]] = {}
        self._cumulative_np: dict[OddsKey, np.ndarray] = {}
        self._current: OddsKey | None = None  # odds of now; None after a weight/health change
        self._u_route = 0.0
        self.weight_time_s: list[float] = [-math.inf]  # when the weights changed ...
        self.weight_log: list[tuple[float, ...]] = [tuple(self.weights)]  # ... and to what
        self.health_time_s: list[float] = []  # when the sides' health changed ...
        self.health_log: list[tuple[bool, ...]] = []  # ... and to what
        for side in self.sides:
            side.lb.watch(self._forget_current)

    def _forget_current(self) -> None:
        self._current = None

    def set_weights(self, weights: Sequence[float], now_s: float) -> None:
        """New record weights from ``now_s`` on (the Route 53 UPSERT)."""
        if len(weights) != len(self.sides) or any(w < 0 for w in weights):
            raise ParameterError("weights", list(weights),
                                 f"{len(self.sides)} numbers >= 0")
        self.weights = [float(w) for w in weights]
        self.weight_time_s.append(float(now_s))
        self.weight_log.append(tuple(self.weights))
        self._current = None

    def _odds(self, key: OddsKey) -> np.ndarray:
        """Answer odds for (weights, health), with their cumulative sums, computed once."""
        p = self._probs.get(key)
        if p is None:
            p = record_probabilities(key[0], key[1], self.evaluate_target_health)
            self._probs[key] = p
            self._cumulative_np[key] = np.cumsum(p)
            self._cumulative[key] = self._cumulative_np[key].tolist()
        return p

    def _key(self, now_s: float | None) -> OddsKey:
        """The current weights and health; with ``now_s``, log a health change."""
        health = tuple(s.healthy for s in self.sides)
        if now_s is not None and (not self.health_log or self.health_log[-1] != health):
            self.health_time_s.append(float(now_s))
            self.health_log.append(health)
        key = (tuple(self.weights), health)
        self._odds(key)
        return key

    def probabilities(self, now_s: float | None = None) -> np.ndarray:
        """Chance that a fresh DNS answer names each side, given the current weights
        (every server up to date) and health.

        With ``now_s``, a health change since the last call is logged in
        :attr:`health_time_s` and :attr:`health_log` (for the DNS timeline).
        """
        return self._probs[self._key(now_s)]

    def note_change(self, now_s: float) -> None:
        """Log the sides' health now (call after a weight or health change)."""
        self.probabilities(now_s)

    def answering(self, now_s: float, current: np.ndarray) -> np.ndarray:
        """The odds a fresh query at ``now_s`` sees: those of the weights its server has
        applied (``current``: :meth:`probabilities` now, when every server has them)."""
        if self._lag is None or now_s - self.weight_time_s[-1] >= self.propagation_s:
            return current
        weights = self._applied_weights(now_s)
        if list(weights) == self.weights:
            return current
        return self._odds((weights, self.health_log[-1]))

    def _applied_weights(self, now_s: float) -> tuple[float, ...]:
        """The weights of the server answering a fresh query at ``now_s`` (one lag draw)."""
        assert self._lag is not None
        seen_at = now_s - self._lag.random() * self.propagation_s
        return self.weight_log[bisect.bisect_right(self.weight_time_s, seen_at) - 1]

    def fresh_share(self, grid_s: np.ndarray, record: int = 1) -> np.ndarray:
        """Chance that a fresh answer names ``record`` at each grid time: the weights
        averaged over the servers' delay, the health at that time."""
        grid = np.asarray(grid_s, dtype=float)
        if not self.health_log:
            self.note_change(float(grid[0]) if grid.size else 0.0)
        lags = ((np.arange(60) + 0.5) / 60 * self.propagation_s if self.propagation_s > 0
                else np.zeros(1))
        h_idx = np.clip(np.searchsorted(self.health_time_s, grid, side="right") - 1, 0,
                        len(self.health_log) - 1)
        w_idx = np.searchsorted(self.weight_time_s, grid[:, None] - lags[None, :],
                                side="right") - 1
        odds = np.array([[self._odds((weights, health))[record] for health in self.health_log]
                         for weights in self.weight_log])  # [weights, health]
        seen = odds[w_idx, h_idx[:, None]]  # [grid time, server delay]
        return seen.mean(axis=1) if grid.size else np.zeros(0)  # row by row, as np.mean

    # -- the Router / Target protocol of tipsim.sim.web.traffic ---------------------------
    def pick(self, t: float, u_route: float) -> DnsEntry:
        """Remember the request's routing draw; the lookup happens in :meth:`accept`."""
        self._u_route = u_route
        return self

    def accept(self, arrival_s: float, user: int, demand_s: float, u_error: float) -> None:
        """Resolve for ``user``, cross the side's path, and hand over to an instance."""
        self._plan = None  # a request the plan did not expect
        self._accept_each([arrival_s], [user], [demand_s], [u_error], [self._u_route])

    def accept_many(self, arrival_s: np.ndarray, user: np.ndarray, demand_s: np.ndarray,
                    u_error: np.ndarray, u_route: np.ndarray, lo: int, hi: int) -> None:
        """:meth:`accept` requests ``lo`` to ``hi - 1`` of the workload's columns, all
        before the model's next event, with the same results and draws as one at a time.

        Weights and health cannot change within the run (only events change them), so the
        current odds are looked up once. With round-robin balancers the run is routed in
        numpy (:meth:`_lookups`, :meth:`_answers`, then
        :func:`~tipsim.sim.web.batch.send_run` per side); otherwise (least-outstanding
        looks at the instances between two requests) request by request.
        """
        if lo >= hi:
            return
        cols = [c[lo:hi] if isinstance(c, np.ndarray) else np.asarray(c[lo:hi])
                for c in (arrival_s, user, demand_s, u_error, u_route)]
        if hi - lo < MIN_RUN or any(s.lb.policy != "round-robin" for s in self.sides):
            if self._planned_to == lo:  # the same lookups as planned
                self._planned_to = hi
            else:
                self._plan = None
            self._accept_each(*(c.tolist() for c in cols))
            return
        run = Run(cols[0], cols[1], cols[2], cols[3], cols[4], self._old)
        records = self._answers(run, *self._lookups(arrival_s, user, lo, hi))
        failures = RunFailures()
        for k, side in enumerate(self.sides):
            at = (records == k).nonzero()[0]
            side.requests += at.size
            if at.size:
                send_run(side, at, run, self.log, self.client_timeout_s, failures)
        failures.record(run)

    def _lookups(self, arrival_s: np.ndarray, user: np.ndarray, lo: int,
                 hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions (in the run ``lo`` to ``hi - 1``) of the requests that ask afresh, and
        where each request's answer comes from (a position in the run; negative: the
        answer its client had cached before the run), from the plan of every request
        still to come (:func:`~tipsim.sim.web.lookups.cache_plan`), made again when
        these are not the requests it expects next."""
        plan = self._plan
        if plan is None or plan[0] is not arrival_s or self._planned_to != lo:
            fresh, source = cache_plan(np.asarray(arrival_s[lo:]), np.asarray(user[lo:]),
                                       self.caches.expires_s, self.caches.lifetimes_s)
            plan = self._plan = (arrival_s, lo, fresh, source)
        _, start, fresh, source = plan
        self._planned_to = hi
        a, b = lo - start, hi - start
        return fresh[a:b].nonzero()[0], source[a:b] - a

    def _answers(self, run: Run, fills: np.ndarray, source: np.ndarray) -> np.ndarray:
        """The record (side) each request of the run goes to: cached, or asked afresh
        (``fills``) with the request's routing draw, in order (lag draws included)."""
        current = self._current
        if current is None:  # first request since a weight or health change
            current = self._current = self._key(float(run.time_s[0]))
        caches = self.caches
        record = caches.answer[run.user]
        if fills.size == 0:
            return record
        t_fill, u_fill = run.time_s[fills], run.u_route[fills]
        fresh = pick_records(self._cumulative_np[current], u_fill)
        lag, changed_s = self._lag, self.weight_time_s[-1]
        if lag is not None and t_fill[0] - changed_s < self.propagation_s:
            # as :meth:`answering`: a lag draw per fresh query within the spread
            spread = (t_fill - changed_s < self.propagation_s).nonzero()[0]
            seen_at = t_fill[spread] - lag.random(spread.size) * self.propagation_s
            applied = np.searchsorted(self.weight_time_s, seen_at, side="right") - 1
            for w in np.unique(applied).tolist():
                weights = self.weight_log[w]
                if weights == current[0]:
                    continue
                key = (weights, current[1])
                self._odds(key)
                mine = spread[applied == w]
                fresh[mine] = pick_records(self._cumulative_np[key], u_fill[mine])
        caches.store_many(run.user[fills], t_fill, fresh)
        by_position = np.zeros(run.time_s.size, dtype=fresh.dtype)
        by_position[fills] = fresh
        return np.where(source >= 0, by_position[np.maximum(source, 0)], record)

    def _accept_each(self, arrival_s: Sequence[float], user: Sequence[int],
                     demand_s: Sequence[float], u_error: Sequence[float],
                     u_route: Sequence[float]) -> None:
        """:meth:`accept` for each request in turn (lists, a run before the next event)."""
        lo, hi = 0, len(arrival_s)
        current = self._current
        if current is None:  # first request since a weight or health change
            current = self._current = self._key(arrival_s[lo])
        weights_now, health_now = current
        cumulative_now = self._cumulative[current]
        caches = self.caches
        answer, expires_s, store = caches.answer, caches.expires_s, caches.store
        lagging = self._lag is not None
        changed_s, propagation_s = self.weight_time_s[-1], self.propagation_s
        sides = [(s.lb.pick, s.path.blocked, s.path.loss_prob, s.loss_draw, s.image_code,
                  s.path.refuses_old_clients) for s in self.sides]
        counts = [0] * len(sides)
        log_append, timeout_s, old = self.log.append, self.client_timeout_s, self.old_clients
        for i in range(lo, hi):
            t, client, u = arrival_s[i], user[i], u_route[i]
            if t < expires_s[client]:
                k = answer[client]
            else:  # ask afresh (pick_record with the cumulative odds, no numpy per request)
                cumulative = cumulative_now
                if lagging and t - changed_s < propagation_s:  # as :meth:`answering`
                    weights = self._applied_weights(t)
                    if weights != weights_now:
                        key = (weights, health_now)
                        self._odds(key)
                        cumulative = self._cumulative[key]
                k = store(client, t, min(bisect.bisect_right(cumulative, u),
                                         len(cumulative) - 1))
            counts[k] += 1
            pick, blocked, loss_prob, loss_draw, code, refuses_old = sides[k]
            if blocked or (loss_prob > 0.0 and loss_draw() < loss_prob):
                log_append(t, client, PATH_FAILURE, code, timeout_s, False)
                continue
            if refuses_old and old[client]:  # handshake refused: fails after a round trip
                log_append(t, client, REFUSED, code, 0.0, False)
                continue
            target = pick(t, u)
            if target is None:  # HTTP 503 from a balancer with no in-service target
                log_append(t, client, NO_TARGET, code, 0.0, False)
                continue
            target.accept(t, client, demand_s[i], u_error[i])
        for side, count in zip(self.sides, counts, strict=True):
            side.requests += count
