"""One palette and layout for every chart, so colours mean the same thing in every notebook."""

from __future__ import annotations

from typing import Any

COLOURS: dict[str, str] = {
    "old": "#4C72B0",  # old image / blue side / baseline
    "new": "#DD8452",  # new image / canary
    "blue": "#4C72B0",
    "green": "#55A868",
    "bad": "#C44E52",  # failures, breaches, rollbacks
    "ok": "#55A868",
    "internal": "#8172B3",
    "external": "#CCB974",
    "insecure": "#C44E52",
    "secure": "#55A868",
    "faas": "#DD8452",
    "spark": "#4C72B0",
    "muted": "#8C8C8C",
    "highlight": "#E17C05",
}

STRATEGY_COLOURS: list[str] = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860"]


def base_layout(title: str = "", height: int = 360, **extra: Any) -> dict[str, Any]:
    """Layout defaults: white template, compact margins, legend on top."""
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
    }
    layout.update(extra)
    return layout
