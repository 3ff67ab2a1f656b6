"""The scenarios' door to the emulator: open one of the kit's stacks, plan, apply, read back.

Every scenario builds its part of the talk's infrastructure in the AWS emulator, reads back
what was built and sizes its simulation from that. The stacks themselves live in
:mod:`tipsim.infra`; panels and notebooks reach them only through this module and the
scenario packages (the layer rule in ``pyproject.toml``), so the types they hold are
re-exported here.

Example
-------
>>> stack = open_stack("talk")                       # doctest: +SKIP
>>> plan = stack.plan({"enable_new_ami": True})      # doctest: +SKIP
>>> plan.summary()["replace"]                        # doctest: +SKIP
1
"""

from __future__ import annotations

from typing import Any

from pydantic import create_model

from tipsim.infra.engine import ApplyResult, Stack
from tipsim.infra.plan import Change, Plan
from tipsim.infra.plan_text import render_plan
from tipsim.infra.stacks import node_group_specs
from tipsim.params import Params, param

__all__ = ["ApplyResult", "Change", "Plan", "Stack", "node_group_specs", "open_stack",
           "plan_text", "toggle_params"]


def open_stack(name: str = "talk", session: Any = None) -> Stack:
    """One of the kit's stacks (``talk``, ``eks``, ``datalake``) bound to the emulator
    (``session``; default: the one :func:`tipsim.emulator.connect` finds, made on first use)."""
    return Stack(name, session)


def toggle_params(stack: Stack) -> type[Params]:
    """The stack's toggles as a :class:`~tipsim.params.Params` model (every toggle a
    ``bool``, off by default, labelled with its own name), so a panel builds its
    checkboxes from fields like every other control."""
    fields: dict[str, Any] = {name: (bool, param(False, label=name, description=f"toggle {name}"))
                              for name in stack.spec.toggles}
    model: type[Params] = create_model("StackToggles", __base__=Params,
                                       **fields)
    return model


def plan_text(plan: Plan) -> str:
    """The plan as ``terraform plan`` prints it (``# aws_instance.example must be
    replaced``, the ``+``/``-``/``~``/``-/+`` markers, ``# forces replacement``, and
    ``Plan: N to add, M to change, K to destroy.``)."""
    return render_plan(plan)
