"""Blast radius: how much of the service a change hurt, and for how long.

The talk's conclusion is that testing in production *organises* blast radius (slide
15). Here it is measured from per-request arrays over the interval from the change
(``onset_s``) to ``end_s``:

* ``failed_requests`` and ``slow_requests`` (succeeded, slower than the SLO threshold);
* ``affected_users``: distinct users with at least one failed or slow request;
* ``slo_breach_minutes``: minutes of windows breaching the SLO (:mod:`tipsim.analysis.slo`);
* ``error_budget_used``: share of the period's error budget the bad requests spent;
* ``time_to_detect_s``: from onset to detection, as reported by the caller's monitor, or
  else to the end of the first breached window (an SLO alert); ``None`` if neither;
* ``time_to_recover_s``: from onset to the end of the last breached window; 0 if no
  window breached; ``None`` if the last window is still in breach (not recovered).

The function is shared by every scenario (feature toggle, canary, node groups).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from tipsim.analysis.slo import SLO, error_budget_used, window_compliance
from tipsim.errors import ParameterError


@dataclass(frozen=True)
class BlastRadius:
    """The damage a change did (see module doc for each field)."""

    requests: int
    failed_requests: int
    slow_requests: int
    affected_users: int
    slo_breach_minutes: float
    error_budget_used: float
    time_to_detect_s: float | None
    time_to_recover_s: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def blast_radius(time_s: np.ndarray, user: np.ndarray, ok: np.ndarray, latency_s: np.ndarray,
                 slo: SLO, *, onset_s: float, end_s: float,
                 detected_s: float | None = None) -> BlastRadius:
    """Measure the blast radius of a change starting at ``onset_s``.

    Parameters
    ----------
    time_s, user, ok, latency_s
        Per-request arrays (arrival time, user id, success, latency).
    slo
        The objectives windows are judged against.
    onset_s, end_s
        The interval measured (requests arriving in ``[onset_s, end_s)``).
    detected_s
        When the caller's monitor detected the problem (``None``: use the SLO windows).

    Examples
    --------
    >>> t = np.arange(0.0, 300.0, 0.5)                 # 2 req/s for 5 minutes
    >>> ok = ~((t >= 60) & (t < 90))                  # 30 s of failures
    >>> br = blast_radius(t, (t * 2).astype(int) % 7, ok, np.full(t.size, 0.1), SLO(),
    ...                   onset_s=0.0, end_s=300.0)
    >>> br.failed_requests, br.affected_users, br.slo_breach_minutes, br.time_to_recover_s
    (60, 7, 1.0, 120.0)
    """
    if not end_s > onset_s:
        raise ParameterError("end_s", end_s, f"a number > onset_s={onset_s}")
    t = np.asarray(time_s, dtype=float)
    sel = (t >= onset_s) & (t < end_s)
    okk = np.asarray(ok, dtype=bool)[sel]
    lat = np.asarray(latency_s, dtype=float)[sel]
    users = np.asarray(user)[sel]
    slow = okk & (lat > slo.latency_threshold_s)
    bad = ~okk | slow
    windows = window_compliance(t[sel], okk, lat, slo, start_s=onset_s, end_s=end_s)
    breached = windows["breached"]
    ends = np.minimum(windows["window_start_s"] + slo.window_s, end_s)
    idx = np.flatnonzero(breached)
    if detected_s is not None:
        ttd: float | None = max(0.0, float(detected_s) - onset_s)
    elif idx.size:
        ttd = float(ends[idx[0]] - onset_s)
    else:
        ttd = None
    if idx.size == 0:
        ttr: float | None = 0.0
    elif idx[-1] == breached.size - 1:
        ttr = None
    else:
        ttr = float(ends[idx[-1]] - onset_s)
    breach_s = float(np.sum(ends[idx] - windows["window_start_s"][idx]))
    return BlastRadius(
        requests=int(sel.sum()),
        failed_requests=int((~okk).sum()),
        slow_requests=int(slow.sum()),
        affected_users=int(np.unique(users[bad]).size),
        slo_breach_minutes=breach_s / 60.0,
        error_budget_used=error_budget_used(int(bad.sum()), int(sel.sum()), end_s - onset_s,
                                            slo),
        time_to_detect_s=ttd,
        time_to_recover_s=ttr,
    )
