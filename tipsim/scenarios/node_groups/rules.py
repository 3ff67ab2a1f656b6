"""The NoExecute eviction rules, one small cluster per case, for the lesson.

One insecure node holds one external pod; an empty secure node waits beside it. Taints
come and go at given times; each case says when the original pod was evicted (``None``:
never). Everything is plain data: a toleration is ``(taint, seconds)`` with the taint
spelled as ``kubectl`` does (``"external=true:NoExecute"``; seconds ``None`` means
forever), an action is ``(time_s, "taint" | "untaint", taint)`` on the insecure node.

Example
-------
>>> evicted_at([("external=true:NoExecute", 30)], [(5, "taint", "external=true:NoExecute")])
35.0
>>> evicted_at([], [(5, "taint", "external=true:NoExecute")])
5.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tipsim.sim.k8s.kubectl import Action, run_actions
from tipsim.sim.k8s.spec import (
    EXTERNAL_TAINT,
    ClusterSpec,
    NodeGroupSpec,
    Taint,
    Toleration,
    WorkloadSpec,
)

TolerationData = tuple[str, float | None]
"""``(taint, seconds)``: tolerate exactly that taint for that long (``None``: forever)."""
ActionData = tuple[float, str, str]
"""``(time_s, verb, taint)`` with verb ``"taint"`` or ``"untaint"``, on the insecure node."""

EXTERNAL = EXTERNAL_TAINT.as_text()
"""``external=true:NoExecute``, the talk's taint."""
PATCH = Taint(key="patch", value="pending", effect="NoExecute").as_text()
"""A second NoExecute taint, ``patch=pending:NoExecute``, for the cases with two taints."""


def _cluster(tolerations: tuple[Toleration, ...]) -> ClusterSpec:
    return ClusterSpec(
        node_groups=(NodeGroupSpec(name="insecure", size=1, os_image="ubuntu-xenial-16.04",
                                   secure=False),
                     NodeGroupSpec(name="secure", size=0, os_image="ubuntu-bionic-18.04",
                                   spare=1)),
        workloads=(WorkloadSpec(name="web", kind="external", replicas=1, cpu_m=500,
                                memory_mb=512, tolerations=tolerations, startup_s=20.0),),
    )


def evicted_at(tolerations: Sequence[TolerationData], actions: Sequence[ActionData], *,
               until_s: float = 300.0) -> float | None:
    """When the pod on the insecure node was evicted (``None``: still running at ``until_s``).

    Parameters
    ----------
    tolerations
        The pod's NoExecute tolerations, ``(taint, seconds)`` each.
    actions
        ``(time_s, "taint" | "untaint", taint)`` on the insecure node.
    until_s
        How long to watch.
    """
    tols = tuple(Toleration.for_taint(Taint.parse(text), None if s is None else float(s))
                 for text, s in tolerations)
    cues = [Action(at_s=float(t_s), verb=verb, node=0, taint=text)
            for t_s, verb, text in actions]
    cluster = run_actions(_cluster(tols), cues, until_s=until_s)
    pod = cluster.pods[0]
    return None if pod.alive else pod.ended_s


CASES: tuple[tuple[str, tuple[TolerationData, ...], tuple[ActionData, ...]], ...] = (
    ("no toleration", (), ((5, "taint", EXTERNAL),)),
    ("toleration, no seconds", ((EXTERNAL, None),), ((5, "taint", EXTERNAL),)),
    ("tolerationSeconds=30", ((EXTERNAL, 30),), ((5, "taint", EXTERNAL),)),
    ("two taints, 60 s and 20 s", ((EXTERNAL, 60), (PATCH, 20)),
     ((5, "taint", EXTERNAL), (5, "taint", PATCH))),
    ("30 s + forever, first taint removed at 10 s", ((EXTERNAL, 30), (PATCH, None)),
     ((5, "taint", EXTERNAL), (5, "taint", PATCH), (10, "untaint", EXTERNAL))),
    ("30 s + 100 s, first taint removed at 10 s", ((EXTERNAL, 30), (PATCH, 100)),
     ((5, "taint", EXTERNAL), (5, "taint", PATCH), (10, "untaint", EXTERNAL))),
    ("30 s, all taints removed at 10 s", ((EXTERNAL, 30),),
     ((5, "taint", EXTERNAL), (10, "untaint", EXTERNAL))),
)
"""The lesson's cases: name, tolerations, actions."""


def _text(tolerations: Sequence[TolerationData], actions: Sequence[ActionData]) -> tuple[str, str]:
    tol = ", ".join(f"{t} for {'ever' if s is None else f'{s:g} s'}" for t, s in tolerations)
    act = ", ".join(f"{v} {t} at {s:g} s" for s, v, t in actions)
    return tol or "none", act


def eviction_rule_cases() -> list[dict[str, Any]]:
    """Each case of :data:`CASES` run: ``case``, ``tolerations``, ``actions`` (as text) and
    ``evicted_at_s`` (``None``: never)."""
    rows = []
    for name, tolerations, actions in CASES:
        tol, act = _text(tolerations, actions)
        rows.append({"case": name, "tolerations": tol, "actions": act,
                     "evicted_at_s": evicted_at(tolerations, actions)})
    return rows
