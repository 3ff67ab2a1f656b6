"""The feature toggle in the emulator: today's production, and what flipping it would do.

The talk's stack declares the old instance ``example`` and, behind the toggle
``enable_new_ami``, a second one ``example_bionic`` with the new image. Changing the image
of a running instance forces its replacement (``ami`` is a force-new attribute of
Terraform's ``aws_instance``), while the toggle creates an instance beside it. The plan
says which: the first is the simulation's ``in-place`` strategy, the second its
``toggle``.

Example
-------
>>> stack = open_stack("talk")                     # doctest: +SKIP
>>> build_production(stack).ok                     # doctest: +SKIP
True
>>> image_change(plan_new_image(stack)).replaced   # doctest: +SKIP
['aws_instance.example']
"""

from __future__ import annotations

from dataclasses import dataclass

from tipsim.scenarios.infrastructure import ApplyResult, Plan, Stack

TOGGLE = "enable_new_ami"
"""The talk's toggle for the new machine image."""
TOGGLE_FILE = "feature_toggle.tf"
"""The talk stack's file with slide 8's resources (``example`` and ``example_bionic``), the
one notebook 01 lets a learner edit."""


@dataclass(frozen=True)
class ImageChange:
    """What a plan does to the stack's instances: address -> action."""

    actions: dict[str, str]

    @property
    def replaced(self) -> list[str]:
        """Instances destroyed and created again (the in-place strategy)."""
        return sorted(a for a, act in self.actions.items() if act == "replace")

    @property
    def created(self) -> list[str]:
        """Instances added beside the running ones (the toggle strategy)."""
        return sorted(a for a, act in self.actions.items() if act == "create")


def build_production(stack: Stack) -> ApplyResult:
    """Make the emulator hold today's production: every toggle off."""
    return stack.apply({})


def plan_new_image(stack: Stack, on: bool = True) -> Plan:
    """The plan of setting ``enable_new_ami`` (nothing is applied)."""
    return stack.plan({TOGGLE: on})


def image_change(plan: Plan) -> ImageChange:
    """What ``plan`` does to each ``aws_instance`` it touches."""
    return ImageChange({c.address: str(c.action) for c in plan.changes
                        if c.type == "aws_instance" and c.action != "no-op"})
