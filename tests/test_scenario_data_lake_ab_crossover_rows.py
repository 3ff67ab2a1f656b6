"""The crossover reads each load from the flat ``tipsim run data-lake-ab --json`` row, so a
measure that returns those rows (as a sweep stores them) gives the serial crossover for the
same runs; prices travel as parameters, so a sweep's workers can price a run as the panel
does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from tipsim.errors import ParameterError
from tipsim.scenarios import data_lake_ab as dl
from tipsim.scenarios.data_lake_ab.crossover import REFINE_LOADS
from tipsim.sweep.flatten import flatten

SHORT = dict(duration_s=120.0, replications=2)


def _cli_rows(params: dl.Params, rates: Sequence[float], seed: int) -> list[dict[str, Any]]:
    """What a sweep's worker computes for each load: run_cli's JSON, flattened."""
    return [flatten(dl.run_cli(params.replace(rate_per_s=r), seed=seed)) for r in rates]


def test_rows_of_the_cli_json_give_the_serial_crossover() -> None:
    """Batches: the coarse loads, then pairs; the points read from the rows are the serial
    path's, number for number."""
    batches: list[list[float]] = []

    def measure(params: dl.Params, rates: Sequence[float], seed: int) -> list[dict[str, Any]]:
        batches.append(list(rates))
        return _cli_rows(params, rates, seed)

    rows = dl.crossover(dl.Params(**SHORT), seed=3, measure=measure)
    serial = dl.crossover(dl.Params(**SHORT), seed=3)
    assert rows == serial
    assert batches[0] == list(dl.DEFAULT_RATES_PER_S)
    assert all(len(b) == REFINE_LOADS for b in batches[1:])
    assert sum(map(len, batches)) == len(serial["rate_per_s"])


def test_a_row_without_the_costs_is_refused_naming_the_field() -> None:
    with pytest.raises(ParameterError, match="a.cost_usd_per_hour"):
        dl.crossover(dl.Params(**SHORT), seed=1,
                     measure=lambda p, rates, s: [{"cheaper.answer": "a"} for _ in rates])


def test_a_price_field_prices_a_run_as_the_same_override_does() -> None:
    """``lambda_gb_second_usd`` is the item ``lambda_gb_second_x86`` of the price table."""
    by_field = dl.run(dl.Params(**SHORT, lambda_gb_second_usd=0.00003), seed=2)
    by_table = dl.run(dl.Params(**SHORT), seed=2, prices={"lambda_gb_second_x86": 0.00003})
    plain = dl.run(dl.Params(**SHORT), seed=2)
    assert by_field.rows == by_table.rows != plain.rows
    assert set(dl.PRICE_FIELDS) == set(dl.PRICE_ITEMS)


def test_a_price_field_refuses_a_negative_price_naming_the_field() -> None:
    with pytest.raises(ParameterError, match="lambda_request_usd"):
        dl.Params(**SHORT).replace(lambda_request_usd=-1)
