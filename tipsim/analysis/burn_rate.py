"""Error-budget burn-rate alerts: when would the on-call engineer have been paged?

An SLO of 99.9 % over 30 days allows 0.1 % of the period's requests to fail: the *error
budget*. The *burn rate* of a stretch of time is its error ratio divided by that allowance
(``error ratio / (1 - SLO)``): at burn rate 1 the budget lasts exactly the period, at 14.4
it is gone in 50 hours. Google's SRE workbook (chapter "Alerting on SLOs", section 6,
"Multiwindow, multi-burn-rate alerts") recommends three alerts for a 30-day SLO, each
firing only when the burn rate over a long window *and* over a short window both exceed a
threshold (the short window makes the alert stop soon after the problem does):

=========  ==========  ===========  ============  ==================================
severity   burn rate   long window  short window  share of the 30-day budget spent
=========  ==========  ===========  ============  ==================================
page       14.4        1 h          5 min         2 % (in the long window)
page       6           6 h          30 min        5 %
ticket     1           3 days       6 h           10 %
=========  ==========  ===========  ============  ==================================

A simulated run lasts minutes to hours, but the alert windows reach back up to three days.
The history before the run counts as healthy at the run's *baseline* error ratio (the
error ratio before the change, or the service's background error rate) and at the run's
mean event rate: a run that starts with an incident is not paged instantly because of a
fictitious clean or dirty past. Rules are evaluated at the end of each minute, as a
Prometheus rule group with a one-minute evaluation interval would.

For a step from baseline ``b`` to error ratio ``e`` at time 0 (constant rate), a window
of length ``W`` sees ratio ``b + (e - b) t / W`` at ``t <= W``, so it crosses a threshold
``T`` (> ``b``) at ``t = W (T - b) / (e - b)``; an alert fires once both of its windows
have crossed (:func:`closed_form_fire_s`). Example: ``e = 0.5``, SLO 99.9 %, ``b = 0``:
the 14.4x page needs ``3600 s x 0.0144 / 0.5 = 104 s`` of the long window and ``8.6 s`` of
the short one, so it fires after about 104 s (at the 120 s evaluation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from tipsim.errors import ParameterError
from tipsim.params import Params, param

SLO_PERIOD_S = 30 * 86_400.0
"""The SLO period the workbook's thresholds are for (30 days)."""
EVALUATION_INTERVAL_S = 60.0


class BurnRateAlert(Params):
    """One multiwindow burn-rate alert rule."""

    name: str = param("fast burn", description="the alert's name")
    severity: Literal["page", "ticket"] = param("page", description="who is told")
    burn_rate: float = param(14.4, gt=0, le=1000, description="threshold on both windows")
    long_window_s: float = param(3600.0, gt=0, le=SLO_PERIOD_S, unit="s",
                                 description="long window")
    short_window_s: float = param(300.0, gt=0, le=SLO_PERIOD_S, unit="s",
                                  description="short window")

    def budget_share(self, period_s: float = SLO_PERIOD_S) -> float:
        """Share of the period's budget spent in the long window at the threshold burn."""
        return self.burn_rate * self.long_window_s / period_s


WORKBOOK_ALERTS: tuple[BurnRateAlert, ...] = (
    BurnRateAlert(name="fast burn", severity="page", burn_rate=14.4,
                  long_window_s=3600.0, short_window_s=300.0),
    BurnRateAlert(name="slow burn", severity="page", burn_rate=6.0,
                  long_window_s=6 * 3600.0, short_window_s=1800.0),
    BurnRateAlert(name="budget leak", severity="ticket", burn_rate=1.0,
                  long_window_s=3 * 86_400.0, short_window_s=6 * 3600.0),
)
"""The SRE workbook's recommended alerts for a 30-day SLO (chapter "Alerting on SLOs")."""


@dataclass(frozen=True)
class AlertOutcome:
    """When one alert rule first fired in a run (``fired_at_s`` None: never)."""

    alert: BurnRateAlert
    fired_at_s: float | None

    def as_dict(self) -> dict[str, Any]:
        """The ``burn_rate_alerts`` entry of ``tipsim run ... --json``."""
        a = self.alert
        return {"name": a.name, "severity": a.severity, "burn_rate": a.burn_rate,
                "long_window_s": a.long_window_s, "short_window_s": a.short_window_s,
                "fired_at_s": self.fired_at_s}


def _check_slo(slo: float) -> None:
    if not 0.0 < slo < 1.0:
        raise ParameterError("slo", slo, "a number > 0 and < 1 (e.g. 0.999)")


def per_minute(time_s: np.ndarray, ok: np.ndarray, duration_s: float,
               step_s: float = EVALUATION_INTERVAL_S) -> tuple[np.ndarray, np.ndarray]:
    """Good and bad event counts per ``step_s`` from per-request arrays.

    Examples
    --------
    >>> good, bad = per_minute(np.array([1.0, 2.0, 61.0]), np.array([True, False, True]), 120)
    >>> good.tolist(), bad.tolist()
    ([1.0, 1.0], [1.0, 0.0])
    """
    t = np.asarray(time_s, dtype=float)
    okk = np.asarray(ok, dtype=bool)
    n = max(1, int(math.ceil(duration_s / step_s)))
    keep = (t >= 0) & (t < n * step_s)
    idx = (t[keep] // step_s).astype(np.int64)
    good = np.bincount(idx, weights=okk[keep], minlength=n)[:n].astype(float)
    bad = np.bincount(idx, weights=~okk[keep], minlength=n)[:n].astype(float)
    return good, bad


def window_error_ratios(good: np.ndarray, bad: np.ndarray, window_s: float, *,
                        baseline_error_ratio: float,
                        step_s: float = EVALUATION_INTERVAL_S) -> np.ndarray:
    """Error ratio over the ``window_s`` ending at each evaluation (end of step ``k``),
    with the history before the run at the baseline ratio and the run's mean rate."""
    good = np.asarray(good, dtype=float)
    bad = np.asarray(bad, dtype=float)
    steps = max(1, int(round(window_s / step_s)))
    rate = float((good.sum() + bad.sum()) / max(good.size, 1))
    hist_bad = np.full(steps, rate * baseline_error_ratio)
    hist_good = np.full(steps, rate * (1.0 - baseline_error_ratio))
    cum_bad = np.concatenate([[0.0], np.cumsum(np.concatenate([hist_bad, bad]))])
    cum_all = np.concatenate([[0.0], np.cumsum(np.concatenate([hist_bad + hist_good,
                                                               bad + good]))])
    end = steps + np.arange(1, good.size + 1)
    w_bad = cum_bad[end] - cum_bad[end - steps]
    w_all = cum_all[end] - cum_all[end - steps]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(w_all > 0, w_bad / w_all, 0.0)


def evaluate(good: np.ndarray, bad: np.ndarray, slo: float, *,
             baseline_error_ratio: float = 0.0,
             alerts: Sequence[BurnRateAlert] = WORKBOOK_ALERTS,
             step_s: float = EVALUATION_INTERVAL_S) -> list[AlertOutcome]:
    """When each alert first fires, for per-step good/bad counts and an SLO.

    An alert fires at the first evaluation where the burn rate over both its windows
    exceeds its threshold (error ratio > ``burn_rate * (1 - slo)``).

    Examples
    --------
    >>> good, bad = np.full(120, 300.0), np.full(120, 300.0)   # 50 % errors for 2 h
    >>> [o.fired_at_s for o in evaluate(good, bad, 0.999)]
    [120.0, 300.0, 540.0]
    """
    _check_slo(slo)
    if not 0.0 <= baseline_error_ratio <= 1.0:
        raise ParameterError("baseline_error_ratio", baseline_error_ratio, "a number >= 0 and <= 1")
    out = []
    for alert in alerts:
        threshold = alert.burn_rate * (1.0 - slo)
        long_r = window_error_ratios(good, bad, alert.long_window_s,
                                     baseline_error_ratio=baseline_error_ratio, step_s=step_s)
        short_r = window_error_ratios(good, bad, alert.short_window_s,
                                      baseline_error_ratio=baseline_error_ratio, step_s=step_s)
        firing = np.flatnonzero((long_r > threshold) & (short_r > threshold))
        out.append(AlertOutcome(alert, float((firing[0] + 1) * step_s) if firing.size else None))
    return out


def alerts_for_requests(time_s: np.ndarray, ok: np.ndarray, duration_s: float, slo: float, *,
                        baseline_error_ratio: float) -> list[dict[str, Any]]:
    """``burn_rate_alerts`` of a run from its per-request arrays (bad = failed request)."""
    good, bad = per_minute(time_s, ok, duration_s)
    return [o.as_dict() for o in evaluate(good, bad, slo,
                                          baseline_error_ratio=baseline_error_ratio)]


def run_alerts(time_s: np.ndarray, ok: np.ndarray, *, duration_s: float, slo: float,
               onset_s: float) -> dict[str, Any]:
    """``burn_rate_alerts`` and ``first_page_s`` of a simulated run.

    The baseline error ratio of the history before the run is the run's own error ratio
    before ``onset_s`` (the change), or 0 when nothing was served before it.
    """
    t = np.asarray(time_s, dtype=float)
    okk = np.asarray(ok, dtype=bool)
    before = t < onset_s
    baseline = float((~okk[before]).mean()) if before.any() else 0.0
    alerts = alerts_for_requests(t, okk, duration_s, slo, baseline_error_ratio=baseline)
    return {"burn_rate_alerts": alerts, "first_page_s": first_page_s(alerts),
            "burn_rate_baseline_error_ratio": baseline}


def first_page_s(alerts: Sequence[dict[str, Any]]) -> float | None:
    """When the first page fired (None: nobody was paged)."""
    times = [a["fired_at_s"] for a in alerts
             if a["severity"] == "page" and a["fired_at_s"] is not None]
    return min(times) if times else None


def closed_form_fire_s(error_ratio: float, slo: float, alert: BurnRateAlert, *,
                       baseline_error_ratio: float = 0.0) -> float | None:
    """Time after a step from the baseline to ``error_ratio`` at which ``alert``'s windows
    both cross its threshold, in continuous time (None: it never fires).

    Examples
    --------
    >>> round(closed_form_fire_s(0.5, 0.999, WORKBOOK_ALERTS[0]), 1)
    103.7
    """
    _check_slo(slo)
    threshold = alert.burn_rate * (1.0 - slo)
    if error_ratio <= threshold:
        return None
    b = baseline_error_ratio
    if b > threshold:
        return 0.0
    return max(w * (threshold - b) / (error_ratio - b)
               for w in (alert.long_window_s, alert.short_window_s))


def budget_exhausted_s(error_ratio: float, slo: float, period_s: float = SLO_PERIOD_S
                       ) -> float | None:
    """How long a constant error ratio takes to spend the whole budget (None: never).

    Examples
    --------
    >>> round(budget_exhausted_s(0.0144, 0.999) / 86_400, 2)   # burn 14.4: about 2 days
    2.08
    """
    _check_slo(slo)
    if error_ratio <= 0:
        return None
    return period_s * (1.0 - slo) / error_ratio
