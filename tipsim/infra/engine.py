"""Apply a plan to the emulator, and destroy what a stack owns.

Order, as Terraform's default: first every deletion (and the destroy half of each
replacement), highest ``delete_rank`` first (records, load balancers, instances,
then the network); then creations and updates in dependency order, rendering each
resource's attributes with the real ids of what was just made.

A failure stops the run and raises :class:`~tipsim.errors.InfraError` listing what was
done, what failed and what did not run (also in ``exc.result``). Because every
resource is found again by its ownership tags, the next ``apply`` or ``destroy``
plans from what really exists and converges.

Example
-------
>>> stack = Stack("talk")                                   # doctest: +SKIP
>>> stack.apply({"enable_new_ami": True}).summary()         # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from tipsim.errors import InfraError, ParameterError
from tipsim.infra import addresses
from tipsim.infra.capabilities import Capabilities, detect
from tipsim.infra.handler import Context
from tipsim.infra.hcl.evaluate import Instances
from tipsim.infra.hcl.values import contains_unknown
from tipsim.infra.namespace import Namespace
from tipsim.infra.plan import Change, Plan, counted_blocks, make_plan, read_actual
from tipsim.infra.registry import HANDLERS
from tipsim.infra.render import body_value, planned, scope_for
from tipsim.infra.spec import StackSpec
from tipsim.params import Params

NAMESPACED_INPUTS = ("prefix", "owner")
"""Stack inputs the attendee's namespace fills when they are not given."""


@dataclass
class Step:
    """One call sequence of an apply: destroy, create or update one resource."""

    address: str
    action: str
    ok: bool
    seconds: float
    error: str = ""
    id: str = ""


@dataclass
class ApplyResult:
    """What an apply or destroy did, step by step."""

    plan: Plan
    steps: list[Step] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps) and not self.not_run

    def summary(self) -> dict[str, Any]:
        done = [s for s in self.steps if s.ok]
        return {"ok": self.ok, "steps": len(done), "failed": [s.address for s in self.steps
                                                             if not s.ok],
                "not_run": list(self.not_run), "elapsed_s": round(self.elapsed_s, 3),
                "plan": self.plan.summary()}

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "emulator": self.plan.capabilities.to_dict(),
                "step_log": [s.__dict__ for s in self.steps],
                "skipped": {c.address: c.reason for c in self.plan.changes
                            if c.action == "skip"}}


class Stack:
    """A stack of ``.tf`` files bound to an emulator.

    Parameters
    ----------
    name
        A kit stack (``talk``, ``eks``, ``datalake``: ``data/terraform/<name>``) or a
        directory of ``.tf`` files (its name is the stack's name: what it owns is tagged
        with it); or pass ``spec`` (e.g. :meth:`StackSpec.from_texts`).
    session
        An :class:`~tipsim.emulator.EmulatorSession`; default :func:`tipsim.emulator.connect`,
        made only when the first call is needed (bad input is refused before that).
    capabilities
        Override what the emulator offers (e.g. rehearse LocalStack's missing ELB on moto).
    namespace
        Whose resources the stack sees and touches (default ``TIPSIM_ATTENDEE``, else the
        user name: :class:`~tipsim.infra.namespace.Namespace`); it also gives the stack's
        ``prefix`` and ``owner`` inputs where they are not given.
    """

    def __init__(self, name: str | Path = "talk", session: Any = None, *,
                 capabilities: Capabilities | None = None, spec: StackSpec | None = None,
                 namespace: Namespace | None = None) -> None:
        self.spec = spec or StackSpec.load(name)
        self.namespace = namespace or Namespace.from_env()
        self._session = session
        self._caps = capabilities
        self._ctx: Context | None = None
        # What the last successful apply left to the simulation (address -> rendered
        # attributes): the emulator holds nothing of it, so this is the only record.
        self.simulated_only: addresses.Addresses = addresses.Addresses()

    # ---------------------------------------------------------------- wiring
    @property
    def session(self) -> Any:
        if self._session is None:
            from tipsim.emulator import connect

            self._session = connect()
        return self._session

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            region = getattr(self.session, "region_name", None) or "us-east-2"
            self._ctx = Context(self.session, self.spec.name, self.namespace.attendee,
                                region=region)
        return self._ctx

    @property
    def capabilities(self) -> Capabilities:
        if self._caps is None:
            self._caps = detect(self.session)
        return self._caps

    def inputs(self, values: Mapping[str, Any] | Params | None = None) -> Params:
        """Validate inputs (no call to the emulator): raises ``ParameterError``.

        The stack's ``prefix`` and ``owner`` inputs, where it has them and they are not
        given, come from the namespace (fields of a ``Params`` count as given only where set).
        """
        given = (values.model_dump(include=values.model_fields_set) if isinstance(values, Params)
                 else dict(values or {}))
        declared = self.spec.params_class.model_fields
        defaults = {name: self.namespace.prefix if name == "prefix" else self.namespace.attendee
                    for name in NAMESPACED_INPUTS if name in declared}
        return self.spec.inputs_from({**defaults, **given})

    # ---------------------------------------------------------------- verbs
    def plan(self, values: Mapping[str, Any] | Params | None = None, *,
             destroy: bool = False) -> Plan:
        """What apply (or destroy) would do now."""
        inputs = self.inputs(values)
        return make_plan(self.ctx, self.spec, inputs, self.capabilities, destroy=destroy)

    def apply(self, values: Mapping[str, Any] | Params | None = None) -> ApplyResult:
        """Make the emulator hold the stack for ``values``; a second apply changes nothing."""
        return self.execute(self.plan(values))

    def destroy(self, values: Mapping[str, Any] | Params | None = None) -> ApplyResult:
        """Delete everything the stack owns, in dependency order."""
        return self.execute(self.plan(values, destroy=True))

    def owned(self) -> addresses.Addresses:
        """Everything the stack owns now, by address (``x`` also answers as ``x[0]``)."""
        return read_actual(self.ctx, self.spec.types, self.capabilities,
                           counted_blocks(self.spec))

    def inventory(self) -> nx.DiGraph:
        """The emulator's state as a dependency graph (see :mod:`tipsim.infra.inventory`)."""
        from tipsim.infra.inventory import inventory_graph

        return inventory_graph(self.owned().values())

    # ---------------------------------------------------------------- edits
    def source(self, file: str) -> str:
        """The text of one of the stack's ``.tf`` files (e.g. ``feature_toggle.tf``)."""
        files = self.spec.config.files
        if file not in files:
            raise ParameterError("file", file, "one of " + ", ".join(sorted(files)))
        return files[file]

    def edited(self, files: Mapping[str, str]) -> Stack:
        """This stack with some ``.tf`` files' text replaced (a learner's edit).

        The new stack has the same name and namespace, so it owns what this one owns, in the
        same emulator, and keeps what its last apply left simulated only. A text the kit cannot
        read raises :class:`~tipsim.errors.StackSourceError` (file and line) and nothing
        changes.
        """
        unknown = sorted(set(files) - set(self.spec.config.files))
        if unknown:
            raise ParameterError("file", unknown[0],
                                 "one of " + ", ".join(sorted(self.spec.config.files)))
        spec = StackSpec.from_texts(self.spec.name, {**self.spec.config.files, **files})
        out = Stack(self.spec.name, self._session, capabilities=self._caps, spec=spec,
                    namespace=self.namespace)
        out._ctx = self._ctx
        out.simulated_only = self.simulated_only
        return out

    # ---------------------------------------------------------------- execution
    def execute(self, plan: Plan) -> ApplyResult:
        """Carry out ``plan``; raise :class:`InfraError` (with ``.result``) on a failure."""
        t0 = time.perf_counter()
        result = ApplyResult(plan)
        order = {c.address: i for i, c in enumerate(plan.changes)}
        destroys = sorted((c for c in plan.changes if c.action in ("delete", "replace")),
                          key=lambda c: (-HANDLERS[c.type].delete_rank, -order[c.address]))
        builds = [c for c in plan.changes if c.action in ("create", "replace", "update")]
        queue: list[tuple[str, Change]] = ([("destroy", c) for c in destroys]
                                           + [("update" if c.action == "update" else "create", c)
                                              for c in builds])
        view = self._initial_view(plan)
        for n, (verb, change) in enumerate(queue):
            s0 = time.perf_counter()
            try:
                made_id = self._run_step(verb, change, plan, view)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, none hidden
                result.steps.append(Step(change.address, verb, False,
                                         time.perf_counter() - s0, f"{type(exc).__name__}: {exc}"))
                result.not_run = [f"{v} {c.address}" for v, c in queue[n + 1:]]
                result.elapsed_s = time.perf_counter() - t0
                done = sum(1 for s in result.steps if s.ok)
                err = InfraError(
                    f"apply of stack {plan.stack!r} stopped at {verb} {change.address}: "
                    f"{type(exc).__name__}: {exc}. Done: {done} step(s); not run: "
                    f"{len(result.not_run)}. Run apply again to converge, or destroy.")
                err.result = result  # type: ignore[attr-defined]
                raise err from exc
            result.steps.append(Step(change.address, verb, True, time.perf_counter() - s0,
                                     id=made_id))
        result.elapsed_s = time.perf_counter() - t0
        self.simulated_only = addresses.Addresses() if plan.destroy else addresses.Addresses(
            (c.address, dict(c.after or {})) for c in plan.changes if c.action == "skip")
        return result

    def _initial_view(self, plan: Plan) -> dict[str, Instances]:
        """What the stack's expressions see before the first step: planned values, and what
        exists for the instances the plan keeps."""
        view = {block: planned(n, self.spec.blocks[block].count is not None)
                for block, n in plan.counts.items()}
        for c in plan.changes:
            block, index = addresses.split(c.address)
            if block not in view or c.action == "delete":
                continue
            i = index or 0
            if c.action in ("no-op", "update") and c.actual is not None:
                view[block].values[i], view[block].planned[i] = c.actual.attrs, False
            else:
                view[block].values[i] = dict(c.after or {})
        return view

    def _run_step(self, verb: str, change: Change, plan: Plan,
                  view: dict[str, Instances]) -> str:
        handler = HANDLERS[change.type]
        if verb == "destroy":
            assert change.actual is not None
            handler.delete(self.ctx, change.actual)
            return change.actual.id
        block, index = addresses.split(change.address)
        rspec = self.spec.blocks[block]
        scope = scope_for(self.spec.config, plan.variables, plan.data, view, index)
        desired = body_value(rspec.body, scope)
        if contains_unknown(desired):
            raise InfraError(f"{change.address}: a value it needs is still unknown")
        if verb == "update":
            assert change.actual is not None
            changed = handler.differences(desired, change.actual.attrs) - rspec.ignore_changes
            made = handler.update(self.ctx, change.actual, desired, changed) if changed \
                else change.actual
        else:
            made = handler.create(self.ctx, change.address, desired)
        view[block].values[index or 0], view[block].planned[index or 0] = made.attrs, False
        return made.id
