"""Weighted DNS answers and the client caches that make a weight change arrive slowly.

Route 53 answers a query for a weighted name by picking one record with probability
``weight / sum(weights)``; each client's resolver then keeps that answer for the
record's TTL. Changing the weights is like changing the signposts at a junction while
drivers follow the directions they were given at the last junction: a driver only sees
the new sign after their directions run out (the TTL), so the share of clients on the
new side climbs from the old split to the new one over one TTL. Two things stretch that
(:class:`DnsConfig`): the signs are not all changed at the same moment (Route 53's
servers take up to ``propagation_s`` to apply a change), and a few drivers follow old
directions longer than told (resolvers that hold answers past the TTL).

Rules for choosing a record (Amazon Route 53 Developer Guide, "Weighted routing" and
"How Amazon Route 53 chooses records when health checking is configured"):

* only records with a non-zero weight are considered, if any is healthy;
* if every non-zero record is unhealthy, the zero-weight healthy records are considered
  (each equally likely);
* if no record is healthy, all are treated as healthy and the rules apply again;
* if every weight is zero, each record is equally likely.

"Healthy" applies only with *evaluate target health* (an alias to a load balancer is
healthy while the balancer has at least one in-service target); without it every
record counts as healthy.

Example
-------
>>> pick_record(record_probabilities([10.0, 0.0], [True, True]), 0.99)
0
>>> pick_record(record_probabilities([10.0, 0.0], [False, True]), 0.5)
1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tipsim.params import Params, param
from tipsim.sim.web.lookups import client_order, first_each, pick_records


class DnsConfig(Params):
    """The clients' side of DNS: how long answers are cached, and how late changes arrive.

    ``clients`` is capped lower than a workload's users because every client keeps a
    cache of its own (the DNS timeline is computed client by client).

    Two things make a weight change reach clients later than one TTL, each 0 for the
    TTL-exact behaviour:

    * ``propagation_s``: Route 53 says a change "generally" reaches all its
      authoritative servers "within 60 seconds" (Amazon Route 53 API Reference,
      ``GetChange``: a change is ``PENDING`` until then, ``INSYNC`` after). A fresh
      query is answered by a server that took a uniform time in ``[0, propagation_s]``
      to apply each change; default 60 s.
    * ``stale_share`` of the clients sit behind resolvers that keep answers longer than
      the TTL, for ``stale_hold_s`` (when that is longer than the TTL). Bhowmick et al.,
      "TTL Violation of DNS Resolvers in the Wild" (PAM 2023), found 8.74 % of the 8,524
      resolvers they could measure extending TTLs: the default share. They report no
      single extension time; the default hold of 300 s is the kit's assumption.
    """

    ttl_s: float = param(60.0, ge=0.0, le=3600.0, unit="s", step=10.0, slider=(0.0, 600.0),
                         label="DNS TTL (s)",
                         description="DNS answer lifetime (the record's TTL)")
    clients: int = param(500, ge=1, le=20_000,
                         description="clients, each with its own DNS cache")
    rate_per_client_per_s: float = param(0.05, gt=0.0, le=10.0, unit="req/s",
                                         description="requests a client sends per second")
    propagation_s: float = param(60.0, ge=0.0, le=600.0, unit="s", step=10.0,
                                 description="a change reaches Route 53's servers within this")
    stale_share: float = param(0.0874, ge=0.0, le=1.0, step=0.01, percent=True,
                               description="share of clients behind resolvers that hold "
                                           "answers longer than the TTL")
    stale_hold_s: float = param(300.0, ge=0.0, le=86_400.0, unit="s", step=60.0,
                                slider=(0.0, 3600.0),
                                description="how long those resolvers hold an answer")


def cache_lifetimes(n_clients: int, dns: DnsConfig, rng: np.random.Generator) -> np.ndarray:
    """How long each client keeps an answer: the TTL, or ``stale_hold_s`` (when longer)
    for the ``stale_share`` of clients behind TTL-extending resolvers."""
    lifetimes = np.full(n_clients, float(dns.ttl_s))
    if dns.stale_share > 0.0:
        stale = rng.random(n_clients) < dns.stale_share
        lifetimes[stale] = max(dns.ttl_s, dns.stale_hold_s)
    return lifetimes


def record_probabilities(weights: Sequence[float], healthy: Sequence[bool] | None = None,
                         evaluate_target_health: bool = True) -> np.ndarray:
    """Probability that a fresh query is answered with each record.

    Parameters
    ----------
    weights
        Route 53 weights (0-255), one per record.
    healthy
        Health of each record's target; ignored without ``evaluate_target_health``.
    evaluate_target_health
        Whether unhealthy targets are skipped.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or np.any(w < 0):
        raise ValueError("weights: a non-empty list of numbers >= 0")
    h = (np.ones(w.size, dtype=bool) if healthy is None or not evaluate_target_health
         else np.asarray(healthy, dtype=bool))
    if not h.any():
        h = np.ones(w.size, dtype=bool)  # nothing healthy: all count as healthy
    nonzero = h & (w > 0)
    if nonzero.any():
        p = np.where(nonzero, w, 0.0)
    elif h.any() and (w > 0).any():
        p = h.astype(float)  # every non-zero record unhealthy: healthy zero-weight ones
    else:
        p = h.astype(float)  # all weights zero: equally likely
    return p / p.sum()


def pick_record(probabilities: np.ndarray, u: float) -> int:
    """Index of the record a fresh query is answered with, for a uniform draw ``u`` in
    [0, 1) and the answer probabilities of :func:`record_probabilities`."""
    index = int(np.searchsorted(np.cumsum(probabilities), u, side="right"))
    return min(index, len(probabilities) - 1)


@dataclass
class Resolution:
    """Columnar log of cache fills: when each client resolved, and to which record."""

    time_s: np.ndarray
    client: np.ndarray
    record: np.ndarray


class ClientCaches:
    """One DNS cache per client: the answer and when it expires.

    A client that sends a request while its cache is valid reuses the answer; one whose
    cache expired asks again and keeps the new answer for its cache lifetime (the TTL,
    or longer behind a TTL-extending resolver: :func:`cache_lifetimes`).

    Parameters
    ----------
    n_clients
        Number of clients (each with its own stub resolver cache).
    ttl_s
        Time to live of the answer, in seconds (0 means every request resolves).
    lifetimes_s
        Each client's cache lifetime; default ``ttl_s`` for every client.

    Attributes
    ----------
    answer, expires_s
        Each client's cached record and when it expires (arrays, for a router's lookup
        of a run of requests: read them; change them only through :meth:`fill`,
        :meth:`store` or :meth:`store_many`).
    """

    def __init__(self, n_clients: int, ttl_s: float,
                 lifetimes_s: np.ndarray | None = None) -> None:
        if n_clients < 1:
            raise ValueError("n_clients: a whole number >= 1")
        if ttl_s < 0:
            raise ValueError("ttl_s: a number >= 0")
        self.ttl_s = float(ttl_s)
        self.lifetimes_s = (np.full(n_clients, self.ttl_s) if lifetimes_s is None
                            else np.asarray(lifetimes_s, dtype=float))
        if self.lifetimes_s.shape != (n_clients,) or np.any(self.lifetimes_s < 0):
            raise ValueError("lifetimes_s: one number >= 0 per client")
        self._lifetime = self.lifetimes_s.tolist()
        self.answer = np.full(n_clients, -1, dtype=np.int64)
        self.expires_s = np.full(n_clients, -np.inf)
        self._log_t: list[float] = []
        self._log_c: list[int] = []
        self._log_r: list[int] = []

    @property
    def n_clients(self) -> int:
        """Number of clients."""
        return len(self.answer)

    def prefill(self, probabilities: np.ndarray, rng: np.random.Generator) -> None:
        """Start in steady state: every client resolved at a uniform time in the last
        lifetime of its cache.

        Without this, all clients would fill their caches in the first seconds of a run
        and then expire together, TTL after TTL, which real clients (who started at
        different times) do not. Prefilled entries are logged at ``expiry - lifetime``
        (a negative time).
        """
        n = self.n_clients
        if not np.any(self.lifetimes_s > 0):
            return
        answers = pick_records(np.cumsum(probabilities), rng.random(n))
        expires = rng.uniform(0.0, self.lifetimes_s, n)
        order = np.argsort(expires)  # logged in order of expiry
        self.answer[:] = answers
        self.expires_s[:] = expires
        self._log_t.extend((expires - self.lifetimes_s)[order].tolist())
        self._log_c.extend(order.tolist())
        self._log_r.extend(answers[order].tolist())

    def cached(self, client: int, time_s: float) -> int | None:
        """The record ``client`` has cached at ``time_s``, or ``None`` if it must ask."""
        return int(self.answer[client]) if time_s < self.expires_s[client] else None

    def fill(self, client: int, time_s: float, probabilities: np.ndarray, u: float) -> int:
        """Ask afresh: the record chosen with draw ``u``, cached from ``time_s`` on."""
        return self.store(client, time_s, pick_record(probabilities, u))

    def store(self, client: int, time_s: float, record: int) -> int:
        """Cache ``record`` (a fresh answer) for ``client`` from ``time_s`` on."""
        self.answer[client] = record
        self.expires_s[client] = time_s + self._lifetime[client]
        self._log_t.append(time_s)
        self._log_c.append(client)
        self._log_r.append(record)
        return record

    def store_many(self, client: np.ndarray, time_s: np.ndarray, record: np.ndarray) -> None:
        """:meth:`store` for several fresh answers, in order (a client keeps its last)."""
        last = client.size - 1 - first_each(client[::-1])  # each client's last answer
        self.answer[client[last]] = record[last]
        self.expires_s[client[last]] = time_s[last] + self.lifetimes_s[client[last]]
        self._log_t.extend(time_s.tolist())
        self._log_c.extend(client.tolist())
        self._log_r.extend(record.tolist())

    def lookup(self, client: int, time_s: float, probabilities: np.ndarray, u: float) -> int:
        """The record ``client`` uses at ``time_s``: cached, or freshly chosen with draw ``u``.

        ``probabilities`` is :func:`record_probabilities` for the current weights and health
        (the caller computes it once per change, not once per request).
        """
        record = self.cached(client, time_s)
        return self.fill(client, time_s, probabilities, u) if record is None else record

    def resolutions(self) -> Resolution:
        """Every cache fill so far, in time order."""
        return Resolution(np.asarray(self._log_t, dtype=float),
                          np.asarray(self._log_c, dtype=np.int64),
                          np.asarray(self._log_r, dtype=np.int64))


def client_share_timeline(resolutions: Resolution, n_clients: int,
                          ttl_s: float | np.ndarray, grid_s: np.ndarray,
                          fresh_share: np.ndarray | float, record: int = 1) -> np.ndarray:
    """Share of clients that would reach ``record`` if they sent a request at each time.

    A client whose cache is valid at ``t`` counts as 1 or 0 (its cached answer); a client
    with no valid cache would resolve afresh and counts as ``fresh_share`` (the
    probability of a fresh answer being ``record`` at ``t``).

    Parameters
    ----------
    resolutions
        The cache fills (:meth:`ClientCaches.resolutions`).
    n_clients
        Number of clients.
    ttl_s
        Cache lifetime in seconds, one for all or one per client
        (:attr:`ClientCaches.lifetimes_s`).
    grid_s
        Times to evaluate, in seconds.
    fresh_share
        Fresh-answer probability of ``record`` at each grid time (or one number).

    Returns
    -------
    numpy.ndarray
        Share in [0, 1] at each grid time.
    """
    grid = np.asarray(grid_s, dtype=float)
    fresh = np.broadcast_to(np.asarray(fresh_share, dtype=float), grid.shape)
    lifetimes = np.broadcast_to(np.asarray(ttl_s, dtype=float), (n_clients,))
    by_client = client_order(resolutions.client, n_clients)
    t, c, r = (a[by_client] for a in (resolutions.time_s, resolutions.client,
                                      resolutions.record))
    # a fill is its client's last at grid times from it to the next fill, and valid there
    # until it expires: count each fill over that span of the (sorted) grid
    following = np.append(t[1:], np.inf)
    following[np.append(c[1:] != c[:-1], True)] = np.inf
    order = np.argsort(grid, kind="stable")
    ordered = grid[order]
    lo = np.searchsorted(ordered, t, side="left")
    hi = np.minimum(np.searchsorted(ordered, following, side="left"),
                    np.searchsorted(ordered, t + lifetimes[c], side="left"))
    valid, cached_on = np.zeros(grid.size), np.zeros(grid.size)
    for total, counted in ((valid, hi > lo), (cached_on, (hi > lo) & (r == record))):
        spans = (np.bincount(lo[counted], minlength=grid.size + 1)
                 - np.bincount(hi[counted], minlength=grid.size + 1))
        total[order] = np.cumsum(spans)[:grid.size]
    return (cached_on + (n_clients - valid) * fresh) / n_clients


def weight_change_timeline(old_weights: Sequence[float], new_weights: Sequence[float],
                           dns: DnsConfig, *, change_at_s: float, duration_s: float,
                           seed: int, step_s: float = 10.0,
                           record: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Share of clients reaching ``record`` over time when the weights change once.

    ``dns.clients`` clients send requests as independent Poisson processes
    (``dns.rate_per_client_per_s`` each); each request looks up its client's cache
    (prefilled in steady state under ``old_weights``). At ``change_at_s`` the zone's
    weights become ``new_weights``: a fresh query sees them once the answering server
    has the change (uniformly within ``dns.propagation_s``), and clients see them only as
    their caches expire (the TTL, longer behind TTL-extending resolvers).

    Returns
    -------
    (grid_s, share)
        Times every ``step_s`` seconds from 0 to ``duration_s``, and the share at each.
    """
    from tipsim.sim.rng import streams

    rng = streams(seed, ["dns_prefill", "dns_requests", "dns_answers", "dns_resolvers",
                         "dns_propagation"])
    old_p = record_probabilities(old_weights)
    new_p = record_probabilities(new_weights)
    n_clients = dns.clients
    lifetimes = cache_lifetimes(n_clients, dns, rng["dns_resolvers"])
    caches = ClientCaches(n_clients, dns.ttl_s, lifetimes)
    caches.prefill(old_p, rng["dns_prefill"])
    n = int(rng["dns_requests"].poisson(n_clients * dns.rate_per_client_per_s * duration_s))
    times = np.sort(rng["dns_requests"].uniform(0.0, duration_s, n))
    clients = rng["dns_requests"].integers(0, n_clients, n)
    draws = rng["dns_answers"].random(n)
    spread = dns.propagation_s
    lag = rng["dns_propagation"]
    for t, c, u in zip(times.tolist(), clients.tolist(), draws.tolist(), strict=True):
        if caches.cached(c, t) is not None:
            continue
        since = t - change_at_s
        seen_new = since >= 0 and (since >= spread or lag.random() * spread <= since)
        caches.fill(c, t, new_p if seen_new else old_p, u)
    grid = np.arange(0.0, duration_s + step_s / 2, step_s)
    arrived = (np.clip((grid - change_at_s) / spread, 0.0, 1.0) if spread > 0
               else (grid >= change_at_s).astype(float))
    fresh = (1.0 - arrived) * old_p[record] + arrived * new_p[record]
    share = client_share_timeline(caches.resolutions(), n_clients, lifetimes, grid, fresh,
                                  record)
    return grid, share
