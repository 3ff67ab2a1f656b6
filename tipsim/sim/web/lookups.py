"""Clients' DNS cache lookups for a whole run of requests at once.

A client whose cached answer is still valid (``time < expires``) reuses it; one whose
cache expired asks afresh and keeps the new answer for its cache lifetime
(:class:`~tipsim.sim.web.dns.ClientCaches`). *Which* requests ask afresh depends only on
the request times, the clients, their cache lifetimes and the caches' expiries at the
start, not on the answers (weights and health only choose the answer). So the lookups of
every request still to come are planned at once (:func:`cache_plan`), and the DNS entry
point then chooses the fresh answers run by run, as the model's state allows.

Client by client the fresh queries form a chain: the first request at or after the
cache's expiry, then the first request after it at or after its time plus the lifetime,
and so on. The chains of all clients advance together, one link per step (a binary
search each); a client with a very short lifetime and many requests finishes its chain
request by request.
"""

from __future__ import annotations

import math

import numpy as np

STEPS = 64
"""Links of every chain followed together before the rest go request by request."""


def first_each(keys: np.ndarray) -> np.ndarray:
    """Where each distinct key first occurs in ``keys``.

    Examples
    --------
    >>> first_each(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 3, 0]
    """
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return order[starts]


def client_order(client: np.ndarray, n_clients: int) -> np.ndarray:
    """Positions of ``client``, client by client, each client's in their order (a stable
    sort; with up to 65,536 clients the keys fit 16 bits and take numpy's radix sort)."""
    if n_clients <= 65536:
        return np.argsort(client.astype(np.uint16), kind="stable")
    return np.argsort(client, kind="stable")


def pick_records(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The record each fresh query is answered with, for uniform draws ``u`` in [0, 1) and
    the cumulative answer probabilities (:func:`~tipsim.sim.web.dns.pick_record` for many).

    Examples
    --------
    >>> pick_records(np.array([0.25, 1.0]), np.array([0.1, 0.25, 0.9])).tolist()
    [0, 1, 1]
    """
    return np.minimum(cumulative.searchsorted(u, side="right"), cumulative.size - 1)


def cache_plan(time_s: np.ndarray, client: np.ndarray, expires_s: np.ndarray,
               lifetime_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which requests ask afresh, and whose answer every request uses.

    Parameters
    ----------
    time_s, client
        The requests, in time order.
    expires_s
        Each client's cache expiry before the first of them.
    lifetime_s
        Each client's cache lifetime.

    Returns
    -------
    (fresh, source)
        Whether each request asks afresh, and the position of the request whose fresh
        answer it uses (itself when it asks), or -1 for the answer cached before.

    Examples
    --------
    >>> fresh, source = cache_plan(np.array([0.0, 1.0, 2.0, 3.0, 4.0]),
    ...                            np.array([0, 0, 1, 0, 0]), np.array([0.5, 9.0]),
    ...                            np.array([2.5, 2.5]))
    >>> fresh.tolist(), source.tolist()
    ([False, True, False, False, True], [-1, 1, -1, 1, 4])
    """
    n, clients_n = time_s.size, expires_s.size
    fresh, source = np.zeros(n, dtype=bool), np.full(n, -1)
    if n == 0:
        return fresh, source
    order = client_order(client, clients_n)  # client by client, each in time order
    who, t = client[order], time_s[order]
    new_value = np.ones(n, dtype=bool)
    np.not_equal(time_s[1:], time_s[:-1], out=new_value[1:])
    values = time_s[new_value]  # the distinct times, ascending
    width = values.size + 1
    key = who.astype(np.int64) * width + (np.cumsum(new_value) - 1)[order]  # ascending
    bounds = np.concatenate([[0], np.cumsum(np.bincount(who, minlength=clients_n))])

    def first_from(k_key: np.ndarray, at_least_s: np.ndarray, after: np.ndarray) -> np.ndarray:
        """Each client's first request from position ``after`` on at or after a time
        (``k_key``: the clients' keys, client x width)."""
        rank = values.searchsorted(at_least_s, side="left")
        return np.maximum(key.searchsorted(k_key + rank, side="left"), after)

    asked = np.zeros(n, dtype=bool)
    k = np.flatnonzero(bounds[1:] > bounds[:-1])
    k_key, k_end, life = k * width, bounds[k + 1], lifetime_s[k]
    at = first_from(k_key, expires_s[k], bounds[k])
    for _ in range(STEPS):
        inside = at < k_end
        if not inside.all():
            k, k_key, k_end, life, at = (a[inside] for a in (k, k_key, k_end, life, at))
            if k.size == 0:
                break
        asked[at] = True
        at = first_from(k_key, t[at] + life, at + 1)
    else:  # long chains: the rest of them request by request
        times = t.tolist()
        for c, first in zip(k.tolist(), at.tolist(), strict=True):
            lifetime, expires = float(lifetime_s[c]), -math.inf
            for p in range(first, int(bounds[c + 1])):
                if times[p] >= expires:
                    asked[p] = True
                    expires = times[p] + lifetime
    last = np.maximum.accumulate(np.where(asked, np.arange(n), -1))
    fresh[order] = asked
    source[order] = np.where(last >= bounds[who], order[np.maximum(last, 0)], -1)
    return fresh, source
