"""Where a poller's concurrent invocations matter: fewer pollers than partitions, bursts, and
the minutes of a scale-up.

A Kafka event poller drives up to 5 invocations at once, at most one per partition, within
5 MB/s (AWS Lambda Developer Guide, "Apache Kafka event poller scaling modes in Lambda",
https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html). :func:`poller_study`
runs the FaaS arm alone on the same records with each setting of ``invocations_per_poller``
(1: one batch at a time) in three situations where the difference shows:

* **fewer pollers than partitions**: the mapping may use one poller (``max_pollers = 1``) for
  24 partitions; one batch at a time it cannot keep up with 3,000 records/s, five at once it
  can;
* **bursts**: on/off load, four times the mean for a quarter of each period; pollers are
  sized for the mean, and the scaler reacts a minute plus three minutes later, after the
  burst: only the poller's own concurrency absorbs it;
* **scale-up from one poller**: Lambda starts a new mapping with one poller; until the scaler
  adds more (a minute plus three), that poller carries the load alone.

Example
-------
>>> study = poller_study(Params(duration_s=300), seed=1)      # doctest: +SKIP
>>> study.table()[0]["case"]                                   # doctest: +SKIP
'fewer pollers than partitions'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tipsim.scenarios.data_lake_ab.params import Params
from tipsim.sim.data_lake.faas import FaasSettings, simulate_faas
from tipsim.sim.data_lake.kafka import produce
from tipsim.sim.data_lake.lake import arm_metrics
from tipsim.sim.rng import streams

CASES: dict[str, dict[str, Any]] = {
    "fewer pollers than partitions": {"rate_per_s": 3000.0, "max_pollers": 1},
    "bursts": {"rate_per_s": 1000.0, "pattern": "on_off", "burst_factor": 4.0},
    "scale-up from one poller": {"rate_per_s": 3000.0, "initial_pollers": 1},
}
"""The situations of the study: changes to the scenario's parameters."""
COLUMNS = ("case", "invocations_per_poller", "throughput_per_s", "latency_p95_s",
           "max_lag_records", "records_not_landed", "pollers_max", "invocations_in_flight_max")


@dataclass
class PollerStudy:
    """One row per (case, invocations per poller), and the lag over time of each run."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    lags: dict[str, dict[int, tuple[np.ndarray, np.ndarray]]] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """The rows with the study's columns only (for a table)."""
        return [{k: r[k] for k in COLUMNS} for r in self.rows]

    def row(self, case: str, invocations_per_poller: int) -> dict[str, Any]:
        """The row of one case and setting."""
        for r in self.rows:
            if r["case"] == case and r["invocations_per_poller"] == invocations_per_poller:
                return r
        raise KeyError((case, invocations_per_poller))


def poller_study(params: Params, *, seed: int, invocations: Sequence[int] = (1, 5),
                 cases: Mapping[str, Mapping[str, Any]] = CASES) -> PollerStudy:
    """Run the FaaS arm on each case's load once per ``invocations`` setting.

    Within a case every setting reads the same records (stream ``"arrivals"``) and draws the
    same noise (stream ``"arm_a"``), so the difference is the poller's concurrency.
    """
    out = PollerStudy()
    cpu_s = params.cpu_ms_per_record / 1000.0
    for case, changes in cases.items():
        p = params.replace(**changes)
        load = produce(p.topic(), streams(seed, ["arrivals"])["arrivals"])
        out.lags[case] = {}
        for k in invocations:
            settings = FaasSettings.create({**p.faas_settings().model_dump(),
                                            "invocations_per_poller": k})
            run = simulate_faas(load, settings, cpu_s, streams(seed, ["arm_a"])["arm_a"])
            row: dict[str, Any] = {"case": case, "invocations_per_poller": k}
            row.update(arm_metrics(run, load, p.slo_s))
            row.update(run.extra)
            out.rows.append(row)
            out.lags[case][k] = run.lag_series(load)
    return out
