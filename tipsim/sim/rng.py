"""Random streams: one ``SeedSequence`` per run, one named stream per source of randomness.

Two strategies run on the same seed draw their arrivals from the same ``"arrivals"``
stream, whatever else they draw: common random numbers, so that a difference in
results comes from the strategy, not from luck.

Example
-------
>>> s1 = streams(7, ["arrivals", "service"])
>>> s2 = streams(7, ["arrivals", "defect", "service"])
>>> float(s1["arrivals"].random()) == float(s2["arrivals"].random())
True
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np


def stream_key(name: str) -> int:
    """A stable integer for a stream name (independent of the order streams are asked for)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, name: str, replication: int = 0) -> np.random.Generator:
    """The generator for source ``name`` in replication ``replication`` of run ``seed``."""
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=(int(replication), stream_key(name)))
    return np.random.default_rng(ss)


def streams(seed: int, names: Iterable[str], replication: int = 0) -> dict[str, np.random.Generator]:
    """One independent generator per name, reproducible from ``seed`` and ``replication``."""
    return {name: stream(seed, name, replication) for name in names}
