"""Load balancer: pools of instances, weights between pools, a policy within a pool.

Like a host at a restaurant door, the load balancer first decides which dining room a
guest goes to (a *pool*, e.g. ``"old"`` and ``"new"`` image, chosen by weight: this is
how a feature toggle sends 10 % of traffic to the new image) and then which table
(instance) in it, by ``round-robin`` or ``least-outstanding`` (fewest requests in flight).

Only registered instances get traffic; an instance is registered when its boot ends and
deregistered when it is drained, toggled off or failed by the :func:`health_check`.
A crashed instance that is still registered keeps getting requests, which fail: that is
the blast radius between a crash and its detection.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from typing import Any, Literal

import numpy as np

from tipsim.errors import ParameterError
from tipsim.sim.web.instances import Instance

Policy = Literal["round-robin", "least-outstanding"]
POLICIES: tuple[str, ...] = ("round-robin", "least-outstanding")


class LoadBalancer:
    """Weighted pools of instances with a per-pool balancing policy.

    Parameters
    ----------
    policy
        ``"round-robin"`` or ``"least-outstanding"``.

    Examples
    --------
    >>> lb = LoadBalancer()
    >>> lb.set_weights({"old": 0.9, "new": 0.1})
    >>> lb.pick(0.0, 0.5) is None  # nothing registered yet
    True
    """

    def __init__(self, policy: Policy = "round-robin") -> None:
        if policy not in POLICIES:
            raise ParameterError("policy", policy, "one of " + ", ".join(map(repr, POLICIES)))
        self.policy: Policy = policy
        self.pools: dict[str, list[Instance]] = {}
        self.weights: dict[str, float] = {}
        self._next: dict[str, int] = {}
        self._live: list[str] | None = None  # pools that can take traffic, kept until a change
        self._watchers: list[Callable[[], None]] = []

    # ------------------------------------------------------------------ membership
    def watch(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after every change of membership (register, deregister)."""
        self._watchers.append(callback)

    def _changed(self) -> None:
        self._live = None
        for callback in self._watchers:
            callback()

    def register(self, instance: Instance) -> None:
        """Start sending traffic to ``instance`` (in its pool)."""
        members = self.pools.setdefault(instance.pool, [])
        if instance not in members:
            members.append(instance)
        self.weights.setdefault(instance.pool, 1.0)
        self._next.setdefault(instance.pool, 0)
        self._changed()

    def deregister(self, instance: Instance) -> None:
        """Stop sending new traffic to ``instance`` (in-flight requests are not touched)."""
        members = self.pools.get(instance.pool, [])
        if instance in members:
            members.remove(instance)
            self._changed()

    @property
    def has_members(self) -> bool:
        """Whether any instance is registered (what evaluate-target-health sees)."""
        return any(self.pools.values())

    def members(self, pool: str | None = None) -> list[Instance]:
        """Registered instances, of one pool or of all."""
        if pool is not None:
            return list(self.pools.get(pool, []))
        return [m for ms in self.pools.values() for m in ms]

    def set_weights(self, weights: Mapping[str, float]) -> None:
        """Relative share of traffic per pool (pools not named keep their weight)."""
        for pool, weight in weights.items():
            if weight < 0:
                raise ParameterError(f"weight[{pool}]", weight, "a number >= 0")
            self.weights[pool] = float(weight)
            self.pools.setdefault(pool, [])
            self._next.setdefault(pool, 0)
        self._live = None

    # ------------------------------------------------------------------ routing
    def _live_pools(self) -> list[str]:
        """Pools with members and weight > 0, recomputed only after a change."""
        if self._live is None:
            self._live = [p for p, ms in self.pools.items() if ms and self.weights[p] > 0.0]
        return self._live

    def pick_many(self, u_route: np.ndarray) -> list[tuple[Instance, np.ndarray]] | None:
        """:meth:`pick` for a run of requests with routing draws ``u_route`` (round-robin
        only: least-outstanding looks at each instance between two requests).

        Returns each chosen instance with the positions (in ``u_route``) of its requests,
        ascending, or ``None`` if no pool can take them; the round-robin counters move on
        as one :meth:`pick` per request would.
        """
        if self.policy != "round-robin":
            raise ParameterError("policy", self.policy, "'round-robin' for pick_many")
        live = self._live_pools()
        if not live:
            return None
        n = u_route.size
        if len(live) == 1:
            per_pool = [(live[0], np.arange(n))]
        else:  # the same subtractions as pick, for every request at once
            x = u_route * sum(self.weights[p] for p in live)
            choice = np.full(n, len(live) - 1)
            open_ = np.ones(n, dtype=bool)
            for j, p in enumerate(live):
                x = x - self.weights[p]
                hit = open_ & (x < 0.0)
                choice[hit] = j
                open_ &= ~hit
            per_pool = [(p, np.flatnonzero(choice == j)) for j, p in enumerate(live)]
        out: list[tuple[Instance, np.ndarray]] = []
        for pool, positions in per_pool:
            if positions.size == 0:
                continue
            members = self.pools[pool]
            size, first = len(members), self._next[pool] % len(members)
            self._next[pool] = (first + positions.size - 1) % size + 1
            for k, member in enumerate(members):  # member k takes every size-th request
                mine = positions[(k - first) % size::size]
                if mine.size:
                    out.append((member, mine))
        return out

    def pick(self, t: float, u_route: float) -> Instance | None:
        """The instance for a request arriving at ``t``; ``None`` if no pool can take it.

        ``u_route`` is the request's uniform(0, 1) routing draw: the pool is the one
        whose slice of the cumulative weights holds it, over pools with members and
        weight > 0 (so a pool left empty sends its share to the others).
        """
        pools = self.pools
        weights = self.weights
        live = self._live_pools()
        if not live:
            return None
        pool = live[0]
        if len(live) > 1:
            total = sum(weights[p] for p in live)
            x = u_route * total
            for p in live:
                x -= weights[p]
                if x < 0.0:
                    pool = p
                    break
            else:
                pool = live[-1]
        members = pools[pool]
        k = self._next[pool] % len(members)
        self._next[pool] = k + 1
        if self.policy == "round-robin" or len(members) == 1:
            return members[k]
        # least outstanding; ties go to the next in round-robin order
        best = members[k]
        best_n = best.outstanding(t)
        for j in range(1, len(members)):
            m = members[(k + j) % len(members)]
            n = m.outstanding(t)
            if n < best_n:
                best, best_n = m, n
        return best


def health_check(env: Any, lb: LoadBalancer, *, interval_s: float = 30.0,
                 unhealthy_threshold: int = 2) -> Generator[Any, Any, None]:
    """simpy process: every ``interval_s`` probe each registered instance and deregister
    one after ``unhealthy_threshold`` failed probes in a row.

    Defaults are the talk's classic ELB health check: every 30 s, unhealthy after 2
    (the talk's Terraform example, ``aws_elb`` health_check block).
    """
    if interval_s <= 0:
        raise ParameterError("interval_s", interval_s, "a number > 0")
    if unhealthy_threshold < 1:
        raise ParameterError("unhealthy_threshold", unhealthy_threshold, "a whole number >= 1")
    while True:
        yield env.timeout(interval_s)
        for instance in lb.members():
            if instance.healthy:
                instance.unhealthy_checks = 0
                continue
            instance.unhealthy_checks += 1
            if instance.unhealthy_checks >= unhealthy_threshold:
                lb.deregister(instance)
