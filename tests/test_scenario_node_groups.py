"""Scenario 3 (slide 12): the trade between exposure and disruption, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tipsim.errors import ParameterError
from tipsim.scenarios import node_groups
from tipsim.scenarios.node_groups import Params, run
from tipsim.sim.k8s.state import KIND_CODES

SEEDS = range(1, 6)


@pytest.mark.parametrize("strategy", ["all-at-once", "node-by-node"])
@pytest.mark.parametrize("toleration_seconds", [None, 60.0])
def test_after_the_taint_no_external_pod_runs_on_an_insecure_node_and_internal_ones_stay(
        strategy, toleration_seconds):
    """Once evictions are done, every live external pod is on a secure node; every internal
    pod that was on an insecure node at the start (it tolerates the taint) is still there."""
    p = Params(strategy=strategy, toleration_seconds=toleration_seconds)
    r = run(p, seed=3)
    pods, insecure = r.pods, r.insecure_nodes
    alive = np.isnan(pods["ended_s"])
    ext = pods["kind"] == KIND_CODES["external"]
    internal = pods["kind"] == KIND_CODES["internal"]
    assert r.metrics["migration_complete"]
    assert not np.any(alive & ext & np.isin(pods["node"], insecure))
    assert np.count_nonzero(alive & ext & (pods["node"] >= 0)) == p.external_replicas
    start_internal_insecure = internal & (pods["created_s"] == 0) & np.isin(pods["node"], insecure)
    assert np.count_nonzero(start_internal_insecure) > 0
    assert np.all(alive[start_internal_insecure])
    assert not np.any(pods["end_reason"][internal] > 0)


def test_node_by_node_with_spare_capacity_disrupts_less_but_exposes_longer_on_the_same_seed():
    """Same seed (common random numbers): node by node with spare nodes fails fewer requests
    and touches fewer users than all at once, and never drops as low, while external pods
    stay on insecure nodes longer. Checked on each of 5 seeds."""
    for seed in SEEDS:
        base = Params(spare_nodes=2)
        once = run(base.replace(strategy="all-at-once"), seed=seed).metrics
        gradual = run(base.replace(strategy="node-by-node"), seed=seed).metrics
        assert gradual["failed_requests"] < once["failed_requests"], seed
        assert gradual["affected_users"] < once["affected_users"], seed
        assert gradual["min_ready_external"] > once["min_ready_external"], seed
        assert gradual["exposure_pod_seconds"] > once["exposure_pod_seconds"], seed
        assert gradual["migration_time_s"] > once["migration_time_s"], seed


def test_all_at_once_exposure_is_zero_without_and_replicas_times_seconds_with_toleration():
    """Theory: every external pod on the insecure group is evicted at the decision, or
    exactly toleration_seconds later, so exposure = (external pods there) x seconds."""
    p = Params(strategy="all-at-once")
    assert run(p, seed=2).metrics["exposure_pod_seconds"] == 0.0
    r = run(p.replace(toleration_seconds=45.0), seed=2)
    on_insecure_at_start = np.count_nonzero(
        (r.pods["kind"] == KIND_CODES["external"]) & (r.pods["created_s"] == 0)
        & np.isin(r.pods["node"], r.insecure_nodes))
    assert r.metrics["exposure_pod_seconds"] == pytest.approx(45.0 * on_insecure_at_start)
    assert r.metrics["exposure_end_s"] == pytest.approx(45.0)


def test_spare_capacity_shortens_all_at_once_disruption():
    """Without spare nodes the secure group cannot take every external pod: some stay Pending
    until the autoscaler's node arrives (provision_delay_s), so the service stays short longer."""
    p = Params(strategy="all-at-once")
    tight = run(p.replace(spare_nodes=0), seed=1).metrics
    roomy = run(p.replace(spare_nodes=2), seed=1).metrics
    assert tight["max_pending_pods"] > 0 and roomy["max_pending_pods"] == 0
    assert tight["nodes_added"] >= 1
    assert tight["unavailable_seconds"] > p.provision_delay_s > roomy["unavailable_seconds"]


def test_toleration_seconds_without_cordon_lets_replacements_land_back_on_tainted_nodes():
    """A pod tolerating the taint for a while passes the scheduler's filter, so without a
    cordon its replacement may be bound to a tainted insecure node and evicted again."""
    p = Params(strategy="all-at-once", toleration_seconds=30.0, spare_nodes=0,
               autoscale_max_nodes=0)
    bare = run(p.replace(cordon="none"), seed=1).metrics
    cordoned = run(p.replace(cordon="tainted"), seed=1).metrics
    assert bare["external_evictions"] > cordoned["external_evictions"]
    assert bare["exposure_pod_seconds"] > cordoned["exposure_pod_seconds"]


def test_run_cli_json_has_the_documented_fields(run_cli):
    code, out, err = run_cli("run", "node-groups", "--json", "--seed", "4",
                             "--set", "strategy=node-by-node", "--set", "spare_nodes=1",
                             "--set", "toleration_seconds=")
    assert code == 0, err
    result = json.loads(out)
    for key in ("exposure_pod_seconds", "unavailable_seconds", "failed_requests",
                "migration_time_s", "evictions", "max_pending_pods", "affected_users"):
        assert key in result
    assert result["strategy"] == "node-by-node" and result["seed"] == 4
    direct = node_groups.run_cli(Params(strategy="node-by-node", spare_nodes=1), seed=4)
    assert direct["failed_requests"] == result["failed_requests"]


def test_run_cli_rejects_bad_values_naming_the_field(run_cli):
    code, _, err = run_cli("run", "node-groups", "--set", "spare_nodes=99")
    assert code == 2 and "spare_nodes" in err
    with pytest.raises(ParameterError, match="strategy"):
        Params.from_sets(["strategy=sideways"])
    assert Params.from_sets(["toleration_seconds=none"]).toleration_seconds is None


def test_replications_give_means_and_standard_errors():
    out = node_groups.run_cli(Params(), seed=1, replications=3)
    singles = [run(Params(), seed=1, replication=r).metrics["failed_requests"] for r in range(3)]
    assert out["replications"] == 3
    assert out["failed_requests"] == pytest.approx(np.mean(singles))
    assert out["failed_requests_se"] == pytest.approx(np.std(singles, ddof=1) / np.sqrt(3))


def test_failures_and_affected_users_agree_with_the_shared_blast_radius():
    """The scenario's own counts equal tipsim.analysis.blast_radius over the same requests."""
    from tipsim.analysis.blast_radius import blast_radius
    from tipsim.analysis.slo import SLO

    p = Params(strategy="all-at-once", spare_nodes=0)
    r = run(p, seed=5)
    t = r.traffic
    br = blast_radius(t.time_s, t.user, t.ok, np.zeros(len(t.ok)), SLO(), onset_s=p.decision_s,
                      end_s=p.horizon_s)
    assert r.metrics["failed_requests"] == br.failed_requests > 0
    assert r.metrics["affected_users"] == br.affected_users
    assert r.metrics["slo_breach_minutes"] >= 1.0


def test_parameters_reference_the_fields_of_the_models_they_drive() -> None:
    """One definition per field: the scenario's ranges and units are the components'."""
    from pydantic import BaseModel

    from tipsim.params import field_meta
    from tipsim.sim.k8s.migration import MigrationPlan
    from tipsim.sim.k8s.spec import NodeGroupSpec, WorkloadSpec

    pairs: list[tuple[str, type[BaseModel], str]] = [("insecure_nodes", NodeGroupSpec, "size"), ("secure_nodes", NodeGroupSpec, "size"),
             ("spare_nodes", NodeGroupSpec, "spare"), ("startup_s", WorkloadSpec, "startup_s"),
             ("external_replicas", WorkloadSpec, "replicas"),
             ("node_pause_s", MigrationPlan, "node_pause_s")]
    for name, model, field in pairs:
        ours, theirs = field_meta(Params, name), field_meta(model, field)
        assert (ours.low, ours.high, ours.unit, ours.slider, ours.step) == (
            theirs.low, theirs.high, theirs.unit, theirs.slider, theirs.step), name
