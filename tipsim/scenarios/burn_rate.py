"""Scenario ``burn-rate``: how soon would I be paged?

A service suddenly fails ``error_ratio`` of its requests, from a healthy history at
``baseline_error_ratio``, and keeps doing so for ``duration_s``. The SRE workbook's
multiwindow, multi-burn-rate alerts (:mod:`tipsim.analysis.burn_rate`) are evaluated
every minute; the result gives when each fires, beside the closed form for a step
change, and how long the whole 30-day error budget would last at that error ratio.

``tipsim run burn-rate --set error_ratio=0.5 --set slo=0.999 --set duration_s=7200 --json``
"""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
from pydantic import model_validator

from tipsim.analysis.burn_rate import (
    EVALUATION_INTERVAL_S,
    SLO_PERIOD_S,
    WORKBOOK_ALERTS,
    budget_exhausted_s,
    closed_form_fire_s,
    evaluate,
)
from tipsim.param_rules import ordered
from tipsim.params import Params as BaseParams
from tipsim.params import param


class Params(BaseParams):
    """An error ratio, the SLO it is judged against, and how long it lasts."""

    error_ratio: float = param(0.05, ge=0.0, le=1.0, percent=True, step=0.001,
                               description="share of requests failing from t = 0")
    slo: float = param(0.999, ge=0.5, lt=1.0, step=0.0005,
                       description="availability objective over 30 days (e.g. 0.999)")
    duration_s: float = param(7200.0, ge=60.0, le=SLO_PERIOD_S, unit="s", slider=(600, 86_400),
                              description="how long the error ratio lasts")
    baseline_error_ratio: float = param(0.0, ge=0.0, le=1.0, percent=True,
                                        description="error ratio of the healthy history")
    rate_per_s: float = param(10.0, gt=0.0, le=1_000_000.0, unit="req/s",
                              description="request rate (the ratios do not depend on it)")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        return ordered(self, "baseline_error_ratio", "<=", "error_ratio")


def run_cli(params: Params, *, seed: int, replications: int | None = None) -> dict[str, Any]:
    """``tipsim run burn-rate``: deterministic (``seed`` and ``replications`` are unused)."""
    p = params
    steps = max(1, int(math.ceil(p.duration_s / EVALUATION_INTERVAL_S)))
    per_step = p.rate_per_s * EVALUATION_INTERVAL_S
    good = np.full(steps, per_step * (1.0 - p.error_ratio))
    bad = np.full(steps, per_step * p.error_ratio)
    outcomes = evaluate(good, bad, p.slo, baseline_error_ratio=p.baseline_error_ratio)
    alerts = []
    for outcome in outcomes:
        entry = outcome.as_dict()
        entry["closed_form_s"] = closed_form_fire_s(
            p.error_ratio, p.slo, outcome.alert, baseline_error_ratio=p.baseline_error_ratio)
        entry["budget_share_in_long_window"] = outcome.alert.budget_share()
        alerts.append(entry)
    pages = [a["fired_at_s"] for a in alerts if a["severity"] == "page" and a["fired_at_s"]]
    return {
        "error_ratio": p.error_ratio,
        "slo": p.slo,
        "burn_rate": p.error_ratio / (1.0 - p.slo),
        "duration_s": p.duration_s,
        "evaluation_interval_s": EVALUATION_INTERVAL_S,
        "history": f"healthy at error ratio {p.baseline_error_ratio:g} before t = 0",
        "first_page_s": min(pages) if pages else None,
        "budget_exhausted_s": budget_exhausted_s(p.error_ratio, p.slo),
        "error_budget_used": float(bad.sum() / (p.rate_per_s * SLO_PERIOD_S * (1.0 - p.slo))),
        "burn_rate_alerts": alerts,
        "alert_rules": [a.model_dump() for a in WORKBOOK_ALERTS],
    }
