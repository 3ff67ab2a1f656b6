"""Notebook 01's editor: slide 8's resources as HCL, edited and re-planned in the panel."""

from __future__ import annotations

import html

import pytest

from tipsim.errors import ParameterError
from tipsim.scenarios.feature_toggle import TOGGLE_FILE, open_stack
from tipsim.widgets.infra_panel import InfraPanel

pytestmark = pytest.mark.infra

SLIDE_8 = "count = var.enable_new_ami ? 1 : 0"


def _actions(panel: InfraPanel) -> dict[str, str]:
    return {c.address: str(c.action) for c in panel.plan.changes
            if c.type == "aws_instance" and c.action != "no-op"}


@pytest.fixture
def panel(emulator):
    stack = open_stack("talk", emulator.session)
    stack.apply({})
    p = InfraPanel(stack=stack, initial={"enable_new_ami": True}, edit_file=TOGGLE_FILE)
    try:
        yield p
    finally:
        p.stack.destroy()


def test_the_editor_shows_slide_8_and_the_plan_prints_as_terraform_does(panel) -> None:
    assert panel.editor is not None and SLIDE_8 in panel.editor.text.value
    assert "# aws_instance.example must be replaced" in panel.text.value
    assert "Plan: 2 to add, 0 to change, 1 to destroy." in panel.text.value


def test_count_2_plans_two_instances_and_undo_plans_one_again(panel) -> None:
    editor = panel.editor
    editor.text.value = editor.text.value.replace(SLIDE_8, SLIDE_8.replace("? 1", "? 2"))
    editor.plan_edit()
    assert editor.message.value == ""
    assert _actions(panel) == {"aws_instance.example": "replace",
                               "aws_instance.example_bionic[0]": "create",
                               "aws_instance.example_bionic[1]": "create"}
    assert "Plan: 3 to add, 0 to change, 1 to destroy." in panel.text.value
    editor.undo()
    assert SLIDE_8 in editor.text.value
    assert _actions(panel) == {"aws_instance.example": "replace",
                               "aws_instance.example_bionic[0]": "create"}


def test_a_changed_instance_type_shows_in_the_plan(panel) -> None:
    """The kit's ``aws_instance`` replaces on a new type (Terraform would stop and resize in
    place): the edited ``example`` is replaced even with the toggle off."""
    panel.checkboxes["enable_new_ami"].value = False
    assert _actions(panel) == {}
    editor = panel.editor
    first = editor.text.value.index('instance_type          = "t2.micro"')
    editor.text.value = (editor.text.value[:first] + 'instance_type          = "t3.small"'
                         + editor.text.value[first + len('instance_type          = "t2.micro"'):])
    editor.plan_edit()
    assert _actions(panel) == {"aws_instance.example": "replace"}
    assert html.escape('instance_type = "t2.micro" -> "t3.small" # forces replacement') \
        in panel.text.value


def test_a_syntax_error_is_one_line_naming_file_and_line_and_changes_nothing(panel) -> None:
    editor = panel.editor
    before = panel.plan
    lines = editor.text.value.splitlines()
    at = next(i for i, line in enumerate(lines) if SLIDE_8 in line)
    lines[at] = "  count = var.enable_new_ami ? 1 :"
    editor.text.value = "\n".join(lines) + "\n"
    assert editor.plan_edit() is None
    shown = editor.message.value
    assert f"{TOGGLE_FILE}:" in shown and "Traceback" not in shown and "<br" not in shown
    assert panel.plan is before
    for bad, what in (("  count = length([for s in [1] : s])", "`for` expression"),
                      ("  count = sha256(1)", "unknown function")):
        lines[at] = bad
        editor.text.value = "\n".join(lines) + "\n"
        editor.plan_edit()
        assert f"{TOGGLE_FILE}:{at + 1}: " in editor.message.value and what in editor.message.value
    assert panel.plan is before


def test_only_the_stacks_own_files_can_be_edited(emulator) -> None:
    stack = open_stack("talk", emulator.session)
    with pytest.raises(ParameterError, match="file"):
        stack.edited({"extra.tf": ""})
    with pytest.raises(ParameterError, match="file"):
        stack.source("nope.tf")
