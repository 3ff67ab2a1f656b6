"""``kubectl`` on a clock: a list of node actions played against a running cluster.

Like a stage manager's cue sheet: at 5 s taint node 0, at 10 s take the taint off again.
Each :class:`Action` is plain data (time, verb, node, taint), so a scenario or a lesson can
write the cues down without touching simpy; :func:`play` starts one process that carries
them out in time order, and :func:`run_actions` builds a cluster, plays the cues and runs
the clock.

Example
-------
>>> from tipsim.sim.k8s.spec import ClusterSpec, NodeGroupSpec, WorkloadSpec
>>> spec = ClusterSpec(node_groups=(NodeGroupSpec(name="old", size=1, secure=False),),
...                    workloads=(WorkloadSpec(name="web", kind="external", replicas=1),))
>>> cluster = run_actions(spec, [Action(at_s=5, verb="taint", taint="external=true:NoExecute")],
...                       until_s=20)
>>> cluster.pods[0].ended_s
5.0
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any, Literal

import simpy
from pydantic import field_validator, model_validator

from tipsim.params import Params, param
from tipsim.sim.k8s.cluster import Cluster
from tipsim.sim.k8s.spec import ClusterSpec, Taint, taint_from

Verb = Literal["taint", "untaint", "cordon", "drain"]


class Action(Params):
    """One ``kubectl`` verb on one node at one time (``taint``/``untaint`` need a taint)."""

    at_s: float = param(ge=0, unit="s", description="when the action happens")
    verb: Verb = param(description="kubectl taint / taint ... - / cordon / drain")
    node: int = param(0, ge=0, description="index of the node")
    taint: Taint | None = param(None, description="the taint, e.g. external=true:NoExecute")

    @field_validator("taint", mode="before")
    @classmethod
    def _parse_taint(cls, value: Any) -> Any:
        return None if value is None else taint_from(value)

    @model_validator(mode="after")
    def _taint_given(self) -> Action:
        if self.verb in ("taint", "untaint") and self.taint is None:
            raise ValueError("taint: a taint such as external=true:NoExecute for " + self.verb)
        return self


def play(cluster: Cluster, actions: Sequence[Action]) -> simpy.Process:
    """Start the process that carries out ``actions`` at their times (stable time order)."""
    env = cluster.env
    cues = sorted(actions, key=lambda a: a.at_s)

    def run() -> Generator[simpy.Event, Any, None]:
        for action in cues:
            wait_s = action.at_s - float(env.now)
            if wait_s > 0:  # actions at the same instant run back to back, as one cue
                yield env.timeout(wait_s)
            if action.verb == "taint":
                assert action.taint is not None
                cluster.taint(action.node, action.taint)
            elif action.verb == "untaint":
                assert action.taint is not None
                cluster.untaint(action.node, action.taint)
            elif action.verb == "cordon":
                cluster.cordon(action.node)
            else:
                cluster.drain(action.node)

    return env.process(run())


def run_actions(spec: ClusterSpec, actions: Sequence[Action], *, until_s: float,
                **cluster_options: Any) -> Cluster:
    """A cluster of ``spec`` with ``actions`` played on it until ``until_s``
    (``cluster_options`` go to :class:`~tipsim.sim.k8s.cluster.Cluster`)."""
    env = simpy.Environment()
    cluster = Cluster(env, spec, **cluster_options)
    play(cluster, actions)
    env.run(until=until_s)
    return cluster
