"""Scenario 4 (slides 13-14): A/B test a data lake, Kafka + FaaS against Kafka + Spark.

The same Kafka front feeds two back ends. The talk's questions: "Does X batch-process more
quickly than Y? Does X cost more than Y?", judged against an upstream service level
objective. Both arms do the same work per record (``cpu_ms_per_record`` on one vCPU), so
which arm wins follows from prices, batching and utilisation.

Each replication draws one load (stream ``"arrivals"``) that both arms read (common random
numbers); each arm has its own stream for its noise (``"arm_a"``, ``"arm_b"``), so an A/A
test (same back end and settings on both sides) differs only by that noise.

``tipsim run data-lake-ab --set rate_per_s=5000 --set arm_a=faas --set arm_b=spark
--replications 5 --json``
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tipsim.analysis import ab_stats
from tipsim.analysis.burn_rate import evaluate, first_page_s
from tipsim.analysis.cost import (
    PriceTable,
    faas_cost_usd,
    front_cost_usd_per_hour,
    load_prices,
    spark_cost_usd,
)
from tipsim.errors import ParameterError
from tipsim.plain_json import plain_json
from tipsim.scenarios.data_lake_ab.params import Arm, Params
from tipsim.sim.data_lake.faas import FaasSettings, simulate_faas
from tipsim.sim.data_lake.kafka import TopicLoad, produce
from tipsim.sim.data_lake.lake import ArmRun, arm_metrics
from tipsim.sim.data_lake.spark import SparkSettings, simulate_spark
from tipsim.sim.rng import streams

ARMS: tuple[Arm, Arm] = ("a", "b")
PRICE_ITEMS = ("lambda_request", "lambda_gb_second_x86", "ec2_m5.xlarge", "emr_m5.xlarge")
"""The prices a learner is most likely to change (the panel shows them)."""


def price_table(overrides: Mapping[str, float] | None = None) -> PriceTable:
    """The dated price table (``data/prices_aws_us-east-1.csv``), with ``overrides``
    (item -> USD) applied and marked unconfirmed."""
    return load_prices(overrides=overrides)


def priced(params: Params, prices: PriceTable | Mapping[str, float] | None = None) -> PriceTable:
    """The prices a run uses: ``prices`` (a table, or overrides of the dated table), then
    the price fields ``params`` sets (:meth:`Params.price_overrides`) over them."""
    own = params.price_overrides()
    if not isinstance(prices, PriceTable):
        return price_table({**(prices or {}), **own})
    if not own:
        return prices
    table = PriceTable(prices)
    fresh = price_table(own)
    table.update({item: fresh[item] for item in own})
    return table


def simulate_arm(load: TopicLoad, settings: FaasSettings | SparkSettings, cpu_s_per_record: float,
                 rng: np.random.Generator) -> ArmRun:
    """Run one back end over a load."""
    if isinstance(settings, FaasSettings):
        return simulate_faas(load, settings, cpu_s_per_record, rng)
    return simulate_spark(load, settings, cpu_s_per_record, rng)


def arm_cost(run: ArmRun, settings: FaasSettings | SparkSettings, prices: PriceTable) -> dict[str, float]:
    """Back-end cost over the production window, per hour and per million records landed."""
    if isinstance(settings, FaasSettings):
        parts = faas_cost_usd(run.usage["invocations"], run.usage["gb_seconds"], prices)
    else:
        parts = spark_cost_usd(run.usage["instance_hours"], settings.instance_type, prices)
    landed = int(run.batch_records[run.batch_lake_time_s <= run.window_s].sum())
    total = parts["total_usd"]
    return {"cost_usd": total,
            "cost_usd_per_hour": total * 3600.0 / run.window_s,
            "cost_usd_per_million_records": total / landed * 1e6 if landed else float("nan")}


@dataclass
class ABResult:
    """Per-replication rows of both arms, their summaries, verdicts, and the last runs."""

    params: Params
    rows: dict[str, list[dict[str, float]]]
    fingerprints: dict[str, list[str]]
    front: dict[str, float]
    last_load: TopicLoad | None = None
    last_runs: dict[str, ArmRun] = field(default_factory=dict)

    def values(self, arm: str, key: str) -> list[float]:
        """One metric of one arm, per replication."""
        return [float(r[key]) for r in self.rows[arm]]

    def latency_quantiles_s(self, arm: str, q: list[float]) -> list[float]:
        """Latency percentiles of ``arm`` in the last replication (records not landed by the
        end count with their lower bound)."""
        return [float(v) for v in self.last_runs[arm].latency_quantiles_s(q)]

    def lag_series(self, arm: str) -> tuple[np.ndarray, np.ndarray]:
        """``(time_s, records)``: consumer lag of ``arm`` in the last replication."""
        if self.last_load is None:
            raise ParameterError("replications", 0, "a finished run (no replication ran yet)")
        return self.last_runs[arm].lag_series(self.last_load)

    def summary(self, arm: str) -> dict[str, Any]:
        """Mean over replications of every metric, plus intervals for the headline ones."""
        keys = self.rows[arm][0].keys()
        out: dict[str, Any] = {k: float(np.mean(self.values(arm, k))) for k in keys}
        for key in ("latency_p95_s", "cost_usd_per_hour", "cost_usd_per_million_records"):
            _, lo, hi = ab_stats.mean_interval(self.values(arm, key), self.params.confidence)
            out[key + "_ci"] = [lo, hi]
        return out

    def comparisons(self) -> dict[str, dict[str, float]]:
        c = self.params.confidence
        keys = ("latency_p50_s", "latency_p95_s", "latency_p99_s", "cost_usd_per_hour",
                "cost_usd_per_million_records", "slo_share", "max_lag_records")
        return {k: ab_stats.paired_difference(self.values("a", k), self.values("b", k), c)
                for k in keys}

    def verdicts(self) -> dict[str, dict[str, object]]:
        p = self.params
        labels = (f"A ({p.arm_a})", f"B ({p.arm_b})")
        comp = self.comparisons()
        share = {arm: float(np.mean(self.values(arm, "slo_share"))) for arm in ARMS}
        misses = (share["a"] < p.freshness_target, share["b"] < p.freshness_target)
        objective = (f"{100 * p.freshness_target:.3g}% of records in the lake within "
                     f"{p.slo_s:g} s; A had {share['a']:.1%}, B {share['b']:.1%}")
        return {
            "faster": ab_stats.verdict("faster", "p95 latency", comp["latency_p95_s"], labels,
                                       "s", p.confidence, misses=misses, objective=objective),
            "cheaper": ab_stats.verdict("cheaper", "cost per hour", comp["cost_usd_per_hour"],
                                        labels, "USD", p.confidence, misses=misses,
                                        objective=objective),
        }

    def burn_rate_alerts(self, arm: str) -> list[dict[str, Any]]:
        """The SRE workbook's burn-rate alerts on ``arm``'s freshness SLO (records in the
        lake within ``slo_s``, target ``freshness_target``), in the last replication, by
        production minute; the history before the run counts as healthy (no late record)."""
        good, bad = self.last_runs[arm].freshness_per_window(self.params.slo_s)
        return [o.as_dict() for o in evaluate(good, bad, self.params.freshness_target)]

    def to_json(self) -> dict[str, Any]:
        p = self.params
        arms = {}
        for arm in ARMS:
            backend = p.backend(arm)
            s = self.summary(arm)
            s["backend"] = backend
            s["records"] = int(round(s["records"]))
            s["settings"] = p.arm_settings(arm).model_dump()
            if backend == "spark":
                s.pop("invocations", None)
                s.pop("gb_seconds", None)
            else:
                s.pop("instance_hours", None)
            s["burn_rate_alerts"] = self.burn_rate_alerts(arm)
            s["first_page_s"] = first_page_s(s["burn_rate_alerts"])
            arms[arm] = s
        rank = ab_stats.signed_rank_test(self.values("a", "latency_p95_s"),
                                         self.values("b", "latency_p95_s"))
        return {
            "scenario": "data-lake-ab",
            "duration_s": p.duration_s,
            "rate_per_s": p.rate_per_s,
            "replications": len(self.rows["a"]),
            "slo_s": p.slo_s,
            "a": arms["a"],
            "b": arms["b"],
            "front": self.front,
            "comparisons": self.comparisons(),
            "rank_test_latency_p95": rank,
            "same_input": ab_stats.same_input(self.fingerprints["a"], self.fingerprints["b"]),
            **{k: v for k, v in self.verdicts().items()},
        }


def run(params: Params, *, seed: int, replications: int | None = None,
        prices: PriceTable | Mapping[str, float] | None = None,
        progress: Callable[[int, int], None] | None = None) -> ABResult:
    """Run ``replications`` paired replications of both arms.

    Parameters
    ----------
    prices
        A :class:`PriceTable`, or overrides (item -> USD) applied to the default table;
        the price fields of ``params`` that are set apply over either.
    progress
        Called as ``progress(done, total)`` after each replication.
    """
    reps = params.replications if replications is None else replications
    if reps < 2:
        raise ParameterError("replications", reps, "a whole number >= 2 (paired statistics)")
    table = priced(params, prices)
    settings = {arm: params.arm_settings(arm) for arm in ARMS}
    topic = params.topic()
    cpu_s = params.cpu_ms_per_record / 1000.0
    rows: dict[str, list[dict[str, float]]] = {"a": [], "b": []}
    prints: dict[str, list[str]] = {"a": [], "b": []}
    result = ABResult(params, rows, prints, front={})
    for rep in range(reps):
        rng = streams(seed, ["arrivals", "arm_a", "arm_b"], replication=rep)
        load = produce(topic, rng["arrivals"])
        for arm in ARMS:
            out = simulate_arm(load, settings[arm], cpu_s, rng["arm_" + arm])
            row: dict[str, float] = arm_metrics(out, load, params.slo_s)
            row.update(arm_cost(out, settings[arm], table))
            row.update({k: v for k, v in out.usage.items()})
            row.update(out.extra)
            rows[arm].append(row)
            prints[arm].append(out.fingerprint)
            result.last_runs[arm] = out
        result.last_load = load
        if progress is not None:
            progress(rep + 1, reps)
    result.front = front_cost_usd_per_hour(params.brokers, params.rate_per_s, params.record_bytes,
                                           params.retention_hours, table)
    return result


def run_cli(params: Params, *, seed: int, replications: int | None = None) -> dict[str, Any]:
    """``tipsim run data-lake-ab``: the JSON summary (see :meth:`ABResult.to_json`)."""
    return plain_json(run(params, seed=seed, replications=replications).to_json())
