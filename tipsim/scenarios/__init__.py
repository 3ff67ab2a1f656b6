"""One module per talk scenario: parameters -> run -> results.

Each scenario module named in :data:`SCENARIOS` provides

* ``Params``: a :class:`tipsim.params.Params` subclass (validated, with ranges);
* ``run_cli(params, *, seed: int, replications: int | None = None) -> dict``: runs the
  scenario and returns a JSON-ready dict (the ``tipsim run NAME --json`` output).

The CLI and the widgets find scenarios here by name, importing a module only when
it is used.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from tipsim.errors import ParameterError

SCENARIOS: dict[str, str] = {
    "queue": "tipsim.scenarios.queueing",
    "feature-toggle": "tipsim.scenarios.feature_toggle",
    "canary": "tipsim.scenarios.canary",
    "node-groups": "tipsim.scenarios.node_groups",
    "data-lake-ab": "tipsim.scenarios.data_lake_ab",
    "burn-rate": "tipsim.scenarios.burn_rate",
    "staging-vs-production": "tipsim.scenarios.staging_vs_production",
}


def load(name: str) -> ModuleType:
    """The scenario module registered as ``name``."""
    if name not in SCENARIOS:
        raise ParameterError("scenario", name, "one of " + ", ".join(sorted(SCENARIOS)))
    return importlib.import_module(SCENARIOS[name])
