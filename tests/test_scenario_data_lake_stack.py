"""The data-lake spec goes to the emulator and back into the simulation unchanged."""

from __future__ import annotations

import pytest

from tipsim.infra.engine import Stack
from tipsim.scenarios.data_lake_ab import Params
from tipsim.scenarios.data_lake_stack import params_from_read_back, read_back, stack_inputs

pytestmark = pytest.mark.infra


def test_stack_inputs_follow_the_simulation_parameters() -> None:
    p = Params(memory_mb=512, batch_size=500, core_nodes=4, brokers=1)
    assert stack_inputs(p) == {"lambda_memory_mb": 512, "batch_size": 500,
                               "spark_core_nodes": 4, "kafka_brokers": 2}


def test_spec_round_trips_through_the_emulator(emulator) -> None:
    spec = Params(memory_mb=512, batch_size=500, core_nodes=4, brokers=3)
    stack = Stack("datalake", emulator.session)
    try:
        stack.apply(stack_inputs(spec))
        rows = read_back(stack)
        where = {r["field"]: r["where"] for r in rows}
        caps = stack.capabilities
        assert where["core_nodes"] == ("emulator" if caps.has("emr") else "simulated only")
        assert where["brokers"] == ("emulator" if caps.has("kafka") else "simulated only")
        back = params_from_read_back(rows, Params())
        assert (back.memory_mb, back.batch_size, back.core_nodes, back.brokers) == (512, 500, 4, 3)
    finally:
        stack.destroy()
