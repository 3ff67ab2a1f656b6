"""A sweep's grid, seeds and rows: what runs, on which seed, stored how."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tipsim.errors import ParameterError
from tipsim.scenarios.feature_toggle import Params as ToggleParams
from tipsim.scenarios.node_groups import Params as NodeParams
from tipsim.sweep import configurations, linear, logspace, run_seed
from tipsim.sweep.flatten import flatten
from tipsim.sweep.grid import parse_cli, range_values


def test_a_grid_runs_every_combination_in_order() -> None:
    cfgs = configurations(ToggleParams, {"strategy": ["toggle", "rolling", "in-place"],
                                         "instances": [2, 4]})
    assert [(c.values["strategy"], c.values["instances"]) for c in cfgs] == [
        ("toggle", 2), ("toggle", 4), ("rolling", 2), ("rolling", 4),
        ("in-place", 2), ("in-place", 4)]
    assert all(c.params.duration_s == ToggleParams().duration_s for c in cfgs)


def test_cli_values_are_read_like_tipsim_run_set() -> None:
    grid = parse_cli(ToggleParams, ["strategy=toggle,rolling", "health-check=true,false"],
                     ["arrival_rate_per_s=5:20:4"], ["instances=3"])
    assert grid == {"strategy": ["toggle", "rolling"], "health_check": ["true", "false"],
                    "arrival_rate_per_s": [5.0, 10.0, 15.0, 20.0], "instances": ["3"]}
    cfgs = configurations(ToggleParams, grid)
    assert len(cfgs) == 2 * 2 * 4
    assert [c.params.health_check for c in cfgs[:8]] == [True] * 4 + [False] * 4
    assert {c.params.instances for c in cfgs} == {3}


def test_a_log_range_is_evenly_spaced_in_log_and_whole_numbers_are_rounded_once() -> None:
    values = range_values(ToggleParams, "arrival_rate_per_s", "1:100:3:log")
    assert values == [1.0, 10.0, 100.0]
    assert range_values(ToggleParams, "instances", "1:4:7") == [1, 2, 3, 4]
    assert logspace(1, 1000, 4) == [1.0, 10.0, 100.0, 1000.0]
    assert linear(0.1, 0.3, 3) == [0.1, 0.2, 0.3]
    ratios = np.diff(np.log(range_values(ToggleParams, "arrival_rate_per_s", "2:50:6:log")))
    assert np.allclose(ratios, ratios[0])


@pytest.mark.parametrize(("grid", "ranges", "sets", "field"), [
    (["strategy=toggle,bogus"], [], [], "strategy"),
    (["instances=2,99"], [], [], "instances"),
    (["instanc=2"], [], [], "instanc"),
    ([], ["instances=1:x:3"], [], "instances"),
    ([], ["arrival_rate_per_s=0:10:3:log"], [], "arrival_rate_per_s"),
    ([], ["strategy=1:2:2"], [], "strategy"),
    (["instances=2,3"], [], ["instances=4"], "instances"),
    ([], [], ["defect_error_rate=1.5"], "defect_error_rate"),
])
def test_a_bad_value_names_its_field_before_anything_runs(grid, ranges, sets, field) -> None:
    with pytest.raises(ParameterError) as info:
        configurations(ToggleParams, parse_cli(ToggleParams, grid, ranges, sets))
    assert info.value.field == field


def test_none_words_reach_an_optional_field_as_none() -> None:
    cfgs = configurations(NodeParams, parse_cli(NodeParams, ["toleration_seconds=none,60"]))
    assert [c.params.toleration_seconds for c in cfgs] == [None, 60]
    assert [c.values["toleration_seconds"] for c in cfgs] == [None, 60]


def test_values_that_validate_to_the_same_configuration_run_once() -> None:
    cfgs = configurations(ToggleParams, {"arrival_rate_per_s": ["10", 10.0, "10.0", 20]})
    assert [c.params.arrival_rate_per_s for c in cfgs] == [10.0, 20.0]


def test_a_replications_seed_is_the_same_for_every_configuration_and_worker_count() -> None:
    """Common random numbers: the run seed depends on (seed, replication) only."""
    assert run_seed(7, 3) == run_seed(7, 3)
    seeds = {run_seed(7, r) for r in range(1000)}
    assert len(seeds) == 1000
    assert all(0 <= s < 2**63 for s in seeds)
    assert run_seed(8, 3) != run_seed(7, 3)
    assert run_seed(7, 3, "0123abcd" * 8) != run_seed(7, 3, "fedc9876" * 8)
    with pytest.raises(ParameterError):
        run_seed(-1, 0)


def test_a_result_becomes_one_flat_row_and_nothing_is_dropped() -> None:
    result = {"decision": "rollback", "failed": np.int64(3), "rate": np.float64(0.5),
              "ci": [0.1, 0.2], "steps": [{"weight": 10.0, "metrics": {"e": "Pass"}}],
              "health_changes": {"blue": 0, "green": {"up": 2}}, "ttd_s": None}
    row = flatten(result)
    assert row == {"decision": "rollback", "failed": 3, "rate": 0.5, "ci": "[0.1, 0.2]",
                   "steps": '[{"weight": 10.0, "metrics": {"e": "Pass"}}]',
                   "health_changes.blue": 0, "health_changes.green.up": 2, "ttd_s": None}
    assert type(row["failed"]) is int
    assert json.loads(row["steps"]) == result["steps"]
