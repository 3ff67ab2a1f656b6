"""Which poller and lane reads which partitions, and where each partition's offset stands.

Poller ``i`` of ``n`` owns the partitions ``p % n == i``; it deals them in turn to its lanes
(at most one lane per partition). A lane that owns several partitions reads them as one
stream in produce order: its cumulative produce curve is the sum of its partitions' curves,
and one offset in that merged stream stands for an offset in every partition (all are read
up to the same slice). When the pollers change, each lane's merged offset is split back
into per-partition offsets and the partitions are dealt out again.

Example
-------
>>> import numpy as np
>>> [[m.tolist() for m in lanes] for lanes in deal(5, 2, 2)]
[[[0, 4], [2]], [[1], [3]]]
>>> counts = np.array([[2, 0, 1], [1, 1, 1]])
>>> m, c = merged_stream(np.cumsum(counts, axis=1), np.zeros(2, int), np.arange(2))
>>> m.tolist(), c
([3, 4, 6], 0)
>>> split_consumed(np.cumsum(counts, axis=1), counts, np.arange(2), m, 4).tolist()
[2, 2]
"""

from __future__ import annotations

import numpy as np


def deal(partitions: int, pollers: int, lanes_per_poller: int) -> list[list[np.ndarray]]:
    """Partitions of each lane of each poller: poller ``i`` owns ``p % pollers == i`` and
    deals them in turn to ``min(lanes_per_poller, owned)`` lanes."""
    out = []
    for i in range(pollers):
        owned = np.arange(i, partitions, pollers)
        lanes = min(lanes_per_poller, owned.size)
        out.append([owned[j::lanes] for j in range(lanes)])
    return out


def merged_stream(cum: np.ndarray, consumed: np.ndarray, members: np.ndarray
                  ) -> tuple[np.ndarray, int]:
    """Cumulative produce curve and consumed offset of the partitions ``members`` read as one
    stream (``cum[p, s]``: records of partition ``p`` up to slice ``s``)."""
    return cum[members].sum(axis=0), int(consumed[members].sum())


def split_consumed(cum: np.ndarray, counts: np.ndarray, members: np.ndarray,
                   merged: np.ndarray, consumed: int) -> np.ndarray:
    """Per-partition offsets for a merged offset: partitions are read in produce order, so all
    are consumed to the same slice; that slice's records are shared out in proportion."""
    h = int(np.searchsorted(merged, consumed, side="left"))
    if h >= merged.size:
        return cum[members, -1]
    before = merged[h - 1] if h > 0 else 0
    in_slice = merged[h] - before
    frac = 0.0 if in_slice == 0 else (consumed - before) / in_slice
    base = cum[members, h - 1] if h > 0 else np.zeros(members.size, dtype=np.int64)
    share = np.floor(frac * np.cumsum(counts[members, h]) + 1e-9).astype(np.int64)
    part = np.diff(np.concatenate(([0], share)))
    part[-1] += (consumed - before) - share[-1]  # exact total
    return base + part
