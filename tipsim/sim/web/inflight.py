"""An instance's requests in flight: accepted, not yet finished, handed out in order of
completion.

An :class:`~tipsim.sim.web.instances.Instance` knows each request's end when it accepts
it (the FCFS recursion of :mod:`tipsim.sim.web.fcfs`) and records it only once asked
about a later time, so that a crash can still fail what is in flight. :class:`InFlight`
keeps those requests and gives back the finished ones ordered by end time, ties in the
order they were accepted (a sequence number), however they came in: one at a time (a heap,
cheap when the balancer asks after every request) or a whole run at once (numpy arrays,
sorted only when they are handed out).
"""

from __future__ import annotations

import heapq
import math

import numpy as np

Rows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""Finished requests, in order: arrival times, users, latencies, success flags (users
and flags as float64 numbers: whole numbers, 1.0 for success)."""

END, SEQ, ARRIVAL, USER, LATENCY, OK = range(6)
"""Rows of a chunk: one float64 array of shape (6, requests), so that a chunk is split,
joined and reordered in one numpy call each (users, sequence numbers and flags are
exact in float64)."""


class InFlight:
    """Requests accepted and not yet finished, ordered by (end, acceptance)."""

    __slots__ = ("_heap", "_chunks", "_chunk_rows", "_chunk_due_s", "_seq")

    def __init__(self) -> None:
        # (end_s, seq, arrival_s, user, latency_s, ok), one request at a time
        self._heap: list[tuple[float, int, float, int, float, bool]] = []
        # runs of requests; the first may be a rest sorted by (end, seq), the others are
        # in order of acceptance: joined, a stable sort by end orders them by (end, seq)
        self._chunks: list[np.ndarray] = []
        self._chunk_rows = 0
        self._chunk_due_s = math.inf  # earliest end among the chunks
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap) + self._chunk_rows

    def push(self, end_s: float, arrival_s: float, user: int, latency_s: float,
             ok: bool) -> None:
        """One request."""
        self._seq += 1
        heapq.heappush(self._heap, (end_s, self._seq, arrival_s, user, latency_s, ok))

    def push_many(self, end_s: np.ndarray, arrival_s: np.ndarray, user: np.ndarray,
                  latency_s: np.ndarray, ok: np.ndarray) -> None:
        """A run of requests (columns, in the order accepted)."""
        n = end_s.size
        if n == 0:
            return
        seq = np.arange(self._seq + 1, self._seq + n + 1, dtype=float)
        self._seq += n
        self._chunks.append(np.array([end_s, seq, arrival_s, user, latency_s, ok], dtype=float))
        self._chunk_rows += n
        self._chunk_due_s = min(self._chunk_due_s, float(end_s.min()))

    def pop_due(self, now_s: float) -> Rows | None:
        """Remove and return the requests finished by ``now_s`` (None if there are none)."""
        heap = self._heap
        from_heap = bool(heap) and heap[0][0] <= now_s
        if not from_heap and (not self._chunks or self._chunk_due_s > now_s):
            return None
        popped: list[tuple[float, int, float, int, float, bool]] = []
        while heap and heap[0][0] <= now_s:
            popped.append(heapq.heappop(heap))
        return self._ordered(popped, self._take_chunks(now_s))

    def pop_all(self) -> Rows:
        """Remove and return every request, in order of completion."""
        popped = sorted(self._heap)
        self._heap = []
        return self._ordered(popped, self._take_chunks(math.inf))

    def _take_chunks(self, now_s: float) -> np.ndarray | None:
        """The chunks' rows finished by ``now_s``, ordered by (end, seq); the rest stays."""
        if not self._chunks or self._chunk_due_s > now_s:
            return None
        block = (self._chunks[0] if len(self._chunks) == 1
                 else np.concatenate(self._chunks, axis=1))
        block = block[:, block[END].argsort(kind="stable")]
        due = int(block[END].searchsorted(now_s, side="right"))
        rest = block[:, due:]
        self._chunks = [rest] if rest.shape[1] else []
        self._chunk_rows = rest.shape[1]
        self._chunk_due_s = float(rest[END, 0]) if rest.shape[1] else math.inf
        return block[:, :due]

    @staticmethod
    def _ordered(popped: list[tuple[float, int, float, int, float, bool]],
                 block: np.ndarray | None) -> Rows:
        """Heap rows (already in order) and chunk rows (too) merged by (end, seq)."""
        if popped:
            rows = np.array(popped, dtype=float).T
            if block is not None:
                rows = np.concatenate([rows, block], axis=1)
                rows = rows[:, np.lexsort((rows[SEQ], rows[END]))]
        else:
            rows = block if block is not None else np.zeros((6, 0))
        return rows[ARRIVAL], rows[USER], rows[LATENCY], rows[OK]
