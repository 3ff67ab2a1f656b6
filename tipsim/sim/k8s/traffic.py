"""External traffic served by the ready external pods, in one-second buckets.

Like a shop with tills: each open till (ready external pod) serves ``pod_capacity_rps``
customers a second; in a second with fewer open tills than the crowd needs, the
customers beyond capacity are turned away (the request fails, no queueing across
seconds). Requests arrive as a Poisson process; each carries a user id drawn uniformly
from ``users``, so the number of distinct users who saw a failure can be counted.

The capacity of bucket ``[k, k+1)`` is ``floor(pod_capacity_rps * integral of ready pods
over the bucket)``; requests in a bucket are served in arrival order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tipsim.params import Params, param
from tipsim.sim.k8s.metrics import StepCount


class TrafficSpec(Params):
    """External demand and what one ready pod serves."""

    rate_per_s: float = param(60.0, gt=0, le=10000, unit="req/s",
                              description="external requests per second")
    pod_capacity_rps: float = param(15.0, gt=0, le=10000, unit="req/s",
                                    description="requests per second one pod serves")
    users: int = param(2000, ge=1, le=1_000_000, description="distinct users sending requests")


@dataclass(frozen=True)
class TrafficResult:
    """Per-request arrays (``time_s``, ``user``, ``ok``) and their totals."""

    time_s: np.ndarray
    user: np.ndarray
    ok: np.ndarray

    @property
    def failed(self) -> int:
        return int(np.count_nonzero(~self.ok))

    @property
    def affected_users(self) -> int:
        return int(len(np.unique(self.user[~self.ok])))

    def failed_per_s(self, start_s: float, end_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Bucket start times and failed requests per one-second bucket."""
        edges = np.arange(start_s, end_s + 1.0, 1.0)
        counts, _ = np.histogram(self.time_s[~self.ok], bins=edges)
        return edges[:-1], counts


def serve(ready: StepCount, *, rate_per_s: float, pod_capacity_rps: float, users: int,
          start_s: float, end_s: float, arrivals_rng: np.random.Generator,
          users_rng: np.random.Generator) -> TrafficResult:
    """Requests arriving in [start_s, end_s) and whether each was served.

    Parameters
    ----------
    ready
        Ready external pods over time.
    rate_per_s
        Mean request rate.
    pod_capacity_rps
        Requests one ready pod serves per second.
    users
        Size of the user population (ids ``0 .. users-1``).
    arrivals_rng, users_rng
        Separate streams, so strategies compared on one seed see the same requests.
    """
    duration_s = end_s - start_s
    n = int(arrivals_rng.poisson(rate_per_s * duration_s))
    time_s = np.sort(arrivals_rng.uniform(start_s, end_s, n))
    user = users_rng.integers(0, users, n).astype(np.int32)
    n_buckets = int(np.ceil(duration_s))
    edges = start_s + np.arange(n_buckets + 1, dtype=float)
    pod_seconds = np.diff(ready.cumulative(np.minimum(edges, end_s)))
    capacity = np.floor(pod_capacity_rps * pod_seconds + 1e-9).astype(np.int64)
    bucket = np.minimum(((time_s - start_s) // 1.0).astype(np.int64), n_buckets - 1)
    first_in_bucket = np.searchsorted(bucket, np.arange(n_buckets), side="left")
    rank = np.arange(n) - first_in_bucket[bucket]
    ok = rank < capacity[bucket]
    return TrafficResult(time_s, user, ok)
