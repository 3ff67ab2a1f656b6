"""The data-lake spec goes to the emulator and back into the simulation unchanged."""

from __future__ import annotations

import pytest

from tipsim.scenarios.data_lake_ab import (
    Params,
    build,
    open_lake,
    params_from_read_back,
    read_back,
    stack_inputs,
)

pytestmark = pytest.mark.infra


def test_stack_inputs_follow_the_simulation_parameters() -> None:
    """One broker is raised to two: the stack's MSK cluster has a broker per subnet."""
    p = Params(memory_mb=512, batch_size=500, core_nodes=4, brokers=1)
    assert stack_inputs(p) == {"lambda_memory_mb": 512, "batch_size": 500,
                               "spark_core_nodes": 4, "kafka_brokers": 2}


def test_spec_round_trips_through_the_emulator(emulator) -> None:
    """Build, read back, derive: what the emulator holds (or, for a service it lacks, what
    was planned) comes back as the simulation's parameters."""
    spec = Params(memory_mb=512, batch_size=500, core_nodes=4, brokers=3)
    lake = open_lake(emulator.session)
    try:
        assert build(spec, lake).ok
        rows = read_back(lake)
        # each row names its resource by the address Terraform gives it (no [0] without count)
        built = set(lake.owned()) | set(lake.simulated_only)
        assert {r["resource"] for r in rows} <= built, built
        where = {r["field"]: r["where"] for r in rows}
        caps = lake.capabilities
        assert where["core_nodes"] == ("emulator" if caps.has("emr") else "simulated only")
        assert where["brokers"] == ("emulator" if caps.has("kafka") else "simulated only")
        back = params_from_read_back(rows, Params())
        assert (back.memory_mb, back.batch_size, back.core_nodes, back.brokers) == (512, 500, 4, 3)
    finally:
        lake.destroy()


def test_nothing_applied_reads_back_as_not_applied(emulator) -> None:
    """Before any apply the read-back names every field "not applied" and changes nothing."""
    lake = open_lake(emulator.session)
    rows = read_back(lake)
    assert {r["where"] for r in rows} == {"not applied"}
    assert params_from_read_back(rows, Params()) == Params()
