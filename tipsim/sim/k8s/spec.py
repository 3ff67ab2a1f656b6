"""A Kubernetes cluster as plain data: node groups, workloads, DaemonSets, taints, tolerations.

Like a building plan that says how many rooms of which size, before anyone moves in: the
spec says what the cluster is made of; :mod:`tipsim.sim.k8s.cluster` runs it. Every part
is a frozen pydantic model (:class:`tipsim.params.Params`) whose fields are declared once,
with their ranges and units (:func:`tipsim.params.param`): a scenario flattens them into
its own parameters with :func:`tipsim.params.same_as`. A bad value raises
:class:`~tipsim.errors.ParameterError` naming the field (and the part, when it has a
name). Parts turn into and out of plain dicts, so a scenario can size the simulated
cluster from the emulator's read-back of EKS node groups (:func:`node_group_from_dict`).

Example
-------
>>> g = NodeGroupSpec(name="old", size=2, os_image="ubuntu-xenial-16.04", secure=False)
>>> node_group_from_dict(g.to_dict()) == g
True
>>> EXTERNAL_TAINT.as_text()
'external=true:NoExecute'
>>> NodeGroupSpec(name="old", size=-1)
Traceback (most recent call last):
...
tipsim.errors.ParameterError: old.size=-1 is not allowed: a whole number >= 0 and <= 20
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from tipsim.errors import ParameterError
from tipsim.params import Params, allowed_text, param

Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
WorkloadKind = Literal["internal", "external"]


def _spec_error(model: type[BaseModel], exc: ValidationError, data: Mapping[str, Any]
                ) -> ParameterError:
    """The first validation error as a ParameterError naming the field (``group.size``)."""
    err = exc.errors()[0]
    loc = [str(part) for part in err.get("loc") or ()]
    field = loc[0] if loc else model.__name__
    if len(loc) == 1 and field in model.model_fields:
        allowed = allowed_text(model.model_fields[field])
        value = data.get(field, err.get("input"))
    else:
        allowed = str(err.get("msg", "")).removeprefix("Value error, ")
        value = err.get("input")
        field = ".".join(loc) or field
    name = data.get("name")
    label = f"{name}.{field}" if isinstance(name, str) and name and field != "name" else field
    return ParameterError(label, value, allowed)


class SpecModel(Params):
    """Base of the spec's parts: frozen, no unknown fields, every bad value refused with a
    :class:`~tipsim.errors.ParameterError` naming the field."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _spec_error(type(self), exc, data) from None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return self.model_dump(mode="json")


class Taint(SpecModel):
    """A node taint ``key=value:effect`` (``kubectl taint nodes NODE key=value:effect``)."""

    key: str = param(description="taint key")
    value: str = param("", description="taint value (may be empty)")
    effect: Effect = param("NoExecute", description="what the taint does to pods")

    def as_text(self) -> str:
        """The ``kubectl taint`` spelling."""
        return f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"

    @classmethod
    def parse(cls, text: str) -> Taint:
        """``"key=value:Effect"`` (EKS capitals such as ``NO_EXECUTE`` accepted)."""
        body, _, effect = text.rpartition(":")
        if not body:
            raise ParameterError("taint", text, "key=value:Effect, e.g. external=true:NoExecute")
        key, _, value = body.partition("=")
        return cls(key=key, value=value, effect=EKS_EFFECTS.get(effect, effect))


EXTERNAL_TAINT = Taint(key="external", value="true", effect="NoExecute")
"""The talk's taint (slide 12): ``kubectl taint nodes external=true:NoExecute``."""


class Toleration(SpecModel):
    """A pod toleration.

    ``key`` empty with ``operator="Exists"`` tolerates every taint; ``operator="Equal"``
    needs key and value to match. ``effect`` ``None`` matches every effect.
    ``toleration_seconds`` (``NoExecute`` only) is how long the pod may stay once the taint
    is there; ``None`` means forever, and zero or less means "evict at once" (the
    Kubernetes API accepts any integer; kubernetes.io "Taints and Tolerations").
    """

    key: str = param("", description="taint key to match (empty: any, with Exists)")
    operator: Literal["Equal", "Exists"] = param("Equal", description="match key and value, or key only")
    value: str = param("", description="taint value to match (operator Equal)")
    effect: Effect | None = param(None, description="taint effect to match (empty: any)")
    toleration_seconds: float | None = param(
        None, unit="s", description="how long a NoExecute taint is tolerated (empty: forever)")

    def tolerates(self, taint: Taint) -> bool:
        """Whether this toleration matches ``taint`` (kubernetes.io "Taints and Tolerations")."""
        if self.effect is not None and self.effect != taint.effect:
            return False
        if self.operator == "Exists":
            return self.key == "" or self.key == taint.key
        return self.key == taint.key and self.value == taint.value

    @classmethod
    def for_taint(cls, taint: Taint, seconds: float | None = None) -> Toleration:
        """The toleration of exactly ``taint`` (``Equal``, same effect), for ``seconds``."""
        return cls(key=taint.key, operator="Equal", value=taint.value, effect=taint.effect,
                   toleration_seconds=seconds)


TOLERATE_EVERYTHING = Toleration(operator="Exists")
"""What node agents (DaemonSets such as kube-proxy or log shippers) commonly carry."""


class NodeGroupSpec(SpecModel):
    """A managed node group: ``size`` identical nodes with one OS image.

    ``cpu_m`` and ``memory_mb`` are each node's allocatable capacity (millicores, MiB).
    ``secure`` says whether the OS image is the patched one (exposure counts external pod
    time on nodes where it is ``False``). ``spare`` more nodes join empty just after the
    running pods were placed (capacity added ahead of a move: running pods do not
    rebalance onto them). ``autoscale_max_extra`` nodes may be added to the group by the
    autoscaler. The size limit of 20 is the kit's EKS stack's ``max_size``.
    """

    name: str = param(description="node group name")
    size: int = param(ge=0, le=20, slider=(0, 8), description="nodes in the group")
    cpu_m: int = param(2000, ge=500, le=64000, unit="m",
                       description="allocatable CPU per node (millicores)")
    memory_mb: int = param(4096, ge=512, le=262144, unit="MiB",
                           description="allocatable memory per node")
    os_image: str = param("", description="the nodes' machine image")
    secure: bool = param(True, description="the image is the patched one")
    taints: tuple[Taint, ...] = ()
    autoscale_max_extra: int = param(0, ge=0, le=20,
                                     description="nodes the autoscaler may add to the group")
    spare: int = param(0, ge=0, le=10, slider=(0, 6),
                       description="empty nodes added just before the move")


class WorkloadSpec(SpecModel):
    """A Deployment: ``replicas`` pods of one template.

    ``startup_s`` is the mean time from binding to ready (image pull and readiness probe).
    ``min_available`` is its PodDisruptionBudget (used only by drains through the
    Eviction API; taint eviction ignores it).
    """

    name: str = param(description="Deployment name")
    kind: WorkloadKind = param(description="internal workloads may stay on insecure nodes")
    replicas: int = param(ge=0, le=60, slider=(0, 24), description="replicas of the Deployment")
    cpu_m: int = param(250, ge=10, le=16000, unit="m", description="CPU request per pod")
    memory_mb: int = param(256, ge=16, le=65536, unit="MiB", description="memory request per pod")
    tolerations: tuple[Toleration, ...] = ()
    startup_s: float = param(20.0, ge=0, le=900, unit="s", slider=(0, 180), step=5,
                             label="pod start-up (s)",
                             description="mean pod start-up (image pull + readiness)")
    min_available: int = param(0, ge=0, le=60, description="PodDisruptionBudget minAvailable")


class DaemonSetSpec(SpecModel):
    """A DaemonSet: one pod on every node, placed when the node joins."""

    name: str = param(description="DaemonSet name")
    cpu_m: int = param(100, ge=0, le=4000, unit="m", description="CPU request of its pod")
    memory_mb: int = param(128, ge=0, le=65536, unit="MiB", description="memory request of its pod")
    tolerations: tuple[Toleration, ...] = (TOLERATE_EVERYTHING,)


class ClusterSpec(SpecModel):
    """Node groups, Deployments and DaemonSets of one cluster."""

    node_groups: tuple[NodeGroupSpec, ...]
    workloads: tuple[WorkloadSpec, ...] = ()
    daemonsets: tuple[DaemonSetSpec, ...] = ()

    def group(self, name: str) -> NodeGroupSpec:
        for g in self.node_groups:
            if g.name == name:
                return g
        raise ParameterError("node_group", name, "one of " + ", ".join(g.name for g in self.node_groups))

    def workload(self, name: str) -> WorkloadSpec | None:
        """The Deployment called ``name``, if any."""
        return next((w for w in self.workloads if w.name == name), None)


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


def taint_from(d: Taint | str | Mapping[str, Any]) -> Taint:
    """A taint from a :class:`Taint`, a ``"key=value:Effect"`` string or a dict (EKS or
    Kubernetes spelling of the effect)."""
    if isinstance(d, Taint):
        return d
    if isinstance(d, str):
        return Taint.parse(d)
    effect = d.get("effect", "NoExecute")
    return Taint(key=d["key"], value=d.get("value", "") or "",
                 effect=EKS_EFFECTS.get(effect, effect))


def toleration_from(d: Toleration | Mapping[str, Any]) -> Toleration:
    """A toleration from a :class:`Toleration` or a dict (``tolerationSeconds`` or
    ``toleration_seconds``)."""
    if isinstance(d, Toleration):
        return d
    return Toleration(
        key=d.get("key", "") or "",
        operator=d.get("operator", "Equal"),
        value=d.get("value", "") or "",
        effect=d.get("effect"),
        toleration_seconds=d.get("toleration_seconds", d.get("tolerationSeconds")),
    )


def _secure_from_readback(d: Mapping[str, Any]) -> bool:
    if "secure" in d:
        return bool(d["secure"])
    label = str((d.get("labels") or {}).get("os-image", "")).lower()
    return label != "insecure"


def _capacity(d: Mapping[str, Any]) -> tuple[int, int]:
    if "cpu_m" in d or "memory_mb" in d:
        return int(d.get("cpu_m", 2000)), int(d.get("memory_mb", 4096))
    types = d.get("instance_types") or []
    if not types:
        return 2000, 4096
    if types[0] not in INSTANCE_CAPACITY:
        raise ParameterError("instance_types", types[0],
                             "one of " + ", ".join(INSTANCE_CAPACITY) + " (or give cpu_m, memory_mb)")
    return INSTANCE_CAPACITY[types[0]]


def node_group_from_dict(d: Mapping[str, Any]) -> NodeGroupSpec:
    """A node group from plain data: :meth:`NodeGroupSpec.to_dict` output, or the infra
    layer's EKS read-back (``name``, ``desired_size``, ``instance_types``, ``labels`` with
    ``os-image``, ``taints`` with EKS effects such as ``NO_EXECUTE``, ``image``).

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
        taints=tuple(taint_from(t) for t in d.get("taints", ())),
        autoscale_max_extra=int(d.get("autoscale_max_extra", 0)),
        spare=int(d.get("spare", 0)),
    )


def cluster_from_dict(d: Mapping[str, Any]) -> ClusterSpec:
    """A cluster spec from plain data (the inverse of :meth:`ClusterSpec.to_dict`)."""
    workloads = tuple(
        WorkloadSpec(
            name=w["name"], kind=w["kind"], replicas=int(w["replicas"]),
            cpu_m=int(w.get("cpu_m", 250)), memory_mb=int(w.get("memory_mb", 256)),
            tolerations=tuple(toleration_from(t) for t in w.get("tolerations", ())),
            startup_s=float(w.get("startup_s", 20.0)), min_available=int(w.get("min_available", 0)),
        )
        for w in d.get("workloads", ())
    )
    daemonsets = tuple(
        DaemonSetSpec(
            name=x["name"], cpu_m=int(x.get("cpu_m", 100)), memory_mb=int(x.get("memory_mb", 128)),
            tolerations=tuple(toleration_from(t) for t in x.get("tolerations", ())),
        )
        for x in d.get("daemonsets", ())
    )
    return ClusterSpec(node_groups=tuple(node_group_from_dict(g) for g in d["node_groups"]),
                       workloads=workloads, daemonsets=daemonsets)
