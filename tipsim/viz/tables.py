"""Tables a learner reads: units in the headers, percentages as %, sensible rounding.

Every table the notebooks and panels show goes through :func:`learner_table` (rows of
records or a DataFrame) or :func:`metric_table` (one row per metric, one column per arm or
strategy). The kit's internal column names (``error_budget_used``, ``ci_low``,
``n_canary``) never reach the page: :data:`LABELS` gives each its header, with its unit,
and :func:`format_value` its format. Paired columns are merged: ``x`` with ``x_se``
becomes "mean ± s.e.", ``ci_low`` with ``ci_high`` an interval.

Formats, by name:

==================================  ====================================================
name                                shown as
==================================  ====================================================
in :data:`FRACTIONS` (0-1 shares)   a percentage: ``0.005085`` -> ``0.509%``
ends ``_pct``                       already a percentage: ``12.5%``
``p_value``                         three significant digits, ``< 0.0001`` below that
a count (:data:`COUNTS`)            a whole number with thousands separators (``600,332``),
                                    one decimal when it is a mean (``255.4``)
any other number                    three significant digits (``1.33``, ``0.157``,
                                    ``10.8``), whole numbers above 1,000 (``23,121``)
``None`` / NaN                      an en dash (or the column's ``missing`` word)
bool / list / dict                  yes-no / comma list / ``key: value`` pairs
==================================  ====================================================

Example
-------
>>> t = learner_table([{"strategy": "toggle", "error_budget_used": 0.000098,
...                     "instance_hours": 1.3666667}])
>>> t.headers
['strategy', '30-day error budget used', 'machine time (h)']
>>> t.rows[0]
['toggle', '0.0098%', '1.37']
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

LABELS: dict[str, str] = {
    # feature toggle (01)
    "requests": "requests", "failed_requests": "failed requests",
    "slow_requests": "slow requests", "affected_users": "affected users",
    "slo_breach_minutes": "SLO breach (min)", "error_budget_used": "30-day error budget used",
    "time_to_detect_s": "time to detect (s)", "time_to_recover_s": "time to recover (s)",
    "instance_hours": "machine time (h)", "instance_cost_usd": "machine cost (USD)",
    "blast_radius": "blast radius",
    # canary (02)
    "classification": "result", "failed": "failed", "critical": "critical",
    "n_canary": "canary values", "n_baseline": "baseline values",
    "canary_median": "canary median", "baseline_median": "baseline median",
    "shift_estimate": "shift (canary - baseline)", "band": "allowed band (±)",
    "p_value": "p-value", "mean_ratio": "mean ratio (canary / baseline)",
    "half_width": "± (half-width)", "replications": "runs", "metric": "metric",
    "decision_time_s": "decision at (s)",
    # node groups (03)
    "exposure_pod_seconds": "exposure (external pod-s on insecure nodes)",
    "unavailable_seconds": "below desired (s)", "migration_time_s": "migration time (s)",
    "max_pending_pods": "peak Pending pods", "evicted_at_s": "evicted at (s)",
    "min_ready_external": "fewest ready external pods", "evictions": "evictions",
    "desired_size": "nodes", "instance_types": "instance types",
    # data lake (04)
    "latency_p50_s": "p50 latency (s)", "latency_p95_s": "p95 latency (s)",
    "latency_p99_s": "p99 latency (s)", "max_lag_records": "largest lag (records)",
    "slo_share": "records within the objective", "cost_usd_per_hour": "cost (USD per hour)",
    "cost_usd_per_million_records": "cost (USD per million records)", "records": "records",
    "throughput_per_s": "throughput (records/s)", "records_not_landed": "records not landed",
    "pollers_max": "pollers (most)", "invocations_in_flight_max": "invocations in flight (most)",
    "invocations_per_poller": "invocations per poller", "rate_per_s": "load (records/s)",
    "cheaper": "cheaper arm",
    # staging or production (05)
    "approach": "approach", "kind": "defect kind",
    "infra_cost_usd_per_month": "infrastructure (USD per month)",
    "failed_requests_per_month": "failed requests per month",
    "affected_users_per_month": "users affected per month",
    "error_budget_used_per_month": "error budget burned per month",
    "pages_per_month": "pages per month",
    "defects_caught_before_users": "defects caught before users",
    "defects_escaped": "defects reaching every user",
    "defects_caught_in_rollout": "defects caught by the rollout",
    "lead_time_s_per_change": "lead time per change (s)",
    "staging_catch_chance": "staging catches it",
}
"""Header of each internal column name (a name not listed gets its words and unit)."""

FRACTIONS = frozenset({"error_budget_used", "slo_share", "failed_fraction", "toggle_share",
                       "freshness_target", "defect_error_rate", "share",
                       "error_budget_used_per_month", "staging_catch_chance"})
"""Columns holding a share between 0 and 1, shown as a percentage."""

COUNTS = frozenset({"requests", "failed_requests", "slow_requests", "affected_users",
                    "records", "max_lag_records", "records_not_landed", "evictions",
                    "max_pending_pods", "n_canary", "n_baseline", "replications", "runs",
                    "desired_size", "pollers_max", "invocations_in_flight_max", "invocations",
                    "invocations_per_poller", "min_ready_external",
                    "failed_requests_per_month", "affected_users_per_month"})
"""Columns holding counts: whole numbers with thousands separators."""

UNITS: tuple[tuple[str, str], ...] = (
    ("_usd_per_hour", "USD per hour"), ("_usd", "USD"), ("_per_s", "/s"), ("_pct", "%"),
    ("_hours", "h"), ("_minutes", "min"), ("_seconds", "s"), ("_mb", "MB"), ("_s", "s"))
"""Name suffix -> unit, for names :data:`LABELS` does not list."""

CSS = ("<style>.tipsim-table{border-collapse:collapse;font-size:12px;margin:4px 0}"
       ".tipsim-table th{white-space:normal;max-width:11em;vertical-align:bottom;"
       "text-align:right;padding:3px 8px;border-bottom:1px solid #999}"
       ".tipsim-table td{text-align:right;padding:2px 8px;border-bottom:1px solid #eee}"
       ".tipsim-table th:first-child,.tipsim-table td:first-child{text-align:left}"
       ".tipsim-table-wrap{overflow-x:auto;max-width:100%}"
       ".tipsim-table caption{caption-side:top;text-align:left;color:#555}</style>")


def label_of(name: str) -> str:
    """Header of a column: :data:`LABELS`, else its words with the unit its suffix names."""
    if name in LABELS:
        return LABELS[name]
    for suffix, unit in UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{name[: -len(suffix)].replace('_', ' ')} ({unit})"
    return name.replace("_", " ")


def _sig(v: float, digits: int = 3) -> str:
    """``digits`` significant digits, never scientific between 1e-4 and 1e9."""
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 10 ** (digits - 1):
        return f"{v:,.0f}"
    if a < 1e-4:
        return f"{v:.2e}"
    decimals = digits - 1 - math.floor(math.log10(a))
    text = f"{v:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(name: str, value: Any, missing: str = "–") -> str:
    """One cell, formatted by its column's name (see the module's table)."""
    if value is None or (not isinstance(value, str | Mapping | list | tuple | set | frozenset)
                          and bool(pd.isna(value))):
        return missing
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {format_value(str(k), v, missing)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(format_value(name, v, missing) for v in value) or "none"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if name in FRACTIONS or name.endswith(("_share", "_fraction")):
        return _sig(100.0 * v) + "%"
    if name.endswith("_pct"):
        return _sig(v) + "%"
    if name == "p_value":
        return "< 0.0001" if v < 1e-4 else _sig(v)
    if name in COUNTS:
        return f"{v:,.0f}" if v == round(v) else f"{v:,.1f}"
    return _sig(v)


def _merged(columns: Sequence[str], available: Iterable[str]) -> list[str]:
    """Drop ``x_se`` next to ``x`` and ``ci_high`` next to ``ci_low`` (shown together)."""
    have = set(available)
    return [c for c in columns
            if not (c.endswith("_se") and c[:-3] in have)
            and not (c == "ci_high" and "ci_low" in have)]


@dataclass
class Table:
    """Formatted headers and rows; shows as HTML in a notebook (``_repr_html_``)."""

    headers: list[str]
    rows: list[list[str]]
    caption: str = ""
    css_class: str = "tipsim-table"
    extra_classes: list[str] = field(default_factory=list)

    def to_html(self) -> str:
        """The table as HTML, in a box that scrolls sideways rather than overflow the page."""
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in self.rows)
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        classes = " ".join([self.css_class, *self.extra_classes])
        return (f'{CSS}<div class="tipsim-table-wrap"><table class="{classes}">{cap}'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_frame(self) -> pd.DataFrame:
        """The formatted table as a DataFrame of strings."""
        return pd.DataFrame(self.rows, columns=self.headers)

    def __repr__(self) -> str:
        return self.to_frame().to_string(index=False)


def learner_table(data: pd.DataFrame | Sequence[Mapping[str, Any]],
                  columns: Sequence[str] | None = None, *,
                  labels: Mapping[str, str] | None = None,
                  missing: Mapping[str, str] | None = None, confidence: float = 0.95,
                  caption: str = "") -> Table:
    """A table for learners from records or a DataFrame (a named index becomes a column).

    Parameters
    ----------
    columns
        Columns to show, in order (default: all). ``x_se`` beside ``x`` and ``ci_high``
        beside ``ci_low`` are merged into one column.
    labels
        Headers that replace :func:`label_of`'s.
    missing
        Per column, the word for a missing value (``{"time_to_detect_s": "never"}``).
    confidence
        Level named in the header of a ``ci_low``/``ci_high`` interval.
    """
    frame = pd.DataFrame(list(data)) if not isinstance(data, pd.DataFrame) else data
    if frame.index.name is not None or any(n is not None for n in frame.index.names[1:]):
        frame = frame.reset_index()
    shown = _merged(list(columns) if columns is not None else list(frame.columns), frame.columns)
    labels = dict(labels or {})
    missing = dict(missing or {})
    headers: list[str] = []
    for c in shown:
        text = labels.get(c) or label_of(c)
        if f"{c}_se" in frame.columns:
            text = labels.get(c) or f"{label_of(c)}, mean ± s.e."
        if c == "ci_low" and "ci_high" in frame.columns:
            text = labels.get(c) or f"{confidence:.0%} CI"
        headers.append(text)
    rows = []
    for rec in frame.to_dict("records"):
        row = []
        for c in shown:
            word = missing.get(c, "–")
            cell = format_value(c, rec.get(c), word)
            if f"{c}_se" in rec and rec[c] is not None and rec[f"{c}_se"] is not None:
                cell += " ± " + format_value(c, rec[f"{c}_se"], word)
            if c == "ci_low" and "ci_high" in rec:
                cell = f"{cell} to {format_value('ci_high', rec['ci_high'], word)}"
            row.append(cell)
        rows.append(row)
    return Table(headers, rows, caption)


def metric_table(values: Mapping[str, Mapping[str, Any]], metrics: Sequence[str], *,
                 first: str = "", caption: str = "") -> Table:
    """One row per metric (labelled and formatted by its name), one column per key of
    ``values`` (an arm or a strategy: ``{"A (faas)": {"latency_p95_s": 0.42, ...}}``)."""
    names = list(values)
    rows = [[label_of(m), *(format_value(m, values[n].get(m)) for n in names)] for m in metrics]
    return Table([first, *names], rows, caption)


def headers_ok(table: Table) -> bool:
    """No header is an internal name (no underscore)."""
    return all("_" not in h for h in table.headers)
