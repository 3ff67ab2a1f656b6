"""What a data-lake back end did with the topic, and the per-record numbers derived from it.

A back end (FaaS consumers or a Spark cluster) reads records from the Kafka topic in
batches, in offset order within a stream, and each batch lands in the lake at one moment.
So a run is fully described by, per consumer stream, the cumulative produce curve ``M``
(records produced up to the end of each slice), the offsets at which batches end ``E`` and
the times they landed ``L``. The record at offset ``k`` was produced in the slice where
``M`` first reaches ``k`` and landed with the first batch whose end offset reaches ``k``.
:func:`latency_segments` turns that into weighted latencies without ever making one value
per record: at most one value per slice boundary or batch boundary.

Like water through locks: we note when each lock gate opens and how full the basin was,
never the path of each drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tipsim.params import Params, param
from tipsim.sim.data_lake.kafka import TopicLoad


class ArmNoise(Params):
    """The noise every back end's batch time carries, declared once for both back ends (each
    back end's settings and the A/B scenario take the field from here)."""

    duration_cv: float = param(0.1, ge=0, le=2, step=0.05,
                               description="lognormal jitter of batch time (sigma)")


@dataclass
class StreamBatches:
    """Batches one consumer took from one merged stream of partitions.

    Attributes
    ----------
    cum_produced
        ``M``: cumulative records of the stream at the end of each slice (int64, length S).
    start_offset
        Offset already consumed when this consumer took over the stream.
    end_offsets
        Cumulative offset after each batch (strictly increasing).
    lake_time_s
        When each batch landed in the lake.
    """

    cum_produced: np.ndarray
    start_offset: int
    end_offsets: list[int] = field(default_factory=list)
    lake_time_s: list[float] = field(default_factory=list)


def latency_segments(stream: StreamBatches, slice_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Latencies (produced -> in the lake) of every record a stream's batches carried.

    Returns
    -------
    latency_s, weight
        Each latency value holds for ``weight`` records; weights sum to the records carried.

    Example
    -------
    >>> s = StreamBatches(np.array([2, 2, 5]), 0, [2, 5], [1.0, 2.0])
    >>> lat, w = latency_segments(s, 0.5)
    >>> lat.tolist(), w.tolist()   # slice 0 midpoint 0.25 s, slice 2 midpoint 1.25 s
    ([0.75, 0.75], [2, 3])
    """
    latency_s, weight, _ = timed_latency_segments(stream, slice_s)
    return latency_s, weight


def timed_latency_segments(stream: StreamBatches, slice_s: float
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`latency_segments` plus when each segment's records were produced (the
    midpoint of their slice), for SLIs counted by production time."""
    if not stream.end_offsets:
        return np.empty(0), np.empty(0, dtype=np.int64), np.empty(0)
    m = stream.cum_produced
    ends = np.asarray(stream.end_offsets, dtype=np.int64)
    lake = np.asarray(stream.lake_time_s, dtype=np.float64)
    c0, c1 = stream.start_offset, int(ends[-1])
    inner = m[(m > c0) & (m < c1)]
    bounds = np.union1d(inner, ends)  # segment right ends, offsets (start, bound]
    starts = np.concatenate(([c0], bounds[:-1]))
    weight = bounds - starts
    first = starts + 1
    produce_slice = np.searchsorted(m, first, side="left")
    batch = np.searchsorted(ends, first, side="left")
    produced_s = (produce_slice + 0.5) * slice_s
    return lake[batch] - produced_s, weight, produced_s


def censored_segments(load: TopicLoad, missing: int, horizon_s: float
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds for records still not in the lake at ``horizon_s``: taken as the last
    ``missing`` records produced, each at least ``horizon_s - produce time`` late."""
    if missing <= 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    cum = np.cumsum(load.total_per_slice)
    first_missing = int(cum[-1]) - missing
    s0 = int(np.searchsorted(cum, first_missing + 1, side="left"))
    slices = np.arange(s0, load.slices)
    w = load.total_per_slice[s0:].copy()
    w[0] = int(cum[s0]) - first_missing
    return horizon_s - load.produce_time_s(slices), w


def weighted_quantile(values: np.ndarray, weight: np.ndarray, q: float | np.ndarray) -> np.ndarray:
    """Quantile of a weighted sample (inverted CDF: the smallest value whose cumulative
    weight reaches ``q`` of the total), so it equals ``numpy.quantile(..., method='inverted_cdf')``
    on the expanded sample."""
    order = np.argsort(values, kind="stable")
    v = np.asarray(values)[order]
    cw = np.cumsum(np.asarray(weight, dtype=np.float64)[order])
    if cw.size == 0 or cw[-1] <= 0:
        return np.full(np.shape(q), np.nan)
    target = np.asarray(q, dtype=np.float64) * cw[-1]
    idx = np.searchsorted(cw, target, side="left")
    return v[np.clip(idx, 0, v.size - 1)]


@dataclass
class ArmRun:
    """Everything one back end did in one replication; metrics are derived from it.

    Attributes
    ----------
    backend
        ``"faas"`` or ``"spark"``.
    window_s
        Production time (cost and throughput are measured over it).
    latency_s, latency_weight
        Weighted latencies of records that landed.
    batch_lake_time_s, batch_records
        Every batch that landed: when and how many records (for lag).
    records_produced
        Records the producers wrote in the window.
    fingerprint
        Hash of the input counts (same for both arms of an A/B run).
    usage
        Billing quantities: FaaS ``invocations``, ``billed_s``, ``gb_seconds``, ``memory_mb``;
        Spark ``instance_hours``, ``nodes_max``. Counted over the window.
    timeline
        ``(time_s, consumers)`` steps: pollers or Spark core nodes over time.
    """

    backend: str
    window_s: float
    latency_s: np.ndarray
    latency_weight: np.ndarray
    batch_lake_time_s: np.ndarray
    batch_records: np.ndarray
    records_produced: int
    fingerprint: str
    usage: dict[str, float]
    timeline: tuple[np.ndarray, np.ndarray]
    extra: dict[str, float] = field(default_factory=dict)
    censored_latency_s: np.ndarray = field(default_factory=lambda: np.empty(0))
    censored_weight: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    latency_produced_s: np.ndarray = field(default_factory=lambda: np.empty(0))
    horizon_s: float = float("nan")

    @property
    def records_landed(self) -> int:
        return int(self.latency_weight.sum())

    def latency_quantiles_s(self, q: list[float]) -> np.ndarray:
        """Latency percentiles; records not landed by the end count with their lower bound
        (``censored_*``), so a back end that falls behind shows at least how late it is."""
        lat = np.concatenate((self.latency_s, self.censored_latency_s))
        w = np.concatenate((self.latency_weight, self.censored_weight))
        return weighted_quantile(lat, w, np.asarray(q))

    def slo_share(self, objective_s: float) -> float:
        """Share of produced records that reached the lake within ``objective_s``."""
        if self.records_produced == 0:
            return float("nan")
        within = self.latency_weight[self.latency_s <= objective_s].sum()
        return float(within / self.records_produced)

    def freshness_per_window(self, objective_s: float, window_s: float = 60.0
                             ) -> tuple[np.ndarray, np.ndarray]:
        """Records per window of production time that reached the lake within
        ``objective_s`` (good) and that did not (bad), over the production window.

        A record still missing at the end counts as bad once even its lower bound is late
        (``horizon_s - produced > objective_s``); one produced too recently to tell is not
        counted.
        """
        n = max(1, int(np.ceil(self.window_s / window_s)))
        produced = np.concatenate((self.latency_produced_s,
                                   self.horizon_s - self.censored_latency_s))
        latency = np.concatenate((self.latency_s, self.censored_latency_s))
        weight = np.concatenate((self.latency_weight, self.censored_weight)).astype(float)
        landed = np.arange(latency.size) < self.latency_s.size
        late = latency > objective_s
        known = landed | late
        idx = np.clip((produced // window_s).astype(np.int64), 0, n - 1)
        good = np.bincount(idx[known & ~late], weights=weight[known & ~late], minlength=n)
        bad = np.bincount(idx[late], weights=weight[late], minlength=n)
        return good[:n], bad[:n]

    def lag_series(self, load: TopicLoad) -> tuple[np.ndarray, np.ndarray]:
        """Consumer lag (records produced and readable but not yet in the lake) at each slice end."""
        t = (np.arange(load.slices) + 1) * load.slice_s
        produced = np.cumsum(load.total_per_slice)
        order = np.argsort(self.batch_lake_time_s, kind="stable")
        landed_cum = np.concatenate(([0], np.cumsum(self.batch_records[order])))
        landed = landed_cum[np.searchsorted(self.batch_lake_time_s[order], t, side="right")]
        return t, produced - landed

    def max_lag_records(self, load: TopicLoad) -> int:
        return int(self.lag_series(load)[1].max(initial=0))


def arm_metrics(run: ArmRun, load: TopicLoad, slo_s: float) -> dict[str, float]:
    """Plain per-arm numbers (no cost: that needs prices, see :mod:`tipsim.analysis.cost`)."""
    p50, p95, p99, mean_probe = run.latency_quantiles_s([0.5, 0.95, 0.99, 1.0])
    landed_in_window = int(run.batch_records[run.batch_lake_time_s <= run.window_s].sum())
    mean = (float(np.average(run.latency_s, weights=run.latency_weight))
            if run.records_landed else float("nan"))
    return {
        "records": run.records_produced,
        "records_landed": run.records_landed,
        "records_landed_in_window": landed_in_window,
        "latency_mean_s": mean,
        "latency_p50_s": float(p50),
        "latency_p95_s": float(p95),
        "latency_p99_s": float(p99),
        "latency_max_s": float(mean_probe),
        "records_not_landed": int(run.censored_weight.sum()),
        "throughput_per_s": landed_in_window / run.window_s,
        "max_lag_records": run.max_lag_records(load),
        "slo_share": run.slo_share(slo_s),
    }
