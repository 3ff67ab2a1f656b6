"""The feature-toggle scenario's emulator steps: today's production, and the plan of flipping
``enable_new_ami`` (an image change replaces; the toggle adds beside)."""

from __future__ import annotations

import pytest

from tipsim.scenarios import feature_toggle as ft

pytestmark = pytest.mark.infra


def test_flipping_the_toggle_replaces_example_and_creates_example_bionic(emulator) -> None:
    """Terraform's ``ami`` forces a new ``aws_instance``: the running ``example`` is
    replaced, while the toggle's ``example_bionic`` is created beside it."""
    stack = ft.open_stack("talk", emulator.session)
    try:
        assert ft.build_production(stack).ok
        assert ft.image_change(ft.plan_new_image(stack, on=False)).actions == {}
        change = ft.image_change(ft.plan_new_image(stack))
        assert change.replaced == ["aws_instance.example"]
        assert change.created == ["aws_instance.example_bionic[0]"]
    finally:
        stack.destroy()
