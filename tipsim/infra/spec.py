"""Stacks as data: resource blocks with counts, references by address, typed inputs.

A stack file in ``data/stacks/<name>.json`` holds

* ``inputs``: toggles and variables with a type (``bool``, ``int``, ``str``, ``cidr``),
  a default and a description; they become a :class:`tipsim.params.Params` class, so a
  bad value is refused before any call, naming the field and what is allowed;
* ``data``: look-ups such as machine images by name filter (the talk's ``data "aws_ami"``);
* ``resources``: blocks ``{"type", "name", "count", "attributes"}`` whose values may use
  the expression language of :mod:`tipsim.infra.expr`.

A new scenario (the canary network, the blue/green application, EKS, the data lake)
is new data here, not a new code path: the engine only knows resource *types*.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any

import networkx as nx
from pydantic import AfterValidator, Field, create_model

from tipsim.data import load_json
from tipsim.errors import InfraError, ParameterError
from tipsim.infra.expr import references
from tipsim.params import Params

STACKS_DIR = "stacks"


def _cidr_check(min_prefix: int, max_prefix: int) -> AfterValidator:
    allowed = (f"an IPv4 network such as 10.128.0.0/24, prefix length {min_prefix}-{max_prefix}, "
               "host bits zero")

    def check(value: str) -> str:
        try:
            net = ipaddress.IPv4Network(value, strict=True)
        except ValueError:
            raise ValueError(allowed) from None
        if not min_prefix <= net.prefixlen <= max_prefix:
            raise ValueError(allowed)
        return str(net)

    return AfterValidator(check)


def _pattern_check(pattern: str, text: str) -> AfterValidator:
    rx = re.compile(pattern)

    def check(value: str) -> str:
        if not rx.fullmatch(value):
            raise ValueError(text)
        return value

    return AfterValidator(check)


def _input_field(name: str, decl: Mapping[str, Any]) -> tuple[Any, Any]:
    kind = decl.get("type", "str")
    desc = decl.get("description", "")
    default = decl.get("default")
    if kind == "bool":
        return bool, Field(bool(default), description=desc)
    if kind == "int":
        return int, Field(default, ge=decl.get("ge"), le=decl.get("le"), description=desc)
    if kind == "cidr":
        lo, hi = int(decl.get("min_prefix", 16)), int(decl.get("max_prefix", 28))
        desc += f" [an IPv4 network, prefix length {lo}-{hi}]"
        return Annotated[str, _cidr_check(lo, hi)], Field(default, description=desc)
    if kind == "str":
        if "pattern" in decl:
            allowed = decl.get("allowed", f"text matching {decl['pattern']}")
            check = _pattern_check(decl["pattern"], allowed)
            return Annotated[str, check], Field(default, description=f"{desc} [{allowed}]")
        return str, Field(default, description=desc)
    raise InfraError(f"input {name!r}: unknown type {kind!r} (bool, int, str, cidr)")


@dataclass(frozen=True)
class ResourceSpec:
    """One resource block: ``type.name`` with an optional ``count`` expression."""

    type: str
    name: str
    attributes: Mapping[str, Any]
    count: Any = None  # None: a single instance, addressed type.name[0]
    depends_on: tuple[str, ...] = ()
    description: str = ""
    ignore_changes: frozenset[str] = frozenset()  # set at create only (e.g. shifted weights)

    @property
    def block(self) -> str:
        return f"{self.type}.{self.name}"

    def references(self) -> set[str]:
        return references(dict(self.attributes)) | set(self.depends_on)


@dataclass
class StackSpec:
    """A whole stack: inputs, data look-ups and resource blocks (see the module docstring)."""

    name: str
    inputs: Mapping[str, Mapping[str, Any]]
    resources: list[ResourceSpec]
    data: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    description: str = ""
    source: str = ""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> StackSpec:
        from tipsim.infra.registry import HANDLERS

        resources = []
        for r in raw.get("resources", []):
            if r.get("type") not in HANDLERS:
                raise InfraError(f"stack {raw.get('name')!r}: resource type {r.get('type')!r} has "
                                 f"no handler (known: {', '.join(sorted(HANDLERS))})")
            resources.append(ResourceSpec(
                type=r["type"], name=r["name"], attributes=r.get("attributes", {}),
                count=r.get("count"), depends_on=tuple(r.get("depends_on", ())),
                description=r.get("description", ""),
                ignore_changes=frozenset(r.get("ignore_changes", ()))))
        spec = cls(name=raw["name"], inputs=raw.get("inputs", {}), resources=resources,
                   data=raw.get("data", {}), description=raw.get("description", ""),
                   source=raw.get("source", ""))
        spec.check()
        return spec

    @classmethod
    def load(cls, name: str) -> StackSpec:
        """Read ``data/stacks/<name>.json``."""
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
            raise ParameterError("stack", name, "a stack name such as 'talk', 'eks', 'datalake'")
        try:
            raw = load_json(f"{STACKS_DIR}/{name}.json")
        except Exception as exc:  # noqa: BLE001 - a missing file is the user's bad stack name
            raise ParameterError("stack", name, "one of " + ", ".join(available_stacks())) \
                from exc
        return cls.from_dict(raw)

    # ------------------------------------------------------------------ structure
    @property
    def blocks(self) -> dict[str, ResourceSpec]:
        return {r.block: r for r in self.resources}

    @property
    def types(self) -> frozenset[str]:
        return frozenset(r.type for r in self.resources)

    def check(self) -> None:
        """Refuse a stack whose references or counts cannot work (before any call)."""
        blocks = self.blocks
        if len(blocks) != len(self.resources):
            raise InfraError(f"stack {self.name!r}: a block name is used twice")
        for r in self.resources:
            for ref in r.references():
                if ref not in blocks:
                    raise InfraError(f"{r.block} refers to {ref}, which is not in the stack")
            if r.count is not None and references(r.count):
                raise InfraError(f"{r.block}: count may use only var.* and cap.*, not resources")
        if not nx.is_directed_acyclic_graph(self.block_graph):
            cycle = nx.find_cycle(self.block_graph)
            raise InfraError(f"stack {self.name!r}: references form a cycle: {cycle}")

    @cached_property
    def block_graph(self) -> nx.DiGraph:
        """Edges from a block to the blocks that refer to it (VPC -> subnet -> instance...)."""
        g = nx.DiGraph()
        for r in self.resources:
            g.add_node(r.block, type=r.type)
        for r in self.resources:
            for ref in r.references():
                g.add_edge(ref, r.block)
        return g

    def creation_order(self) -> list[str]:
        """Blocks in an order where every block comes after what it refers to."""
        return list(nx.lexicographical_topological_sort(self.block_graph))

    # ------------------------------------------------------------------ inputs
    @cached_property
    def params_class(self) -> type[Params]:
        """A :class:`Params` subclass of this stack's inputs (ranges and choices checked)."""
        fields = {n: _input_field(n, d) for n, d in self.inputs.items()}
        model: type[Params] = create_model(  # type: ignore[call-overload]
            f"{self.name.title()}StackInputs", __base__=Params, **fields)
        return model

    @property
    def toggles(self) -> list[str]:
        return [n for n, d in self.inputs.items() if d.get("toggle")]

    def inputs_from(self, values: Mapping[str, Any] | Params | None = None) -> Params:
        """Validated inputs; raises :class:`ParameterError` naming the bad field."""
        if isinstance(values, Params):
            values = values.model_dump()
        return self.params_class.create(dict(values or {}))


def available_stacks() -> list[str]:
    """Names of the stack files in ``data/stacks``."""
    from tipsim.data import data_dir

    return sorted(p.stem for p in (data_dir() / STACKS_DIR).glob("*.json"))
