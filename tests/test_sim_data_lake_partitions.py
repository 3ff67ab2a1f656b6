"""Partitions dealt out to consumers, and a merged offset split back per partition."""

from __future__ import annotations

import numpy as np

from tipsim.sim.data_lake.partitions import merged_streams, split_consumed


def test_partitions_are_dealt_round_robin_and_their_curves_summed() -> None:
    """Consumer i of n owns partitions p with p % n == i; its produce curve is their sum."""
    counts = np.arange(15).reshape(5, 3)
    cum = np.cumsum(counts, axis=1)
    streams = merged_streams(cum, np.array([0, 1, 2, 3, 4]), 2)
    assert len(streams) == 2
    assert streams[0][0].tolist() == (cum[0] + cum[2] + cum[4]).tolist()
    assert streams[1][0].tolist() == (cum[1] + cum[3]).tolist()
    assert [c for _, c in streams] == [0 + 2 + 4, 1 + 3]


def test_a_merged_offset_splits_into_partition_offsets_that_add_up() -> None:
    """Read in produce order, every partition is consumed to the same slice; that slice's
    records are shared out in proportion and the offsets add up to the merged offset."""
    rng = np.random.default_rng(3)
    counts = rng.poisson(5.0, size=(4, 50))
    cum = np.cumsum(counts, axis=1)
    members = np.arange(4)
    merged = cum.sum(axis=0)
    for consumed in (0, 1, int(merged[10]), int(merged[10]) + 7, int(merged[-1])):
        per = split_consumed(cum, counts, members, merged, consumed)
        assert per.sum() == consumed
        assert (per >= 0).all() and (per <= cum[:, -1]).all()
        h = int(np.searchsorted(merged, consumed, side="left"))
        if 0 < h < merged.size:  # each partition between the slice before and the slice itself
            assert (per >= cum[:, h - 1]).all() and (per <= cum[:, h]).all()
