"""NoExecute taint eviction, decided the way Kubernetes' taint eviction controller decides it.

Think of a building manager posting "leave by" notices: a tenant with no permit leaves at
once; one with an open-ended permit for every sign on the door stays, and any notice
already posted is torn up; one with a 30-second permit gets a notice for 30 seconds from
now, and a notice posted earlier keeps its time.

Rules (kubernetes.io "Taints and Tolerations"; ``processPodOnNode`` in Kubernetes'
``pkg/controller/tainteviction/taint_eviction.go``, before 1.29
``pkg/controller/nodelifecycle/scheduler/taint_manager.go``), checked on every taint change
of the pod's node and when the pod is bound to it:

* no NoExecute taint left on the node: any scheduled eviction is cancelled;
* a pod that does not tolerate every NoExecute taint is evicted at once;
* if every taint is tolerated and no used toleration has ``tolerationSeconds``, the pod
  stays, and any eviction already scheduled is cancelled. This is the behaviour since
  kubernetes/kubernetes#93722 (fixing #90794): Kubernetes v1.20.0 (listed in the
  v1.20.0-alpha.1 release notes) and the v1.18.9 and v1.17.12 patch releases (cherry-picks
  #93814, #93815; #93816 on the 1.16 branch). Before it, a scheduled eviction survived
  as long as *any* NoExecute taint was left on the node;
* otherwise the pod is evicted ``min(tolerationSeconds)`` after now (a value <= 0 means at
  once), unless an eviction was scheduled at an earlier time: that one keeps its time,
  whatever the taints are now (``if startTime.Add(minTolerationTime).Before(triggerTime)
  { return }``; ``tolerationSeconds`` cannot be lengthened once scheduled, #102993);
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
>>> decide(ScheduledEviction(100.0, 130.0), [t], [Toleration.for_taint(t)], now_s=110.0).action
'cancel'
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
        # Every remaining taint tolerated forever: cancel any scheduled deletion (#93722).
        return Decision("cancel")
    if scheduled is not None and scheduled.created_s < now_s:
        # Posted earlier: its time stands, whatever the taints say now (#102993).
        return Decision("keep")
    created_s = scheduled.created_s if scheduled is not None else now_s
    return Decision("schedule", created_s, created_s + limit_s)
