"""``kubectl`` cues as plain data, played on a cluster at their times."""

from __future__ import annotations

import pytest
from k8s_support import A, group, tol, web

from tipsim.errors import ParameterError
from tipsim.sim.k8s.kubectl import Action, run_actions
from tipsim.sim.k8s.spec import ClusterSpec


def _spec(tolerations=()) -> ClusterSpec:
    return ClusterSpec(node_groups=(group("old", 1, secure=False), group("new", 0, spare=1)),
                       workloads=(web(1, tolerations),))


def test_actions_run_at_their_times_in_time_order() -> None:
    """Given out of order: taint at 5, untaint at 10; a 30 s toleration never runs out."""
    cues = [Action(at_s=10, verb="untaint", taint=A), Action(at_s=5, verb="taint", taint=A)]
    c = run_actions(_spec((tol(A, 30.0),)), cues, until_s=100)
    assert c.pods[0].alive
    assert c.nodes[0].taint_events == [(5.0, A.as_text(), True), (10.0, A.as_text(), False)]


def test_cordon_and_drain_cues() -> None:
    c = run_actions(_spec(), [Action(at_s=3, verb="drain")], until_s=50)
    assert c.nodes[0].cordoned_s == 3.0 and c.pods[0].ended_s == 3.0
    assert c.pods[0].end_reason == "drain"


def test_a_taint_cue_needs_a_taint() -> None:
    with pytest.raises(ParameterError, match="taint"):
        Action.create(at_s=1, verb="taint")
    assert Action(at_s=1, verb="taint", taint="external=true:NoExecute").taint == A
