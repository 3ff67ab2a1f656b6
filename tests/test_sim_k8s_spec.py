"""The cluster spec: validated pydantic models, plain data both ways, the EKS read-back shape."""

from __future__ import annotations

import pytest
from k8s_support import A
from pydantic import ValidationError

from tipsim.errors import ParameterError
from tipsim.params import field_meta
from tipsim.sim.k8s.spec import (
    ClusterSpec,
    DaemonSetSpec,
    NodeGroupSpec,
    Taint,
    Toleration,
    WorkloadSpec,
    cluster_from_dict,
    node_group_from_dict,
    taint_from,
)


def test_node_group_spec_round_trips_as_plain_data_and_reads_infra_style_dicts() -> None:
    spec = ClusterSpec(
        node_groups=(NodeGroupSpec(name="insecure", size=3, cpu_m=1930, memory_mb=3300,
                                   os_image="ubuntu-xenial-16.04", secure=False, taints=(A,)),),
        workloads=(WorkloadSpec(name="web", kind="external", replicas=4, cpu_m=500,
                                memory_mb=512,
                                tolerations=(Toleration.for_taint(A, 60.0),)),),
        daemonsets=(DaemonSetSpec(name="agent"),),
    )
    assert cluster_from_dict(spec.to_dict()) == spec
    g = node_group_from_dict({"name": "secure", "desired_size": 2, "os_image": "ubuntu-bionic-18.04",
                              "taints": ["external=true:NoExecute"]})
    assert (g.size, g.taints) == (2, (A,))


def test_the_eks_read_back_shape_becomes_node_groups() -> None:
    """The dicts tipsim.infra.stacks.node_group_specs returns (EKS spelling of effects,
    os-image labels, instance types) become node groups with the instance's capacity."""
    readback = [
        {"address": "aws_eks_node_group.insecure_os", "name": "insecure-os",
         "instance_types": ["t3.medium"], "min_size": 1, "max_size": 20, "desired_size": 2,
         "labels": {"os-image": "insecure"},
         "taints": [{"key": "external", "value": "true", "effect": "NO_EXECUTE"}],
         "image": "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-20190605"},
        {"address": "aws_eks_node_group.secure_os", "name": "secure-os",
         "instance_types": ["t3.medium"], "min_size": 1, "max_size": 20, "desired_size": 2,
         "labels": {"os-image": "secure"}, "taints": [], "image": "bionic"},
    ]
    groups = [node_group_from_dict(g) for g in readback]
    assert [(g.secure, g.size, g.cpu_m, g.memory_mb) for g in groups] == [
        (False, 2, 2000, 4096), (True, 2, 2000, 4096)]  # t3.medium: 2 vCPU, 4 GiB
    assert groups[0].taints == (A,) and "xenial" in groups[0].os_image


@pytest.mark.parametrize(("build", "field", "allowed"), [
    (lambda: NodeGroupSpec(name="old", size=-1), "old.size", ">= 0"),
    (lambda: NodeGroupSpec(name="old", size=1, spare=-2), "old.spare", ">= 0"),
    (lambda: NodeGroupSpec(name="old", size=1, memory_mb=0), "old.memory_mb", ">= 512"),
    (lambda: WorkloadSpec(name="web", kind="external", replicas=1, startup_s=-1), "web.startup_s",
     ">= 0"),
    (lambda: WorkloadSpec(name="web", kind="sideways", replicas=1), "web.kind", "'internal'"),
    (lambda: Taint(key="k", effect="NoWay"), "effect", "'NoExecute'"),
])
def test_a_bad_value_names_the_field_and_what_is_allowed(build, field, allowed) -> None:
    with pytest.raises(ParameterError) as info:
        build()
    assert info.value.field == field
    assert allowed in info.value.allowed


def test_spec_parts_are_frozen_and_refuse_unknown_fields() -> None:
    g = NodeGroupSpec(name="g", size=1)
    with pytest.raises(ValidationError, match="frozen"):
        g.size = 3  # type: ignore[misc]
    with pytest.raises(ParameterError, match="sizes"):
        NodeGroupSpec(name="g", size=1, sizes=2)  # type: ignore[call-arg]


def test_taints_parse_from_kubectl_and_eks_spellings() -> None:
    assert Taint.parse("external=true:NoExecute") == A
    assert taint_from({"key": "external", "value": "true", "effect": "NO_EXECUTE"}) == A
    assert Taint.parse("dedicated:NoSchedule") == Taint(key="dedicated", effect="NoSchedule")
    with pytest.raises(ParameterError, match="taint"):
        Taint.parse("no-effect-here")


def test_tolerations_match_as_kubernetes_documents() -> None:
    """kubernetes.io "Taints and Tolerations": Equal matches key and value, Exists the key
    (an empty key with Exists matches every taint); an empty effect matches every effect."""
    assert Toleration(key="external", value="true").tolerates(A)
    assert not Toleration(key="external", value="false").tolerates(A)
    assert Toleration(key="external", operator="Exists").tolerates(A)
    assert Toleration(operator="Exists").tolerates(A)
    assert not Toleration(key="external", value="true", effect="NoSchedule").tolerates(A)


def test_ranges_are_declared_once_on_the_component() -> None:
    """The scenario's parameters reference these fields; their ranges live here."""
    meta = field_meta(NodeGroupSpec, "size")
    assert (meta.low, meta.high, meta.slider) == (0.0, 20.0, (0, 8))
    assert field_meta(WorkloadSpec, "startup_s").unit == "s"
