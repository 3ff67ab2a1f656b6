"""The taint eviction controller's decision table, without a clock.

Rules from kubernetes.io "Taints and Tolerations" and ``processPodOnNode`` in
``pkg/controller/tainteviction/taint_eviction.go`` (kubernetes/kubernetes#90794, #102993).
"""

from __future__ import annotations

from k8s_support import A, B, tol

from tipsim.sim.k8s.eviction import ScheduledEviction, decide, min_toleration_s
from tipsim.sim.k8s.spec import Taint, Toleration


def test_decide_rules_directly():
    """The decision table, without a clock."""
    now = 50.0
    assert decide(None, [], [], now).action == "cancel"
    assert decide(None, [Taint(key="k", effect="NoSchedule")], [], now).action == "cancel"
    assert decide(None, [A], [tol(B, 10.0)], now).action == "evict_now"
    assert decide(None, [A], [tol(A)], now).action == "cancel"
    # tolerated forever now: a scheduled deletion is cancelled (#93722)
    assert decide(ScheduledEviction(10.0, 40.0), [A], [tol(A)], now).action == "cancel"
    d = decide(None, [A, B], [tol(A, 60.0), tol(B, 20.0)], now)
    assert (d.action, d.trigger_s) == ("schedule", 70.0)
    assert decide(ScheduledEviction(10.0, 70.0), [A], [tol(A, 5.0)], now).action == "keep"
    assert min_toleration_s([tol(A, -3.0)]) == 0.0
    assert min_toleration_s([Toleration(operator="Exists")]) is None
    assert min_toleration_s([tol(A, 7.5), tol(B)]) == 7.5
