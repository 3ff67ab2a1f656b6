"""Scenario ``staging-vs-production`` (slides 4-6 and 15): the talk's question, with numbers.

*How do we change infrastructure without impacting applications, while not spending extra
money on staging?* A month of changes, some defective, is shipped six ways: through a
``staging`` copy of production (what it misses goes out big-bang), ``big-bang``,
``feature-toggle``, ``canary``, ``blue-green``, and ``staging+canary``. What a defect does
to users comes from running the kit's own scenario simulations with it; what staging
catches from soaking it in a smaller, quieter copy; the money from the dated price table.

* :mod:`.params`: :class:`Params` (with the groups ``defect_mix`` and ``staging_fidelity``);
* :mod:`.runs`: the simulations (canary and feature-toggle scenarios), cached in-process;
* :mod:`.outcome`: what one change cost, measured in its run and past its end;
* :mod:`.month`: the months drawn (Monte Carlo) and the per-approach figures;
* :mod:`.simulate`: :func:`run` and :func:`run_cli` (the CLI contract).
"""

from tipsim.scenarios.staging_vs_production.month import METRICS, staging_cost_usd_per_month
from tipsim.scenarios.staging_vs_production.params import (
    APPROACHES,
    KIND_KEYS,
    KINDS,
    DefectMix,
    Fidelity,
    Params,
)
from tipsim.scenarios.staging_vs_production.runs import cache_size
from tipsim.scenarios.staging_vs_production.simulate import Result, run, run_cli

__all__ = ["APPROACHES", "KIND_KEYS", "KINDS", "METRICS", "DefectMix", "Fidelity", "Params", "Result",
           "cache_size", "run", "run_cli", "staging_cost_usd_per_month"]
