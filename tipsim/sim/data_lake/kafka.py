"""The shared Kafka front: a topic with partitions and producers, as counts per time slice.

Think of a post office sorting room: letters (records) drop into ``partitions`` pigeon-holes,
and every ``slice_s`` seconds the clerk notes how many arrived in each hole. The data-lake
model never follows a single letter; it follows these counts and the offsets consumers have
reached, which is what makes an hour at tens of thousands of records per second run in
seconds.

Records produced during slice ``s`` (the interval ``(s*slice_s, (s+1)*slice_s]``) are
readable by consumers at the slice's end, as if the producer batched them for up to
``slice_s`` (Kafka's ``linger.ms``). Their produce time is taken as the slice midpoint, so
the time quantisation adds no bias to mean latency.

Example
-------
>>> import numpy as np
>>> load = produce(TopicSettings(rate_per_s=100.0, partitions=4, duration_s=60.0),
...                np.random.default_rng(1))
>>> load.counts.shape
(4, 1200)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from tipsim.params import Params, param


class TopicSettings(Params):
    """Producers and topic of the Kafka front (both arms read the same topic)."""

    rate_per_s: float = param(2000.0, gt=0, le=200_000, unit="records/s", slider=(100, 50_000),
                              log=True, step=0.05, description="mean records produced per second")
    pattern: Literal["steady", "on_off", "daily"] = param(
        "steady", description="load shape: steady Poisson, on/off bursts, or a sine-wave day")
    burst_factor: float = param(
        1.0, ge=1, le=20, slider=(1, 10), step=0.5,
        description="peak rate / mean rate (on_off: on for 1/burst_factor of each period; "
                    "daily: amplitude min(burst_factor-1, 1))")
    burst_period_s: float = param(300.0, gt=0, le=86_400, unit="s", slider=(10, 3600), step=10,
                                  description="period of the load pattern")
    partitions: int = param(24, ge=1, le=1000, slider=(1, 96), description="partitions of the topic")
    record_bytes: int = param(1000, ge=1, le=1_000_000, unit="bytes", label="record size (bytes)",
                              description="size of one record")
    # At least one minute: Lambda's on-demand scaler evaluates the offset lag once a minute and
    # EMR bills a one-minute minimum per instance; a shorter run measures only those edges.
    duration_s: float = param(600.0, ge=60, le=86_400, unit="s", slider=(60, 3600), step=60,
                              description="simulated production time")
    slice_s: float = param(0.05, ge=0.001, le=1.0, unit="s",
                           description="time slice of the count model (acts like producer linger)")


@dataclass(frozen=True)
class TopicLoad:
    """What producers wrote: ``counts[p, s]`` records on partition ``p`` in slice ``s``.

    Attributes
    ----------
    counts
        int64 array (partitions, slices).
    slice_s
        Width of a slice in seconds.
    record_bytes
        Size of one record.
    """

    counts: np.ndarray
    slice_s: float
    record_bytes: int

    @property
    def partitions(self) -> int:
        return int(self.counts.shape[0])

    @property
    def slices(self) -> int:
        return int(self.counts.shape[1])

    @property
    def duration_s(self) -> float:
        return self.slices * self.slice_s

    @property
    def total_per_slice(self) -> np.ndarray:
        """Records per slice over all partitions."""
        return self.counts.sum(axis=0)

    @property
    def records(self) -> int:
        return int(self.counts.sum())

    def produce_time_s(self, slice_index: np.ndarray) -> np.ndarray:
        """Representative produce time (slice midpoint) of records of the given slices."""
        return (np.asarray(slice_index, dtype=np.float64) + 0.5) * self.slice_s

    def fingerprint(self) -> str:
        """A short hash of the counts: two arms with equal fingerprints read identical input."""
        import hashlib

        return hashlib.sha256(np.ascontiguousarray(self.counts).tobytes()).hexdigest()[:16]


def rate_profile_per_s(settings: TopicSettings, time_s: np.ndarray) -> np.ndarray:
    """Mean production rate at each time, whose average over whole periods is ``rate_per_s``.

    ``on_off``: the rate is ``rate_per_s * burst_factor`` for the first ``1/burst_factor`` of
    each period, else zero. ``daily``: ``rate_per_s * (1 + a sin(2 pi t / period))`` with
    ``a = min(burst_factor - 1, 1)``.
    """
    t = np.asarray(time_s, dtype=np.float64)
    mean = settings.rate_per_s
    if settings.pattern == "steady" or settings.burst_factor == 1.0:
        return np.full_like(t, mean)
    phase = np.mod(t, settings.burst_period_s) / settings.burst_period_s
    if settings.pattern == "on_off":
        return np.where(phase < 1.0 / settings.burst_factor, mean * settings.burst_factor, 0.0)
    amplitude = min(settings.burst_factor - 1.0, 1.0)
    return mean * (1.0 + amplitude * np.sin(2.0 * np.pi * phase))


def produce(settings: TopicSettings, rng: np.random.Generator) -> TopicLoad:
    """Draw the records each partition receives per slice (Poisson counts, keys spread evenly).

    Parameters
    ----------
    settings
        Topic and producers.
    rng
        The ``"arrivals"`` stream: both arms of an A/B test get the same load from it.
    """
    n_slices = int(round(settings.duration_s / settings.slice_s))
    # The rate is integrated over each slice (midpoint rule) so on/off edges land correctly.
    mid_s = (np.arange(n_slices) + 0.5) * settings.slice_s
    mean_per_slice = rate_profile_per_s(settings, mid_s) * settings.slice_s / settings.partitions
    counts = rng.poisson(np.broadcast_to(mean_per_slice, (settings.partitions, n_slices)))
    return TopicLoad(counts=counts.astype(np.int64), slice_s=settings.slice_s,
                     record_bytes=settings.record_bytes)
