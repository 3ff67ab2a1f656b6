"""Edit one of a stack's ``.tf`` files in a notebook and re-plan with the edit.

A text area holds the file (e.g. the talk's ``feature_toggle.tf``, slide 8); **Plan my
edit** reads the edited text with the rest of the stack's files and hands the new stack to
the panel that re-plans it (``count = var.enable_new_ami ? 2 : 0`` plans two instances, a
changed ``instance_type`` a replacement). A file the kit cannot read (a syntax error, a
``for`` expression, an unknown function) shows one line naming file and line
(``feature_toggle.tf:18: ...``), and the stack stays as it was. **Undo my edits** puts the
kit's text back.

Example
-------
>>> editor = HclEditor(stack, "feature_toggle.tf", on_change=print)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from tipsim.scenarios.infrastructure import Stack
from tipsim.widgets.common import MessageLine, guarded

MONOSPACE = ("<style>.tipsim-hcl-editor textarea {font-family: monospace; "
             "font-size: 12px; white-space: pre}</style>")


class HclEditor:
    """A text area on one ``.tf`` file of ``stack``, with plan and undo buttons.

    Parameters
    ----------
    stack
        The stack as the kit ships it; an edit makes a new stack of the same name (it owns
        the same resources, in the same emulator) from a copy of its files.
    file
        The file to edit (e.g. ``feature_toggle.tf``).
    on_change
        Called with the stack made of the edited text (on undo: of the kit's text); if it
        raises (the edit cannot be planned), the message line says why in one line and the
        editor keeps the stack it had.
    """

    def __init__(self, stack: Stack, file: str, on_change: Callable[[Stack], object]) -> None:
        self.current = stack
        self.file = file
        self.source = stack.source(file)
        self.on_change = on_change
        self.message = MessageLine()
        self.text = w.Textarea(value=self.source, rows=self.source.count("\n") + 2,
                               layout=w.Layout(width="100%"))
        self.text.add_class("tipsim-hcl-editor")
        self.plan_button = w.Button(description="Plan my edit", button_style="primary",
                                    icon="refresh")
        self.plan_button.add_class("tipsim-hcl-plan")
        self.undo_button = w.Button(description="Undo my edits", icon="undo")
        self.plan_edit = guarded(self.message)(self._plan_edit)
        self.undo = guarded(self.message)(self._undo)
        self.plan_button.on_click(lambda _b: self.plan_edit())
        self.undo_button.on_click(lambda _b: self.undo())
        self.widget = w.VBox([w.HTML(MONOSPACE + f"<b>{file}</b> (edit, then plan)"),
                              self.text, w.HBox([self.plan_button, self.undo_button]),
                              self.message])

    def _plan_edit(self) -> Stack:
        self.message.clear()
        edited = self.current.edited({self.file: self.text.value})  # raises file:line
        self.on_change(edited)  # raises if the edit cannot be planned; nothing changes then
        self.current = edited
        return edited

    def _undo(self) -> Stack:
        self.message.clear()
        self.text.value = self.source
        restored = self.current.edited({self.file: self.source})
        self.on_change(restored)
        self.current = restored
        return restored
