"""A stack: a directory of Terraform ``.tf`` files, read into blocks and checked.

The kit's own stacks live in ``data/terraform/<name>/`` (``talk``, ``eks``, ``datalake``);
:meth:`StackSpec.load` also takes any directory of ``.tf`` files, or (for the notebook's
editor) the files' texts. Everything is checked before anything is planned: the syntax
(python-hcl2), the constructs (:mod:`tipsim.infra.hcl.config`), and every reference (an
undeclared variable, data source or resource is refused with its file and line, as
``terraform validate`` would). Variables become a :class:`tipsim.params.Params` class
(:mod:`tipsim.infra.hcl.variables`), so a bad input is refused before any call.

The engine only knows resource *types* (:mod:`tipsim.infra.registry`): a new stack is new
``.tf`` text, not new code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx

from tipsim.errors import ParameterError, StackSourceError
from tipsim.infra.hcl.config import Body, Config, Expr, ResourceBlock, load_directory, load_texts
from tipsim.infra.hcl.syntax import Reference, references
from tipsim.infra.hcl.variables import inputs_class, is_emulator_variable, toggles
from tipsim.params import Params

STACKS_DIR = "terraform"


def _exprs(body: Body) -> Iterator[Expr]:
    yield from body.attributes.values()
    for _, nested in body.blocks:
        yield from _exprs(nested)


@dataclass
class StackSpec:
    """A stack's checked configuration (see the module docstring)."""

    config: Config

    @classmethod
    def load(cls, name: str | Path) -> StackSpec:
        """A kit stack by name (``talk``), or a directory of ``.tf`` files."""
        return cls(load_directory(stack_dir(name)))

    @classmethod
    def from_texts(cls, name: str, files: Mapping[str, str]) -> StackSpec:
        """A stack from file texts, e.g. the notebook editor's copy of ``talk``."""
        return cls(load_texts(name, files))

    def __post_init__(self) -> None:
        self.check()

    # ------------------------------------------------------------------ structure
    @property
    def name(self) -> str:
        return self.config.name

    @property
    def resources(self) -> list[ResourceBlock]:
        return self.config.resources

    @property
    def blocks(self) -> dict[str, ResourceBlock]:
        return {r.block: r for r in self.resources}

    @property
    def types(self) -> frozenset[str]:
        return frozenset(r.type for r in self.resources)

    def references_of(self, exprs: list[Expr]) -> list[tuple[Expr, Reference]]:
        return [(e, ref) for e in exprs for ref in references(e.tree)]

    def _local_blocks(self, name: str, seen: set[str]) -> set[str]:
        """Resource blocks a local value reads, through other locals too."""
        if name in seen or name not in self.config.locals:
            return set()
        seen.add(name)
        out = set()
        for ref in references(self.config.locals[name].tree):
            if ref.root == "local" and ref.names:
                out |= self._local_blocks(ref.names[0], seen)
            elif ref.root in self.types and ref.names:
                out.add(ref.block())
        return out

    def depends(self, res: ResourceBlock) -> set[str]:
        """The resource blocks ``res`` refers to (directly, through locals, depends_on)."""
        out = set(res.depends_on)
        for ref in (r for e in _exprs(res.body) for r in references(e.tree)):
            if ref.root in self.types and ref.names:
                out.add(ref.block())
            elif ref.root == "local" and ref.names:
                out |= self._local_blocks(ref.names[0], set())
        return out

    def check(self) -> None:
        """Refuse references to what is not declared, counts that read resources, cycles."""
        blocks = self.blocks
        known = {"var": set(self.config.variables), "local": set(self.config.locals)}
        for res in self.resources:
            exprs = list(_exprs(res.body)) + ([res.count] if res.count else [])
            for expr, ref in self.references_of(exprs):
                self._check_ref(expr, ref, known, blocks, counted=res.count is not None)
            for dep in res.depends_on:
                if dep not in blocks:
                    raise StackSourceError(res.body.file, res.body.line,
                                           f"depends_on names {dep}, which is not declared")
            if res.count is not None:
                reads = {ref.block() for ref in references(res.count.tree)
                         if ref.root in self.types}
                for ref in references(res.count.tree):
                    if ref.root == "local" and ref.names:
                        reads |= self._local_blocks(ref.names[0], set())
                if reads:
                    raise StackSourceError(res.count.file, res.count.line,
                                           f"{res.block}: count reads {', '.join(sorted(reads))}"
                                           ", known only after apply (use var, local or data)")
        others = list(self.config.locals.values()) + list(self.config.outputs.values()) + [
            e for items in self.config.data.values() for b in items.values() for e in _exprs(b)]
        for expr, ref in self.references_of(others):
            self._check_ref(expr, ref, known, blocks, counted=False)
        from tipsim.infra.registry import HANDLERS

        for res in self.resources:
            if res.type not in HANDLERS:
                raise StackSourceError(res.body.file, res.body.line, f"resource type "
                                       f"{res.type!r} is not one the kit can build (known: "
                                       f"{', '.join(sorted(HANDLERS))})")
        if not nx.is_directed_acyclic_graph(self.block_graph):
            cycle = nx.find_cycle(self.block_graph)
            raise StackSourceError(self.resources[0].body.file, 0,
                                   f"references form a cycle: {cycle}")

    def _check_ref(self, expr: Expr, ref: Reference, known: dict[str, set[str]],
                   blocks: Mapping[str, ResourceBlock], counted: bool) -> None:
        where = (expr.file, ref.line or expr.line)
        if ref.root in known:
            if not ref.names or ref.names[0] not in known[ref.root]:
                raise StackSourceError(*where, f"{ref.block()} is not declared")
        elif ref.root == "data":
            items = self.config.data
            if len(ref.names) < 2 or ref.names[1] not in items.get(ref.names[0], {}):
                raise StackSourceError(*where, f"{ref.block()} is not declared")
        elif ref.root == "count":
            if not counted:
                raise StackSourceError(*where, "count.index is used in a block without count")
        elif ref.root in self.types:
            if not ref.names or ref.block() not in blocks:
                raise StackSourceError(*where, f"{ref.block()} is not declared")
        else:
            raise StackSourceError(*where, f"unknown name {ref.root!r} (the kit's subset knows "
                                           "var, local, data, count and the stack's resources)")

    @cached_property
    def block_graph(self) -> nx.DiGraph:
        """Edges from a block to the blocks that refer to it (VPC -> subnet -> instance...)."""
        g = nx.DiGraph()
        for r in self.resources:
            g.add_node(r.block, type=r.type)
        for r in self.resources:
            for dep in self.depends(r):
                g.add_edge(dep, r.block)
        return g

    def creation_order(self) -> list[str]:
        """Blocks in an order where every block comes after what it refers to."""
        return list(nx.lexicographical_topological_sort(self.block_graph))

    # ------------------------------------------------------------------ inputs
    @cached_property
    def params_class(self) -> type[Params]:
        """A :class:`Params` subclass of this stack's variables (validations checked)."""
        return inputs_class(self.config)

    @property
    def toggles(self) -> list[str]:
        return toggles(self.config)

    @property
    def emulator_variables(self) -> list[str]:
        return [n for n in self.config.variables if is_emulator_variable(n)]

    def default(self, name: str) -> Any:
        return self.config.variables[name].default

    def inputs_from(self, values: Mapping[str, Any] | Params | None = None) -> Params:
        """Validated inputs; raises :class:`ParameterError` naming the bad field."""
        if isinstance(values, Params):
            values = values.model_dump()
        return self.params_class.create(dict(values or {}))


def stack_dir(name: str | Path) -> Path:
    """The directory of a kit stack name (``talk``) or of a path to ``.tf`` files."""
    from tipsim.data import data_dir

    text = str(name)
    kit = data_dir() / STACKS_DIR / text
    if not isinstance(name, Path) and re.fullmatch(r"[a-z][a-z0-9_-]*", text) and kit.is_dir():
        return kit
    path = Path(text).expanduser()
    if path.is_dir():
        return path
    raise ParameterError("stack", text, "one of " + ", ".join(available_stacks())
                         + ", or a directory of .tf files")


def available_stacks() -> list[str]:
    """Names of the kit's stacks in ``data/terraform``."""
    from tipsim.data import data_dir

    return sorted(p.name for p in (data_dir() / STACKS_DIR).iterdir()
                  if p.is_dir() and any(p.glob("*.tf")))
