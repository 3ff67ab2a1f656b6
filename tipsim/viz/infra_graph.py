"""The stack as a dependency graph, with what a plan touches highlighted; the plan as a table.

Data in, figure out: the caller passes a ``networkx`` graph (from
:meth:`tipsim.infra.plan.Plan.graph` or :func:`tipsim.infra.inventory.inventory_graph`)
and a blast radius (``{"direct": [...], "downstream": [...]}``). Nothing here calls
the emulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from tipsim.viz.style import COLOURS, base_layout

NODE_GROUPS = ("unchanged", "direct", "downstream")
GROUP_STYLE = {
    "unchanged": {"color": COLOURS["muted"], "name": "not touched"},
    "direct": {"color": COLOURS["bad"], "name": "changed directly"},
    "downstream": {"color": COLOURS["highlight"], "name": "downstream (blast radius)"},
}


def graph_positions(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Left-to-right layers by dependency depth; nodes of a layer spread vertically."""
    depth: dict[str, int] = {}
    for node in nx.topological_sort(graph) if nx.is_directed_acyclic_graph(graph) else graph:
        preds = [p for p in graph.predecessors(node) if p in depth]
        depth[node] = 1 + max(depth[p] for p in preds) if preds else 0
    by_layer: dict[int, list[str]] = {}
    for node, d in depth.items():
        by_layer.setdefault(d, []).append(node)
    pos: dict[str, tuple[float, float]] = {}
    for d, nodes in by_layer.items():
        nodes.sort()
        for i, node in enumerate(nodes):
            pos[node] = (float(d), float(i) - (len(nodes) - 1) / 2)
    return pos


def node_label(address: str) -> str:
    """A node's label on two lines, type over name (``aws_elb.blue[0]`` -> ``elb<br>blue[0]``),
    so that neighbouring columns' labels keep apart."""
    kind, _, name = address.replace("aws_", "", 1).partition(".")
    return f"{kind}<br>{name}" if name else kind


def _traces_data(graph: nx.DiGraph,
                 radius: Mapping[str, list[str]] | None) -> list[dict[str, Any]]:
    pos = graph_positions(graph)
    direct = set((radius or {}).get("direct", []))
    downstream = set((radius or {}).get("downstream", []))
    ex: list[float | None] = []
    ey: list[float | None] = []
    for u, v in graph.edges():
        ex += [pos[u][0], pos[v][0], None]
        ey += [pos[u][1], pos[v][1], None]
    data: list[dict[str, Any]] = [{"x": ex, "y": ey, "text": None}]
    for group in NODE_GROUPS:
        nodes = [n for n in graph.nodes
                 if (n in direct) == (group == "direct")
                 and (n in downstream) == (group == "downstream")]
        data.append({
            "x": [pos[n][0] for n in nodes], "y": [pos[n][1] for n in nodes],
            "text": [node_label(n) for n in nodes],
            "hovertext": [f"{n}<br>{graph.nodes[n].get('action', '')} "
                          f"{graph.nodes[n].get('id', '')}" for n in nodes]})
    return data


def infra_graph_figure(graph: nx.DiGraph, radius: Mapping[str, list[str]] | None = None,
                       title: str = "Stack dependency graph") -> go.Figure:
    """Plotly figure: edges dependency -> dependent, nodes coloured by blast radius.

    Trace 0 holds the edges, traces 1-3 the nodes not touched / changed directly /
    downstream.
    """
    data = _traces_data(graph, radius)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=data[0]["x"], y=data[0]["y"], mode="lines", hoverinfo="skip",
                             line={"color": "#BBBBBB", "width": 1}, showlegend=False))
    for group, d in zip(NODE_GROUPS, data[1:], strict=True):
        style = GROUP_STYLE[group]
        fig.add_trace(go.Scatter(
            x=d["x"], y=d["y"], text=d["text"], hovertext=d["hovertext"], hoverinfo="text",
            mode="markers+text", textposition="top center", textfont={"size": 12},
            marker={"size": 14, "color": style["color"], "line": {"width": 1, "color": "white"}},
            name=style["name"]))
    xs = [x for d in data[1:] for x in d["x"]] or [0.0]
    ys = [y for d in data[1:] for y in d["y"]] or [0.0]
    fig.update_layout(**base_layout(title, height=max(460, 60 * (max(ys) - min(ys)) + 200)),
                      # room for the labels of the outer columns and the top row
                      xaxis={"visible": False, "range": [min(xs) - 0.9, max(xs) + 0.9]},
                      yaxis={"visible": False, "range": [min(ys) - 0.6, max(ys) + 1.0]})
    return fig


def plan_table(plan: Any, *, include_unchanged: bool = False) -> pd.DataFrame:
    """One row per resource: address, type, action, changed attributes, reason, blast radius.

    ``plan`` is a :class:`tipsim.infra.plan.Plan` or its ``to_dict()``.
    """
    as_dict = plan if isinstance(plan, Mapping) else plan.to_dict()
    radius = as_dict.get("blast_radius", {})
    direct, downstream = set(radius.get("direct", [])), set(radius.get("downstream", []))
    rows = []
    for c in as_dict["changes"]:
        if c["action"] == "no-op" and not include_unchanged and c["address"] not in downstream:
            continue
        rows.append({"address": c["address"], "type": c["type"], "action": c["action"],
                     "changed": ", ".join(c["changed"]), "reason": c["reason"],
                     "blast_radius": "direct" if c["address"] in direct else
                     "downstream" if c["address"] in downstream else ""})
    return pd.DataFrame(rows, columns=["address", "type", "action", "changed", "reason",
                                       "blast_radius"])


def is_green(address: str) -> bool:
    """The talk's green side: the second network (index 1), the canary and the green app."""
    return address.endswith("[1]") or ".green[" in address or ".canary[" in address


def network_graph_figure(graph: nx.DiGraph, title: str = "Blue and green, as the emulator holds them"
                         ) -> go.Figure:
    """The stack's graph with the green side highlighted (green) against production (blue)."""
    green = [n for n in graph.nodes if is_green(n)]
    fig = infra_graph_figure(graph, {"direct": green, "downstream": []}, title)
    fig.data[1].update(name="blue side (production)", marker_color=COLOURS["blue"])
    fig.data[2].update(name="green side (new network / application)",
                       marker_color=COLOURS["green"])
    fig.data[3].update(showlegend=False)
    return fig
