"""Exposure and disruption of a node-group migration, from the cluster's pod records.

Two sides of one trade (talk, slide 12): *exposure* is how long external pods keep
running on nodes with the insecure OS image after the decision to move them (pod-seconds);
*disruption* is what the move costs the service: time below the desired number of ready
external replicas, the deepest dip, and (from :mod:`tipsim.sim.k8s.traffic`) failed
requests and affected users.

All functions are pure, over the arrays of :meth:`tipsim.sim.k8s.state.ClusterState.pod_table`.

Example
-------
>>> s = step_count(np.array([0.0, 0.0, 5.0]), np.array([10.0, np.nan, 8.0]))
>>> s.times_s.tolist(), s.values.tolist()
([0.0, 5.0, 8.0, 10.0], [2, 3, 2, 1])
>>> float(s.time_below(2, 0.0, 20.0))
10.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tipsim.sim.k8s.state import KIND_CODES


@dataclass(frozen=True)
class StepCount:
    """A count that changes at ``times_s`` and holds ``values[i]`` from ``times_s[i]`` on
    (0 before the first time)."""

    times_s: np.ndarray
    values: np.ndarray

    def at(self, t_s: np.ndarray | float) -> np.ndarray:
        """The count at each time in ``t_s``."""
        idx = np.searchsorted(self.times_s, np.asarray(t_s, dtype=float), side="right") - 1
        return np.where(idx >= 0, self.values[np.clip(idx, 0, None)], 0)

    def cumulative(self, t_s: np.ndarray | float) -> np.ndarray:
        """Area under the count from the first change up to each time in ``t_s``."""
        t = np.asarray(t_s, dtype=float)
        area_at_steps = np.concatenate([[0.0], np.cumsum(self.values[:-1] * np.diff(self.times_s))])
        idx = np.searchsorted(self.times_s, t, side="right") - 1
        safe = np.clip(idx, 0, None)
        area = area_at_steps[safe] + self.values[safe] * (t - self.times_s[safe])
        return np.where(idx >= 0, area, 0.0)

    def _segments(self, start_s: float, end_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Segment lengths and values covering [start_s, end_s]."""
        inner = self.times_s[(self.times_s > start_s) & (self.times_s < end_s)]
        edges = np.concatenate([[start_s], inner, [end_s]])
        values = self.at(edges[:-1])
        return np.diff(edges), values

    def integral(self, start_s: float, end_s: float) -> float:
        """Area under the count over [start_s, end_s] (count x seconds)."""
        lengths, values = self._segments(start_s, end_s)
        return float(np.sum(lengths * values))

    def time_below(self, level: int, start_s: float, end_s: float) -> float:
        """Seconds in [start_s, end_s] during which the count is below ``level``."""
        lengths, values = self._segments(start_s, end_s)
        return float(np.sum(lengths[values < level]))

    def minimum(self, start_s: float, end_s: float) -> int:
        _, values = self._segments(start_s, end_s)
        return int(values.min())

    def maximum(self, start_s: float, end_s: float) -> int:
        _, values = self._segments(start_s, end_s)
        return int(values.max())

    def last_recovery_s(self, level: int, start_s: float, end_s: float) -> float | None:
        """The last time in [start_s, end_s] the count came back to ``level`` or more;
        ``start_s`` if it never dropped below; ``None`` if it is still below at ``end_s``."""
        lengths, values = self._segments(start_s, end_s)
        if values[-1] < level:
            return None
        below = np.nonzero(values < level)[0]
        if len(below) == 0:
            return start_s
        edges = start_s + np.concatenate([[0.0], np.cumsum(lengths)])
        return float(edges[below[-1] + 1])


def step_count(starts_s: np.ndarray, ends_s: np.ndarray) -> StepCount:
    """How many intervals [start, end) are open over time; NaN end = still open."""
    starts = np.asarray(starts_s, dtype=float)
    ends = np.asarray(ends_s, dtype=float)
    keep = ~np.isnan(starts)
    starts, ends = starts[keep], ends[keep]
    ends = ends[~np.isnan(ends)]
    times = np.concatenate([starts, ends])
    deltas = np.concatenate([np.ones(len(starts), dtype=np.int64), -np.ones(len(ends), dtype=np.int64)])
    if len(times) == 0:
        return StepCount(np.array([0.0]), np.array([0], dtype=np.int64))
    order = np.argsort(times, kind="stable")
    times, deltas = times[order], deltas[order]
    uniq, first = np.unique(times, return_index=True)
    sums = np.add.reduceat(deltas, first)
    return StepCount(uniq, np.cumsum(sums))


def ready_external(pods: dict[str, np.ndarray]) -> StepCount:
    """Ready external pods over time (a pod is ready from ``ready_s`` until it ends)."""
    ext = pods["kind"] == KIND_CODES["external"]
    ready = ext & ~np.isnan(pods["ready_s"])
    return step_count(pods["ready_s"][ready], pods["ended_s"][ready])


def pending_pods(pods: dict[str, np.ndarray]) -> StepCount:
    """Pods Pending for want of a node over time: from when the scheduler could first
    place them (``schedulable_s``) until bound or deleted; a pod bound at that very
    moment never counts."""
    start = pods["schedulable_s"]
    until = np.fmin(pods["bound_s"], pods["ended_s"])
    waited = ~(until <= start)
    return step_count(start[waited], until[waited])


def exposure_pod_seconds(pods: dict[str, np.ndarray], insecure_nodes: np.ndarray,
                         decision_s: float, horizon_s: float) -> float:
    """External pod-seconds on insecure nodes within [decision_s, horizon_s].

    Counted from binding (a starting pod already runs code on the node) until deletion.
    """
    on_insecure = (pods["kind"] == KIND_CODES["external"]) & np.isin(pods["node"], insecure_nodes)
    start = np.maximum(pods["bound_s"][on_insecure], decision_s)
    end = np.minimum(np.nan_to_num(pods["ended_s"][on_insecure], nan=horizon_s), horizon_s)
    return float(np.sum(np.clip(end - start, 0.0, None)))


def exposure_end_s(pods: dict[str, np.ndarray], insecure_nodes: np.ndarray, decision_s: float,
                   horizon_s: float) -> float | None:
    """When the last external pod left the insecure nodes; ``None`` if one is still there
    at ``horizon_s``; ``decision_s`` if none was there after the decision."""
    on_insecure = (pods["kind"] == KIND_CODES["external"]) & np.isin(pods["node"], insecure_nodes)
    ended = pods["ended_s"][on_insecure]
    bound = pods["bound_s"][on_insecure]
    if np.any(np.isnan(ended) & (bound <= horizon_s)):
        return None
    after = ended[ended >= decision_s]
    return float(after.max()) if len(after) else decision_s
