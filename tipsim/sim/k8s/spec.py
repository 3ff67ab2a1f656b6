"""A Kubernetes cluster as plain data: node groups, workloads, DaemonSets, taints, tolerations.

Like a building plan that says how many rooms of which size, before anyone moves in: the
spec says what the cluster is made of; :mod:`tipsim.sim.k8s.cluster` runs it. Everything
here is a frozen dataclass that turns into and out of plain dicts, so the lead can size the
simulated cluster from the emulator's read-back of EKS node groups
(:func:`node_group_from_dict` accepts ``desiredSize``/``instanceTypes``-free dicts with
``name``, ``size``, ``cpu_m``, ``memory_mb``, ``os_image``, ``taints``).

Example
-------
>>> g = NodeGroupSpec("old", size=2, cpu_m=2000, memory_mb=4096, os_image="ubuntu-xenial-16.04",
...                   secure=False)
>>> node_group_from_dict(g.to_dict()) == g
True
>>> EXTERNAL_TAINT.as_text()
'external=true:NoExecute'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tipsim.errors import ParameterError

Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
WorkloadKind = Literal["internal", "external"]
_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


@dataclass(frozen=True)
class Taint:
    """A node taint ``key=value:effect`` (``kubectl taint nodes NODE key=value:effect``)."""

    key: str
    value: str = ""
    effect: Effect = "NoExecute"

    def __post_init__(self) -> None:
        if self.effect not in _EFFECTS:
            raise ParameterError("effect", self.effect, "one of " + ", ".join(_EFFECTS))

    def as_text(self) -> str:
        """The ``kubectl taint`` spelling."""
        return f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"


EXTERNAL_TAINT = Taint("external", "true", "NoExecute")
"""The talk's taint (slide 12): ``kubectl taint nodes external=true:NoExecute``."""


@dataclass(frozen=True)
class Toleration:
    """A pod toleration.

    Parameters
    ----------
    key
        Taint key; empty with ``operator="Exists"`` tolerates every taint.
    operator
        ``"Equal"`` (key and value must match) or ``"Exists"`` (key only).
    value
        Value to match when ``operator="Equal"``.
    effect
        Effect to match; ``None`` matches every effect.
    toleration_seconds
        For ``NoExecute``: how long the pod may stay once the taint is there; ``None``
        means forever.
    """

    key: str = ""
    operator: Literal["Equal", "Exists"] = "Equal"
    value: str = ""
    effect: Effect | None = None
    toleration_seconds: float | None = None

    def tolerates(self, taint: Taint) -> bool:
        """Whether this toleration matches ``taint`` (kubernetes.io "Taints and Tolerations")."""
        if self.effect is not None and self.effect != taint.effect:
            return False
        if self.operator == "Exists":
            return self.key == "" or self.key == taint.key
        return self.key == taint.key and self.value == taint.value


TOLERATE_EVERYTHING = Toleration(operator="Exists")
"""What node agents (DaemonSets such as kube-proxy or log shippers) commonly carry."""


@dataclass(frozen=True)
class NodeGroupSpec:
    """A managed node group: ``size`` identical nodes with one OS image.

    ``cpu_m`` and ``memory_mb`` are each node's allocatable capacity (millicores, MiB).
    ``secure`` says whether the OS image is the patched one (exposure counts external pod
    time on nodes where it is ``False``). ``spare`` more nodes join empty just after the
    running pods were placed (capacity added ahead of a move: running pods do not
    rebalance onto them). ``autoscale_max_extra`` nodes may be added to the group by the
    autoscaler.
    """

    name: str
    size: int
    cpu_m: int = 2000
    memory_mb: int = 4096
    os_image: str = ""
    secure: bool = True
    taints: tuple[Taint, ...] = ()
    autoscale_max_extra: int = 0
    spare: int = 0

    def __post_init__(self) -> None:
        if self.size < 0 or self.spare < 0:
            raise ParameterError(f"{self.name}.size", self.size, "a whole number >= 0")
        if self.cpu_m <= 0 or self.memory_mb <= 0:
            raise ParameterError(f"{self.name}.cpu_m", self.cpu_m, "capacities > 0")

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        d = asdict(self)
        d["taints"] = [asdict(t) for t in self.taints]
        return d


@dataclass(frozen=True)
class WorkloadSpec:
    """A Deployment: ``replicas`` pods of one template.

    ``startup_s`` is the mean time from binding to ready (image pull and readiness probe).
    ``min_available`` is its PodDisruptionBudget (used only by drains through the
    Eviction API; taint eviction ignores it).
    """

    name: str
    kind: WorkloadKind
    replicas: int
    cpu_m: int = 250
    memory_mb: int = 256
    tolerations: tuple[Toleration, ...] = ()
    startup_s: float = 20.0
    min_available: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tolerations"] = [asdict(t) for t in self.tolerations]
        return d


@dataclass(frozen=True)
class DaemonSetSpec:
    """A DaemonSet: one pod on every node, placed when the node joins."""

    name: str
    cpu_m: int = 100
    memory_mb: int = 128
    tolerations: tuple[Toleration, ...] = (TOLERATE_EVERYTHING,)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tolerations"] = [asdict(t) for t in self.tolerations]
        return d


@dataclass(frozen=True)
class ClusterSpec:
    """Node groups, Deployments and DaemonSets of one cluster."""

    node_groups: tuple[NodeGroupSpec, ...]
    workloads: tuple[WorkloadSpec, ...] = ()
    daemonsets: tuple[DaemonSetSpec, ...] = field(default_factory=tuple)

    def group(self, name: str) -> NodeGroupSpec:
        for g in self.node_groups:
            if g.name == name:
                return g
        raise ParameterError("node_group", name, "one of " + ", ".join(g.name for g in self.node_groups))

    def to_dict(self) -> dict[str, Any]:
        return {
            "node_groups": [g.to_dict() for g in self.node_groups],
            "workloads": [w.to_dict() for w in self.workloads],
            "daemonsets": [d.to_dict() for d in self.daemonsets],
        }


EKS_EFFECTS: dict[str, str] = {"NO_EXECUTE": "NoExecute", "NO_SCHEDULE": "NoSchedule",
                                "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
"""The EKS API spells taint effects in capitals (``NO_EXECUTE``); Kubernetes in camel case."""

INSTANCE_CAPACITY: dict[str, tuple[int, int]] = {
    "t2.micro": (1000, 1024),
    "t3.small": (2000, 2048),
    "t3.medium": (2000, 4096),
    "t3.large": (2000, 8192),
    "m5.large": (2000, 8192),
    "m5.xlarge": (4000, 16384),
}
"""(vCPU in millicores, memory in MiB) of a few EC2 instance types (AWS instance type pages).
These are whole-machine figures; kubelet reserves make the allocatable part a little smaller."""


def _taint(d: Any) -> Taint:
    if isinstance(d, Taint):
        return d
    if isinstance(d, str):  # "key=value:Effect"
        body, _, effect = d.rpartition(":")
        key, _, value = body.partition("=")
        return Taint(key, value, EKS_EFFECTS.get(effect, effect))  # type: ignore[arg-type]
    effect = d.get("effect", "NoExecute")
    return Taint(d["key"], d.get("value", "") or "", EKS_EFFECTS.get(effect, effect))  # type: ignore[arg-type]


def _toleration(d: Any) -> Toleration:
    if isinstance(d, Toleration):
        return d
    return Toleration(
        key=d.get("key", "") or "",
        operator=d.get("operator", "Equal"),
        value=d.get("value", "") or "",
        effect=d.get("effect"),
        toleration_seconds=d.get("toleration_seconds", d.get("tolerationSeconds")),
    )


def _secure_from_readback(d: dict[str, Any]) -> bool:
    if "secure" in d:
        return bool(d["secure"])
    label = str((d.get("labels") or {}).get("os-image", "")).lower()
    return label != "insecure"


def _capacity(d: dict[str, Any]) -> tuple[int, int]:
    if "cpu_m" in d or "memory_mb" in d:
        return int(d.get("cpu_m", 2000)), int(d.get("memory_mb", 4096))
    types = d.get("instance_types") or []
    if not types:
        return 2000, 4096
    if types[0] not in INSTANCE_CAPACITY:
        raise ParameterError("instance_types", types[0],
                             "one of " + ", ".join(INSTANCE_CAPACITY) + " (or give cpu_m, memory_mb)")
    return INSTANCE_CAPACITY[types[0]]


def node_group_from_dict(d: dict[str, Any]) -> NodeGroupSpec:
    """A node group from plain data: :meth:`NodeGroupSpec.to_dict` output, or the infra
    layer's EKS read-back (``tipsim.infra.stacks.node_group_specs``: ``name``,
    ``desired_size``, ``instance_types``, ``labels`` with ``os-image``, ``taints`` with
    EKS effects such as ``NO_EXECUTE``, ``image``).

    Taints may also be ``"key=value:Effect"`` strings. A group is insecure when
    ``secure`` is false or its ``os-image`` label says ``insecure``.
    """
    cpu_m, memory_mb = _capacity(d)
    return NodeGroupSpec(
        name=str(d["name"]),
        size=int(d.get("size", d.get("desired_size", 0))),
        cpu_m=cpu_m,
        memory_mb=memory_mb,
        os_image=str(d.get("os_image", d.get("image", ""))),
        secure=_secure_from_readback(d),
        taints=tuple(_taint(t) for t in d.get("taints", ())),
        autoscale_max_extra=int(d.get("autoscale_max_extra", 0)),
        spare=int(d.get("spare", 0)),
    )


def cluster_from_dict(d: dict[str, Any]) -> ClusterSpec:
    """A cluster spec from plain data (the inverse of :meth:`ClusterSpec.to_dict`)."""
    workloads = tuple(
        WorkloadSpec(
            name=w["name"], kind=w["kind"], replicas=int(w["replicas"]),
            cpu_m=int(w.get("cpu_m", 250)), memory_mb=int(w.get("memory_mb", 256)),
            tolerations=tuple(_toleration(t) for t in w.get("tolerations", ())),
            startup_s=float(w.get("startup_s", 20.0)), min_available=int(w.get("min_available", 0)),
        )
        for w in d.get("workloads", ())
    )
    daemonsets = tuple(
        DaemonSetSpec(
            name=x["name"], cpu_m=int(x.get("cpu_m", 100)), memory_mb=int(x.get("memory_mb", 128)),
            tolerations=tuple(_toleration(t) for t in x.get("tolerations", ())),
        )
        for x in d.get("daemonsets", ())
    )
    return ClusterSpec(tuple(node_group_from_dict(g) for g in d["node_groups"]), workloads, daemonsets)
