"""Scenario ``feature-toggle`` (slides 7-8): a new machine image in place, rolling, or
behind a toggle.

* :mod:`.params`: :class:`Params`, the web tier's fields flattened (``--set`` names);
* :mod:`.simulate`: :func:`run`, :func:`compare_strategies`, :func:`timeline`,
  :func:`run_cli` (the CLI contract: ``Params`` + ``run_cli``);
* :mod:`.emulator`: the talk's stack in the emulator: today's production, the plan of
  flipping ``enable_new_ami``, and what that plan does to each instance.
"""

from tipsim.scenarios.feature_toggle.emulator import (
    TOGGLE,
    TOGGLE_FILE,
    ImageChange,
    build_production,
    image_change,
    plan_new_image,
)
from tipsim.scenarios.feature_toggle.params import DEFECTS, Defect, Params
from tipsim.scenarios.feature_toggle.simulate import (
    IMAGE_NAMES,
    T2_MICRO_USD_PER_HOUR,
    Run,
    compare_strategies,
    run,
    run_cli,
    timeline,
)
from tipsim.scenarios.infrastructure import open_stack
from tipsim.sim.web.rollouts.feature_toggle import STRATEGIES, Strategy

__all__ = [
    "DEFECTS", "IMAGE_NAMES", "STRATEGIES", "T2_MICRO_USD_PER_HOUR", "TOGGLE", "TOGGLE_FILE",
    "Defect", "ImageChange", "Params", "Run", "Strategy", "build_production", "compare_strategies",
    "image_change", "open_stack", "plan_new_image", "run", "run_cli", "timeline",
]
