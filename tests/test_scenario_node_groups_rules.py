"""The lesson's eviction rule cases, checked against the documented NoExecute rules."""

from __future__ import annotations

from tipsim.scenarios.node_groups import EXTERNAL, evicted_at, eviction_rule_cases


def test_each_case_evicts_when_kubernetes_documents_it() -> None:
    """kubernetes.io "Taints and Tolerations": not tolerated -> at once; tolerated with no
    seconds -> never; tolerationSeconds -> that long after the taint; several -> the
    smallest; the taints left all tolerated forever (or none left) -> the scheduled eviction
    is cancelled (kubernetes/kubernetes#93722)."""
    got = {row["case"]: row["evicted_at_s"] for row in eviction_rule_cases()}
    assert got["no toleration"] == 5.0
    assert got["toleration, no seconds"] is None
    assert got["tolerationSeconds=30"] == 35.0
    assert got["two taints, 60 s and 20 s"] == 25.0
    assert got["30 s + forever, first taint removed at 10 s"] is None  # #93722
    assert got["30 s + 100 s, first taint removed at 10 s"] == 35.0  # the deadline stands
    assert got["30 s, all taints removed at 10 s"] is None


def test_zero_toleration_seconds_means_at_once() -> None:
    assert evicted_at([(EXTERNAL, 0)], [(5, "taint", EXTERNAL)]) == 5.0


def test_rows_are_plain_text_for_a_table() -> None:
    row = eviction_rule_cases()[2]
    assert row["tolerations"] == "external=true:NoExecute for 30 s"
    assert row["actions"] == "taint external=true:NoExecute at 5 s"
