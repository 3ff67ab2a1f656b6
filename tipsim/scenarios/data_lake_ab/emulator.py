"""The data-lake A/B in the emulator: one spec, built as a stack and read back for the simulation.

The simulation's parameters (:class:`~tipsim.scenarios.data_lake_ab.params.Params`) are the
spec. :func:`stack_inputs` turns them into the ``datalake`` stack's inputs (Lambda memory and
batch size, EMR core nodes, MSK brokers); :func:`build` applies them; :func:`read_back`
reads what the emulator holds (or, for a service the emulator lacks, what the last apply
planned) and says which parts ran where; :func:`params_from_read_back` makes the simulation
run from that.

Example
-------
>>> lake = open_lake()                                   # doctest: +SKIP
>>> built = build(Params(memory_mb=512), lake)          # doctest: +SKIP
>>> params_from_read_back(read_back(lake), Params()).memory_mb   # doctest: +SKIP
512
"""

from __future__ import annotations

from typing import Any

from tipsim.scenarios.data_lake_ab.params import Params
from tipsim.scenarios.infrastructure import ApplyResult, Stack, open_stack

STACK = "datalake"
"""The kit's stack of the lake: S3 bucket, MSK cluster, Lambda consumer and its Kafka
event source mapping, EMR cluster."""
SPEC_MAP: dict[str, tuple[str, str, str]] = {
    "memory_mb": ("lambda_memory_mb", "aws_lambda_function.consumer", "memory_size_mb"),
    "batch_size": ("batch_size", "aws_lambda_event_source_mapping.consumer", "batch_size"),
    "core_nodes": ("spark_core_nodes", "aws_emr_cluster.spark", "core_instance_count"),
    "brokers": ("kafka_brokers", "aws_msk_cluster.front", "number_of_broker_nodes"),
}
"""Simulation field -> (stack input, resource address, attribute read back)."""
MIN_BROKERS = 2
"""The stack's MSK cluster has one broker per subnet, and two subnets."""


def open_lake(session: Any = None) -> Stack:
    """The ``datalake`` stack bound to the emulator (``session``; default: the one the kit
    finds or starts)."""
    return open_stack(STACK, session)


def stack_inputs(params: Params) -> dict[str, Any]:
    """The ``datalake`` stack's inputs for these simulation parameters."""
    out = {stack_name: getattr(params, name) for name, (stack_name, _, _) in SPEC_MAP.items()}
    out["kafka_brokers"] = max(MIN_BROKERS, int(out["kafka_brokers"]))
    return out


def build(params: Params, stack: Stack) -> ApplyResult:
    """Build the spec in the emulator: apply :func:`stack_inputs` to ``stack``."""
    return stack.apply(stack_inputs(params))


def read_back(stack: Stack) -> list[dict[str, Any]]:
    """One row per spec field: the value, and whether it came from the emulator or is
    simulated only (the emulator lacks the service: the value the last apply planned)."""
    owned = stack.owned()
    planned = stack.simulated_only
    rows = []
    for name, (_, address, attr) in SPEC_MAP.items():
        if address in owned and attr in owned[address].attrs:
            value, where = owned[address].attrs[attr], "emulator"
        elif address in planned and attr in planned[address]:
            value, where = planned[address][attr], "simulated only"
        else:
            value, where = None, "not applied"
        rows.append({"field": name, "resource": address, "value": value, "where": where})
    return rows


def params_from_read_back(rows: list[dict[str, Any]], base: Params) -> Params:
    """``base`` with every field that was read back replaced by its value."""
    values = {r["field"]: r["value"] for r in rows if r["value"] is not None}
    return base.replace(**values)
