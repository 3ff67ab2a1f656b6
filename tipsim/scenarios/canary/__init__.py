"""Scenario ``canary`` (slides 9-11): a green network beside blue, and big-bang, blue/green
or a judged canary to move traffic onto it.

* :mod:`.params`: :class:`Params`, the web tier's and the judge's fields flattened;
* :mod:`.defects`: what each defect kind does to green, its default and its source;
* :mod:`.simulate`: :func:`simulate`, :func:`compare`, :func:`replicate`, :func:`run_cli`
  (the CLI contract: ``Params`` + ``run_cli``); :mod:`.results`: :class:`CanaryRun`;
* :mod:`.emulator`: build the green network, smoke-test it, read back the DNS the
  simulation needs, set the weighted records and follow the clients through their caches.
"""

from tipsim.scenarios.canary.defects import GreenSide, green_side, green_utilisation
from tipsim.scenarios.canary.emulator import (
    CANARY_TOGGLES,
    Check,
    SmokeReport,
    Weights,
    WeightShift,
    break_default_route,
    build_green_network,
    clients_following,
    green_pct,
    params_from_stack,
    read_weights,
    set_weights,
    smoke_test,
)
from tipsim.scenarios.canary.params import DEFECTS, STRATEGIES, Defect, Params, Strategy
from tipsim.scenarios.canary.simulate import (
    BASELINE,
    BLUE,
    GREEN,
    HEALTH_CHECK,
    CanaryRun,
    compare,
    removal_time,
    replicate,
    run_cli,
    simulate,
)
from tipsim.scenarios.infrastructure import open_stack

__all__ = [
    "BASELINE", "BLUE", "CANARY_TOGGLES", "DEFECTS", "GREEN", "HEALTH_CHECK", "STRATEGIES", "CanaryRun", "Check", "Defect",
    "GreenSide", "Params", "SmokeReport", "Strategy", "WeightShift", "Weights", "break_default_route",
    "build_green_network", "clients_following", "compare", "green_pct", "green_side", "green_utilisation", "open_stack",
    "params_from_stack", "read_weights", "removal_time", "replicate", "run_cli", "set_weights", "simulate",
    "smoke_test",
]
