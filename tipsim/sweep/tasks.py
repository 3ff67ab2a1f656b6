"""What a Dask worker runs: a few replications of one configuration of one scenario.

Workers import this module by name, so every machine of a cluster needs the kit installed
(``pip install -e .`` of the same checkout). The task calls the scenario's CLI contract,
``run_cli(params, seed=run_seed)``, once per replication: a row holds exactly what
``tipsim run NAME --set ... --seed RUN_SEED --json`` prints. Scenarios whose parameters
include their own ``replications`` (queue, data-lake-ab) still average over those inside
each row.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from tipsim import scenarios
from tipsim.params import Params
from tipsim.sweep.flatten import flatten


def run_replications(scenario: str, params: Params,
                     runs: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """Run ``(replication, run_seed)`` pairs; return their flat metrics and compute time."""
    module = scenarios.load(scenario)
    t0 = time.perf_counter()
    rows = {replication: flatten(module.run_cli(params, seed=seed)) for replication, seed in runs}
    return {"rows": rows, "compute_s": time.perf_counter() - t0}
