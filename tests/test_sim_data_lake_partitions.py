"""Partitions dealt out to consumers, and a merged offset split back per partition."""

from __future__ import annotations

import numpy as np

from tipsim.sim.data_lake.partitions import deal, merged_stream, split_consumed


def test_partitions_are_dealt_round_robin_to_pollers_then_to_lanes() -> None:
    """Poller i of n owns p % n == i; it deals them in turn to at most `lanes` lanes, never
    more lanes than partitions, and every partition lands in exactly one lane."""
    dealt = deal(11, 2, 5)
    assert [[m.tolist() for m in lanes] for lanes in dealt] == [
        [[0, 10], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]]
    assert [len(lanes) for lanes in deal(3, 1, 5)] == [3]
    assert sorted(p for lanes in deal(24, 5, 5) for m in lanes for p in m.tolist()) == list(range(24))


def test_a_lanes_stream_sums_its_partitions_curves_and_offsets() -> None:
    counts = np.arange(15).reshape(5, 3)
    cum = np.cumsum(counts, axis=1)
    merged, consumed = merged_stream(cum, np.array([0, 1, 2, 3, 4]), np.array([0, 2, 4]))
    assert merged.tolist() == (cum[0] + cum[2] + cum[4]).tolist()
    assert consumed == 0 + 2 + 4


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
