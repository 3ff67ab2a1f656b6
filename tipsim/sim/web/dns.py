"""Weighted DNS answers and the client caches that make a weight change arrive slowly.

Route 53 answers a query for a weighted name by picking one record with probability
``weight / sum(weights)``; each client's resolver then keeps that answer for the
record's TTL. Changing the weights is like changing the signposts at a junction while
drivers follow the directions they were given at the last junction: a driver only sees
the new sign after their directions run out (the TTL), so the share of clients on the
new side climbs from the old split to the new one over one TTL.

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


class DnsConfig(Params):
    """The clients' side of DNS: how long an answer is cached, and how many clients cache.

    ``clients`` is capped lower than a workload's users because every client keeps a
    cache of its own (the DNS timeline is computed client by client).
    """

    ttl_s: float = param(60.0, ge=0.0, le=3600.0, unit="s", step=10.0, slider=(0.0, 600.0),
                         label="DNS TTL (s)",
                         description="DNS answer lifetime (the record's TTL)")
    clients: int = param(500, ge=1, le=20_000,
                         description="clients, each with its own DNS cache")
    rate_per_client_per_s: float = param(0.05, gt=0.0, le=10.0, unit="req/s",
                                         description="requests a client sends per second")


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
    cache expired asks again and keeps the new answer for ``ttl_s`` seconds.

    Parameters
    ----------
    n_clients
        Number of clients (each with its own stub resolver cache).
    ttl_s
        Time to live of the answer, in seconds (0 means every request resolves).
    """

    def __init__(self, n_clients: int, ttl_s: float) -> None:
        if n_clients < 1:
            raise ValueError("n_clients: a whole number >= 1")
        if ttl_s < 0:
            raise ValueError("ttl_s: a number >= 0")
        self.ttl_s = float(ttl_s)
        self._answer = [-1] * n_clients
        self._expires_s = [-np.inf] * n_clients
        self._log_t: list[float] = []
        self._log_c: list[int] = []
        self._log_r: list[int] = []

    @property
    def n_clients(self) -> int:
        """Number of clients."""
        return len(self._answer)

    def prefill(self, probabilities: np.ndarray, rng: np.random.Generator) -> None:
        """Start in steady state: every client resolved at a uniform time in the last TTL.

        Without this, all clients would fill their caches in the first seconds of a run
        and then expire together, TTL after TTL, which real clients (who started at
        different times) do not. Prefilled entries are logged at ``expiry - ttl_s``
        (a negative time).
        """
        n = self.n_clients
        if self.ttl_s == 0:
            return
        answers = np.minimum(np.searchsorted(np.cumsum(probabilities), rng.random(n),
                                             side="right"), len(probabilities) - 1)
        expires = rng.uniform(0.0, self.ttl_s, n)
        order = np.argsort(expires)
        for c in order.tolist():
            self._answer[c] = int(answers[c])
            self._expires_s[c] = float(expires[c])
            self._log_t.append(float(expires[c]) - self.ttl_s)
            self._log_c.append(c)
            self._log_r.append(int(answers[c]))

    def lookup(self, client: int, time_s: float, probabilities: np.ndarray, u: float) -> int:
        """The record ``client`` uses at ``time_s``: cached, or freshly chosen with draw ``u``.

        ``probabilities`` is :func:`record_probabilities` for the current weights and health
        (the caller computes it once per change, not once per request).
        """
        if time_s < self._expires_s[client]:
            return self._answer[client]
        record = pick_record(probabilities, u)
        self._answer[client] = record
        self._expires_s[client] = time_s + self.ttl_s
        self._log_t.append(time_s)
        self._log_c.append(client)
        self._log_r.append(record)
        return record

    def resolutions(self) -> Resolution:
        """Every cache fill so far, in time order."""
        return Resolution(np.asarray(self._log_t, dtype=float),
                          np.asarray(self._log_c, dtype=np.int64),
                          np.asarray(self._log_r, dtype=np.int64))


def client_share_timeline(resolutions: Resolution, n_clients: int, ttl_s: float,
                          grid_s: np.ndarray, fresh_share: np.ndarray | float,
                          record: int = 1) -> np.ndarray:
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
        Cache lifetime in seconds.
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
    cached_on = np.zeros(grid.size)
    valid = np.zeros(grid.size)
    t, c, r = resolutions.time_s, resolutions.client, resolutions.record
    for client in range(n_clients):
        sel = c == client
        if not sel.any():
            continue
        ct, cr = t[sel], r[sel]
        last = np.searchsorted(ct, grid, side="right") - 1  # last fill at or before t
        has = last >= 0
        li = np.where(has, last, 0)
        live = has & (grid < ct[li] + ttl_s)
        valid += live
        cached_on += live & (cr[li] == record)
    return (cached_on + (n_clients - valid) * fresh) / n_clients


def weight_change_timeline(old_weights: Sequence[float], new_weights: Sequence[float], *,
                           n_clients: int, ttl_s: float, rate_per_client_per_s: float,
                           change_at_s: float, duration_s: float, seed: int,
                           step_s: float = 10.0, record: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Share of clients reaching ``record`` over time when the weights change once.

    Clients send requests as independent Poisson processes; each request looks up its
    client's cache (prefilled in steady state under ``old_weights``). At ``change_at_s`` the
    zone's weights become ``new_weights``; clients see them only as their caches expire.

    Returns
    -------
    (grid_s, share)
        Times every ``step_s`` seconds from 0 to ``duration_s``, and the share at each.
    """
    from tipsim.sim.rng import streams

    rng = streams(seed, ["dns_prefill", "dns_requests", "dns_answers"])
    old_p = record_probabilities(old_weights)
    new_p = record_probabilities(new_weights)
    caches = ClientCaches(n_clients, ttl_s)
    caches.prefill(old_p, rng["dns_prefill"])
    total_rate = n_clients * rate_per_client_per_s
    n = int(rng["dns_requests"].poisson(total_rate * duration_s))
    times = np.sort(rng["dns_requests"].uniform(0.0, duration_s, n))
    clients = rng["dns_requests"].integers(0, n_clients, n)
    draws = rng["dns_answers"].random(n)
    for t, c, u in zip(times.tolist(), clients.tolist(), draws.tolist(), strict=True):
        caches.lookup(c, t, old_p if t < change_at_s else new_p, u)
    grid = np.arange(0.0, duration_s + step_s / 2, step_s)
    fresh = np.where(grid < change_at_s, old_p[record], new_p[record])
    share = client_share_timeline(caches.resolutions(), n_clients, ttl_s, grid, fresh, record)
    return grid, share
