"""The canary's power outputs (rolled_back, time_to_detect_s, requests_exposed, users_exposed,
false_rollback) against their definitions, on hand-made request logs and rollout records."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tipsim.scenarios.canary import BLUE, GREEN, Params, simulate
from tipsim.scenarios.canary.results import CanaryRun
from tipsim.sim.web.rollouts.canary import RolloutRecord
from tipsim.sweep.flatten import flatten

POWER = ("rolled_back", "time_to_detect_s", "requests_exposed", "users_exposed",
         "false_rollback")

# (arrival s, user, side): green from 320 s; user 3's request comes after a rollback at 500 s
REQUESTS = [(100.0, 1, BLUE), (320.0, 1, GREEN), (330.0, 2, GREEN), (350.0, 4, BLUE),
            (400.0, 1, GREEN), (510.0, 3, GREEN)]


def _run(decision: str, decision_s: float | None, defect: str = "none",
         requests: list[tuple[float, int, int]] = REQUESTS) -> CanaryRun:
    t, u, img = (np.array(c) for c in zip(*requests, strict=True)) if requests else ([], [], [])
    arrays = {"time_s": np.asarray(t, float), "user": np.asarray(u, np.int32),
              "image": np.asarray(img, np.int8), "ok": np.ones(len(requests), bool),
              "latency_s": np.full(len(requests), 0.1, np.float32),
              "instance": np.zeros(len(requests), np.int16)}
    weights = [0.0, 10.0] + ([0.0] if decision == "rollback" else [])
    times = [0.0, 300.0] + ([decision_s] if decision == "rollback" else [])
    record = RolloutRecord(decision=decision, decision_time_s=decision_s,  # type: ignore[arg-type]
                           weight_time_s=times, weight_pct=weights)  # type: ignore[arg-type]
    grid = np.zeros(1)
    return CanaryRun(Params(defect=defect), 1, arrays, record, {}, grid, grid, grid)


def test_a_rollback_counts_what_green_served_before_the_decision() -> None:
    """Rolled back at 500 s: detection took 500 - 320 s from green's first request; the
    3 green requests before 500 s from users 1, 2 are the exposure (user 3's, after, is
    not); a healthy green rolled back is a false rollback."""
    out = _run("rollback", 500.0).exposure()
    assert out == {"rolled_back": True, "time_to_detect_s": 180.0, "requests_exposed": 3,
                   "users_exposed": 2, "false_rollback": True}


def test_a_rollback_of_a_defective_green_is_not_a_false_one() -> None:
    out = _run("rollback", 500.0, defect="blocked-port").exposure()
    assert out["rolled_back"] and not out["false_rollback"]


def test_without_a_rollback_there_is_no_time_to_detect_and_the_whole_run_counts() -> None:
    """Promoted: no detection time; every green request of the run (4, users 1, 2, 3)."""
    out = _run("promote", 700.0).exposure()
    assert out == {"rolled_back": False, "time_to_detect_s": None, "requests_exposed": 4,
                   "users_exposed": 3, "false_rollback": False}


def test_a_smoke_test_block_is_not_a_rollback_and_exposes_no_one() -> None:
    blue_only = [r for r in REQUESTS if r[2] == BLUE]
    out = _run("blocked", 300.0, requests=blue_only).exposure()
    assert out == {"rolled_back": False, "time_to_detect_s": None, "requests_exposed": 0,
                   "users_exposed": 0, "false_rollback": False}


def test_a_rollback_before_any_request_reached_green_counts_from_its_first_weight() -> None:
    """No green request before the decision: time to detect runs from green's first
    non-zero weight (300 s) to the rollback (400 s)."""
    blue_only = [r for r in REQUESTS if r[2] == BLUE]
    out = _run("rollback", 400.0, requests=blue_only).exposure()
    assert out["time_to_detect_s"] == 100.0 and out["requests_exposed"] == 0


@pytest.mark.parametrize("strategy", ["canary", "blue-green", "big-bang"])
def test_the_power_outputs_are_flat_json_scalars_for_a_sweep(strategy: str) -> None:
    """Each output survives JSON and the sweep's flattening as one scalar column."""
    s = simulate(Params(strategy=strategy, defect="blocked-port", duration_s=900.0),
                 seed=1).summary()
    row = flatten(json.loads(json.dumps(s)))
    for name in POWER:
        assert row[name] is None or isinstance(row[name], bool | int | float)
    assert row["rolled_back"] == (s["decision"] == "rollback")
    assert (row["time_to_detect_s"] is None) == (not row["rolled_back"])
