"""Which consumer reads which partitions, and where each partition's offset stands.

A consumer that owns several partitions reads them as one stream in produce order: its
cumulative produce curve is the sum of its partitions' curves, and one offset in that merged
stream stands for an offset in every partition (all are read up to the same slice). When the
consumers change (a poller added or removed), the merged offset is split back into
per-partition offsets and the partitions are dealt out again, ``p % n == i`` to consumer ``i``.

Example
-------
>>> import numpy as np
>>> counts = np.array([[2, 0, 1], [1, 1, 1]])
>>> [(m.tolist(), c) for m, c in merged_streams(np.cumsum(counts, axis=1), np.zeros(2, int), 1)]
[([3, 4, 6], 0)]
>>> split_consumed(np.cumsum(counts, axis=1), counts, np.arange(2), np.array([3, 4, 6]), 4).tolist()
[2, 2]
"""

from __future__ import annotations

import numpy as np


def merged_streams(load_cum: np.ndarray, consumed: np.ndarray, n: int) -> list[tuple[np.ndarray, int]]:
    """Merged cumulative curve and consumed offset of each of ``n`` pollers."""
    out = []
    for i in range(n):
        members = np.arange(i, load_cum.shape[0], n)
        out.append((load_cum[members].sum(axis=0), int(consumed[members].sum())))
    return out


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
