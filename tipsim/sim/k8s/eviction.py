"""NoExecute taint eviction, decided the way Kubernetes' taint eviction controller decides it.

Think of a building manager posting "leave by" notices: a tenant with no permit leaves at
once; one with an open-ended permit stays; one with a 30-second permit gets a notice for
30 seconds from now; and once a notice is posted it is only torn up when every sign on the
door has come down.

Rules (kubernetes.io "Taints and Tolerations"; ``processPodOnNode`` in Kubernetes'
``pkg/controller/nodelifecycle/scheduler/taint_manager.go``):

* a pod that does not tolerate every NoExecute taint on its node is evicted at once;
* if every taint is tolerated and no used toleration has ``tolerationSeconds``, the pod
  stays forever (and an eviction already scheduled is *not* cancelled);
* otherwise it is evicted ``min(tolerationSeconds)`` after the taints were seen
  (a value <= 0 means at once);
* an eviction already scheduled keeps its time when taints change (``tolerationSeconds``
  cannot be lengthened once scheduled, kubernetes/kubernetes#102993); it is cancelled only
  when *all* NoExecute taints are gone from the node (kubernetes/kubernetes#90794);
* eviction deletes the pod directly, not through the Eviction API, so
  PodDisruptionBudgets are not honoured.

This module only decides; :mod:`tipsim.sim.k8s.taint_manager` keeps the clock and applies
the decision.

Example
-------
>>> from tipsim.sim.k8s.spec import Taint, Toleration
>>> t = Taint(key="external", value="true", effect="NoExecute")
>>> decide(None, [t], [Toleration.for_taint(t, 30.0)], now_s=100.0)
Decision(action='schedule', created_s=100.0, trigger_s=130.0)
>>> decide(None, [t], [], now_s=100.0).action
'evict_now'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tipsim.sim.k8s.spec import Taint, Toleration


@dataclass(frozen=True)
class ScheduledEviction:
    """An eviction in the queue: posted at ``created_s``, due at ``trigger_s``."""

    created_s: float
    trigger_s: float


@dataclass(frozen=True)
class Decision:
    """What the taint eviction controller does for one pod at one moment.

    ``action`` is ``"evict_now"``, ``"schedule"`` (replace any scheduled eviction with
    ``created_s``/``trigger_s``), ``"cancel"`` (drop any scheduled eviction) or ``"keep"``
    (leave things as they are).
    """

    action: Literal["evict_now", "schedule", "cancel", "keep"]
    created_s: float = 0.0
    trigger_s: float = 0.0


def noexecute(taints: Sequence[Taint]) -> list[Taint]:
    """The NoExecute taints among ``taints``."""
    return [t for t in taints if t.effect == "NoExecute"]


def matching_tolerations(taints: Sequence[Taint], tolerations: Sequence[Toleration]
                         ) -> tuple[bool, list[Toleration]]:
    """Whether every taint is tolerated, and the first toleration used for each taint."""
    used: list[Toleration] = []
    for taint in taints:
        match = next((tol for tol in tolerations if tol.tolerates(taint)), None)
        if match is None:
            return False, []
        used.append(match)
    return True, used


def min_toleration_s(used: Sequence[Toleration]) -> float | None:
    """The smallest ``tolerationSeconds`` among ``used``; ``None`` if all tolerate forever.

    No toleration at all means 0 (evict at once); a value <= 0 also means 0.
    """
    if not used:
        return 0.0
    limits = [t.toleration_seconds for t in used if t.toleration_seconds is not None]
    if not limits:
        return None
    return max(0.0, float(min(limits)))


def decide(scheduled: ScheduledEviction | None, taints: Sequence[Taint],
           tolerations: Sequence[Toleration], now_s: float) -> Decision:
    """Decide for one pod whose node now carries ``taints`` (called on every taint change
    of the node and when the pod is bound to it).

    Parameters
    ----------
    scheduled
        The pod's eviction already in the queue, if any.
    taints
        All the node's taints now (only NoExecute ones count).
    tolerations
        The pod's tolerations.
    now_s
        The current time.
    """
    ne = noexecute(taints)
    if not ne:
        return Decision("cancel")
    all_tolerated, used = matching_tolerations(ne, tolerations)
    if not all_tolerated:
        return Decision("evict_now", now_s, now_s)
    limit_s = min_toleration_s(used)
    if limit_s is None:
        # Tolerated forever now, but a notice already posted stays posted (#90794).
        return Decision("keep")
    if scheduled is not None and scheduled.created_s < now_s:
        # Posted earlier: its time stands, whatever the taints say now (#102993).
        return Decision("keep")
    created_s = scheduled.created_s if scheduled is not None else now_s
    return Decision("schedule", created_s, created_s + limit_s)
