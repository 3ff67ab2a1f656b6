"""Read the emulator's state back into a dependency graph, and find a change's blast radius.

Edges are found from the data, not assumed: wherever one resource holds a value
another resource is known by (its id, ARN, DNS name or private IP, the handler's
``reference_keys``), an edge runs from the referenced resource to the one that
refers to it. The talk's stack reads back as VPC -> subnet -> instance -> load
balancer -> DNS record.

The *infrastructure blast radius* of a plan: the resources it changes directly,
and everything downstream of them in this graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx

from tipsim.infra.handler import Actual
from tipsim.infra.registry import HANDLERS


def _key(value: str) -> str:
    return value.lower().rstrip(".")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if not str(k).startswith("_") and k != "tags":
                yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def inventory_graph(resources: Iterable[Actual]) -> nx.DiGraph:
    """A directed graph of ``resources``: nodes by address, edges dependency -> dependent.

    Node attributes: ``type``, ``id``, ``label`` (a short description) and ``attrs``.
    """
    items = list(resources)
    g = nx.DiGraph()
    index: dict[str, str] = {}
    for a in items:
        handler = HANDLERS[a.type]
        label = a.attrs.get(handler.label_key) or a.id
        g.add_node(a.address, type=a.type, id=a.id, label=str(label), attrs=a.attrs)
        for key in handler.reference_keys:
            value = a.attrs.get(key)
            if isinstance(value, str) and value:
                index[_key(value)] = a.address
    for a in items:
        own = {_key(str(a.attrs.get(k, ""))) for k in HANDLERS[a.type].reference_keys}
        for key, value in a.attrs.items():
            if key in HANDLERS[a.type].reference_keys or key.startswith("_") or key == "tags":
                continue
            for text in _strings(value):
                k = _key(text)
                target = index.get(k)
                if target and target != a.address and k not in own:
                    g.add_edge(target, a.address, via=key)
        if a.parent_id and _key(a.parent_id) in index:
            g.add_edge(index[_key(a.parent_id)], a.address, via="parent")
    return g


def blast_radius(graph: nx.DiGraph, changed: Iterable[str]) -> dict[str, list[str]]:
    """Resources changed directly, and those downstream of them (their dependents)."""
    direct = [a for a in changed if a in graph]
    downstream: set[str] = set()
    for address in direct:
        downstream |= nx.descendants(graph, address)
    return {"direct": sorted(direct), "downstream": sorted(downstream - set(direct))}


def layers(graph: nx.DiGraph) -> dict[str, int]:
    """Depth of each node (longest path from a root), for drawing left to right."""
    depth: dict[str, int] = {}
    for node in nx.topological_sort(graph):
        preds = list(graph.predecessors(node))
        depth[node] = 1 + max(depth[p] for p in preds) if preds else 0
    return depth
