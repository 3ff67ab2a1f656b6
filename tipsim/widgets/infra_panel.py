"""A panel to plan and apply the talk's stack from a notebook.

Toggle checkboxes (the stack's toggles), the plan as ``terraform plan`` prints it and as a
table, the dependency graph with the plan's blast radius highlighted, "Apply to emulator"
and "Destroy" buttons, and a line saying which emulator the panel talks to and what is
simulated only. With ``edit_file`` one of the stack's ``.tf`` files can be edited and
re-planned (:mod:`tipsim.widgets.hcl_editor`); apply then applies the edited code.
Errors show as one line (``tipsim.widgets.common.guarded``), never a traceback.

Example
-------
>>> panel = InfraPanel()          # doctest: +SKIP
>>> panel                         # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from tipsim.scenarios.infrastructure import Plan, Stack, open_stack, plan_text, toggle_params
from tipsim.viz.infra_graph import infra_graph_figure, plan_table
from tipsim.viz.tables import learner_table
from tipsim.widgets.common import MessageLine, button, guarded
from tipsim.widgets.controls import controls
from tipsim.widgets.hcl_editor import HclEditor
from tipsim.widgets.live_figure import LiveFigure


class InfraPanel:
    """Plan/apply/destroy panel for one stack (default the talk's).

    Parameters
    ----------
    stack
        A :class:`~tipsim.scenarios.infrastructure.Stack`; default
        ``open_stack(stack_name, session)``.
    initial
        Starting toggle values, e.g. ``{"enable_new_ami": True}``.
    edit_file
        One of the stack's ``.tf`` files to show in an editor (e.g. ``feature_toggle.tf``);
        default none.
    """

    def __init__(self, stack_name: str = "talk", session: Any = None, *,
                 stack: Stack | None = None, initial: dict[str, bool] | None = None,
                 edit_file: str | None = None) -> None:
        self.stack = stack or open_stack(stack_name, session)
        self.message = MessageLine()
        self.checkboxes = controls(toggle_params(self.stack), self.stack.spec.toggles,
                                   initial or {})
        for box in self.checkboxes.values():
            box.layout.width = "auto"
        caps = self.stack.capabilities
        missing = caps.to_dict()["simulated_only"]
        where = f"Emulator: {caps.emulator}"
        if missing:
            where += " | simulated only: " + "; ".join(f"{k} ({v})" for k, v in missing.items())
        self.emulator_line = w.HTML(f'<div style="color:#555">{html.escape(where)}</div>')
        self.summary = w.HTML()
        self.text = w.HTML()
        self.text.add_class("tipsim-plan-text")
        self.table = w.HTML()
        self.apply_button = button("Apply to emulator", button_style="primary", icon="play")
        self.destroy_button = button("Destroy", button_style="danger", icon="trash")
        self.plan: Plan = self.stack.plan(self.toggles())
        self.figure = LiveFigure(infra_graph_figure(self.plan.graph, self.plan.blast_radius()))
        self._describe_plan(self.plan)
        self.message.watch(self.summary, self.table, self.figure)

        self.refresh = guarded(self.message)(self._refresh)
        self.apply = guarded(self.message)(self._apply)
        self.destroy = guarded(self.message)(self._destroy)
        for box in self.checkboxes.values():
            box.observe(lambda _change: self.refresh(), names="value")
        self.apply_button.on_click(lambda _b: self.apply())
        self.destroy_button.on_click(lambda _b: self.destroy())
        self.editor = (HclEditor(self.stack, edit_file, on_change=self._use_stack)
                       if edit_file else None)
        self.widget = w.VBox([
            self.emulator_line,
            *([self.editor.widget] if self.editor else []),
            w.HBox(list(self.checkboxes.values())),
            w.HBox([self.apply_button, self.destroy_button]),
            self.message, self.summary, self.text, self.table, self.figure])

    def toggles(self) -> dict[str, bool]:
        """The toggles as the checkboxes set them."""
        return {name: box.value for name, box in self.checkboxes.items()}

    def _show_plan(self, plan: Plan) -> None:
        self._describe_plan(plan)
        self.figure.show(infra_graph_figure(plan.graph, plan.blast_radius()))

    def _use_stack(self, stack: Stack) -> None:
        """Plan ``stack`` (the editor's edit) and, if it plans, make it the panel's."""
        plan = stack.plan(self.toggles())
        self.stack = stack
        self.message.clear()
        self._show_plan(plan)

    def _describe_plan(self, plan: Plan) -> None:
        """The plan's summary line, its ``terraform plan`` text and its table."""
        self.plan = plan
        s = plan.summary()
        self.summary.value = (f"<b>Plan</b>: {s['create']} to create, {s['update']} to update, "
                              f"{s['replace']} to replace, {s['delete']} to delete, "
                              f"{s['skip']} simulated only")
        self.text.value = ('<details open><summary>as <code>terraform plan</code> prints it'
                           '</summary><pre style="max-height:28em; overflow:auto; '
                           f'font-size:12px">{html.escape(plan_text(plan))}</pre></details>')
        table = plan_table(plan)
        self.table.value = (learner_table(table).to_html() if len(table)
                            else "<i>No changes: the emulator matches the stack.</i>")

    def _refresh(self) -> Plan:
        self.message.clear()
        plan = self.stack.plan(self.toggles())
        self._show_plan(plan)
        return plan

    def _apply(self) -> Any:
        result = self.stack.apply(self.toggles())
        self._refresh()
        self.message.note(f"applied {len(result.steps)} step(s) in {result.elapsed_s:.2f} s")
        return result

    def _destroy(self) -> Any:
        result = self.stack.destroy()
        self._refresh()
        self.message.note(f"destroyed {len(result.steps)} resource(s) in "
                          f"{result.elapsed_s:.2f} s")
        return result

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
