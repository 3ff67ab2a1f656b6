"""First come, first served on ``c`` workers, for a run of arrivals at once.

The exact FCFS multi-server recursion (J. Kiefer and J. Wolfowitz, "On the theory of
queues with many servers", Trans. AMS 78, 1955): the workers' free times form a heap;
a request starts at ``max(arrival, earliest free time)``, ends ``work`` later, and that
worker's free time becomes its end.

For a run of arrivals (sorted) only the requests that wait take a Python step. The heap
before request ``i`` holds the ``c`` largest of the starting free times and the ends of
requests ``0 .. i-1`` (each step replaces the earliest time by a later one, so no
replaced time exceeds one kept). Request ``i`` waits exactly when ``c`` of those are later
than its arrival ``a_i``. Supposing nobody waits (ends ``a_j + w_j``), that count is
computed for every ``i`` at once. It is the true count for every ``i`` whose arrival is
at or after the true end of every earlier request that did wait: the supposed and the
true ends then differ only at or before ``a_i``. So the requests run one by one from the
first one counted as waiting until the run is past the ends of those that waited, and
the others start at their arrival. Either way the ends are the same floating-point
numbers as request by request.
"""

from __future__ import annotations

import heapq
import math

import numpy as np


def _largest(free_s: list[float] | np.ndarray, ends: np.ndarray, c: int) -> list[float]:
    """The ``c`` largest of the free times and the ends, ascending (a valid heap)."""
    both = np.concatenate((free_s, ends))
    both.sort()
    return both[-c:].tolist()


def fcfs_ends(free_s: list[float], arrival_s: np.ndarray, work_s: np.ndarray) -> np.ndarray:
    """End time of each request of a run (arrivals sorted, ``work_s`` >= 0);
    ``free_s`` (a heap, one free time per worker) is updated in place.

    Examples
    --------
    >>> free = [0.0, 0.0]
    >>> fcfs_ends(free, np.array([0.0, 0.0, 0.0]), np.array([1.0, 2.0, 1.0])).tolist()
    [1.0, 2.0, 2.0]
    >>> sorted(free)
    [2.0, 2.0]
    """
    end = arrival_s + work_s
    n, c = end.size, len(free_s)
    if n == 0:
        return end
    if (end > arrival_s).all():  # then only earlier requests can have ended by a_i
        free_sorted = np.array(free_s)
        free_sorted.sort()
        end_sorted = end.copy()
        end_sorted.sort()
        # c workers busy at a_i, if nobody waited (numpy methods: this runs per instance
        # and run of requests, where numpy's per-call cost is what counts)
        busy = (np.arange(n) - end_sorted.searchsorted(arrival_s, side="right")
                >= free_sorted.searchsorted(arrival_s, side="right"))
        if not busy.any():
            free_s[:] = _largest(free_sorted, end_sorted[-c:], c)
            return end
        counted = busy.tolist()
    else:  # a zero work: request by request
        counted = [True] * n
    a, w = arrival_s.tolist(), work_s.tolist()
    replace = heapq.heapreplace
    j = 0
    while True:
        try:
            j = counted.index(True, j)
        except ValueError:
            break
        heap = _largest(free_s, end[:j], c)
        latest = -math.inf  # latest true end of a request that waited
        while j < n and (a[j] < latest or counted[j]):
            free = heap[0]
            e = (a[j] if a[j] > free else free) + w[j]
            replace(heap, e)
            if e != a[j] + w[j]:
                end[j] = e
                latest = max(latest, e)
            j += 1
    free_s[:] = _largest(free_s, end, c)
    return end
