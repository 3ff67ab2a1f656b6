"""The sweep engine on an in-process Dask cluster: files, resume, seeds, failures, retries.

A stand-in scenario (patched into ``tipsim.scenarios.load``; the in-process cluster's
workers see the patch) makes failures and draws easy to control; one test runs the real
feature-toggle scenario and checks a row against ``tipsim run``'s own output.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import Field

import tipsim.scenarios
import tipsim.sweep as sweep
from tipsim.cli import main
from tipsim.errors import ParameterError, SweepFailed
from tipsim.params import Params
from tipsim.sweep.flatten import flatten


class FakeParams(Params):
    x: int = Field(1, ge=0, le=10)
    strategy: str = "a"
    fail_at: int = Field(-1, ge=-1, le=10)
    flaky: bool = False


CALLS: dict[tuple[int, int], int] = {}
LOCK = threading.Lock()


def fake_run_cli(params: FakeParams, *, seed: int, replications: int | None = None) -> dict:
    """Draws from the seed; raises for x == fail_at; a flaky run raises on its first try."""
    with LOCK:
        CALLS[(params.x, seed)] = CALLS.get((params.x, seed), 0) + 1
        first = CALLS[(params.x, seed)] == 1
    if params.x == params.fail_at:
        raise RuntimeError(f"boom at x={params.x}")
    if params.flaky and first:
        raise ConnectionError("flaky first try")
    draw = float(np.random.default_rng(seed).random())
    return {"x": params.x * 10, "draw": draw, "strategy": params.strategy,
            "ci": [draw, draw + 1], "nested": {"a": params.x}}


FAKE = SimpleNamespace(Params=FakeParams, run_cli=fake_run_cli)


@pytest.fixture(scope="module")
def client():
    from distributed import Client

    with Client(processes=False, n_workers=2, threads_per_worker=1,
                dashboard_address=None) as c:
        yield c


@pytest.fixture()
def fake(monkeypatch):
    real = tipsim.scenarios.load
    monkeypatch.setattr(tipsim.scenarios, "load",
                        lambda name: FAKE if name == "fake" else real(name))
    CALLS.clear()


def test_every_configuration_x_replication_is_one_row_in_its_own_file(tmp_path, client,
                                                                      fake) -> None:
    seen = []
    frame = sweep.run("fake", {"x": [1, 2, 3]}, replications=4, out=tmp_path, client=client,
                      seed=5, progress=seen.append)
    assert len(frame) == 12
    assert not frame.duplicated(["config_id", "replication"]).any()
    files = sorted(tmp_path.iterdir())
    assert len(files) == 3 and all(f.name.startswith("fake-") for f in files)
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".")]  # no temp left
    # the configuration's values, the flattened metrics, a metric named like a parameter
    assert set(frame.columns) >= {"scenario", "config_id", "replication", "run_seed", "x",
                                  "strategy", "fail_at", "draw", "ci", "nested.a",
                                  "result.x", "result.strategy"}
    assert (frame["result.x"] == frame["x"] * 10).all()
    assert json.loads(frame["ci"].iloc[0]) == [frame["draw"].iloc[0], frame["draw"].iloc[0] + 1]
    report = frame.attrs["sweep"]
    assert (report["configs"], report["runs"], report["computed"], report["skipped"],
            report["failed"]) == (3, 12, 12, 0, 0)
    assert seen[-1].done == 12 and seen[-1].computed == 12
    assert [p.done for p in seen] == sorted(p.done for p in seen)


def test_a_second_run_computes_nothing_and_a_lost_file_is_computed_again(tmp_path, client,
                                                                        fake) -> None:
    first = sweep.run("fake", {"x": [1, 2, 3]}, replications=3, out=tmp_path, client=client)
    again = sweep.execute("fake", {"x": [1, 2, 3]}, replications=3, out=tmp_path,
                          client=client)
    assert (again.computed, again.skipped, again.tasks) == (0, 9, 0)
    victim = sorted(tmp_path.iterdir())[1]
    victim.unlink()
    resumed = sweep.run("fake", {"x": [1, 2, 3]}, replications=3, out=tmp_path,
                        client=client)
    assert resumed.attrs["sweep"]["computed"] == 3 and resumed.attrs["sweep"]["skipped"] == 6
    cols = ["config_id", "replication", "draw"]
    assert resumed.sort_values(cols)[cols].reset_index(drop=True).equals(
        first.sort_values(cols)[cols].reset_index(drop=True))


def test_a_configuration_gives_the_same_rows_whatever_the_grid_and_batching(tmp_path, client,
                                                                           fake) -> None:
    small = sweep.run("fake", {"x": [2]}, replications=5, out=tmp_path / "a", client=client,
                      batch=1)
    big = sweep.run("fake", {"x": [4, 3, 2]}, replications=5, out=tmp_path / "b",
                    client=client, batch=2)
    inside = big[big["x"] == 2].sort_values("replication").reset_index(drop=True)
    assert inside[["config_id", "run_seed", "draw"]].equals(
        small.sort_values("replication").reset_index(drop=True)[["config_id", "run_seed",
                                                                  "draw"]])
    # the same sweep into the folder holding x=2 computes only x=4 and x=3
    grown = sweep.execute("fake", {"x": [4, 3, 2]}, replications=5, out=tmp_path / "a",
                          client=client)
    assert (grown.computed, grown.skipped) == (10, 5)


def test_common_random_numbers_share_draws_across_configurations_unless_told_not_to(
        tmp_path, client, fake) -> None:
    crn = sweep.run("fake", {"x": [1, 2]}, replications=3, out=tmp_path / "c", client=client)
    by_x = crn.pivot(index="replication", columns="x", values="draw")
    assert (by_x[1] == by_x[2]).all()
    assert by_x[1].nunique() == 3  # replications differ
    ind = sweep.run("fake", {"x": [1, 2]}, replications=3, out=tmp_path / "i", client=client,
                    common_random_numbers=False)
    by_x = ind.pivot(index="replication", columns="x", values="draw")
    assert (by_x[1] != by_x[2]).all()
    assert set(ind["config_id"]).isdisjoint(crn["config_id"])  # different files


def test_a_failing_configuration_is_reported_with_its_error_and_others_are_written(
        tmp_path, client, fake) -> None:
    with pytest.raises(SweepFailed) as info:
        sweep.run("fake", {"x": [1, 2, 3], "fail_at": 2}, replications=2, out=tmp_path,
                  client=client, retries=1, batch=1)
    report = info.value.report
    assert (report["computed"], report["failed"]) == (4, 2)
    assert sorted(f["replications"] for f in report["failures"]) == [[0], [1]]
    assert all(f["config"] == {"x": 2, "fail_at": 2} for f in report["failures"])
    assert all("RuntimeError: boom at x=2" in f["error"] for f in report["failures"])
    assert len(list(tmp_path.glob("*.parquet"))) == 2
    assert max(CALLS.values()) == 2  # one try plus one retry
    written = sweep.read_folder(tmp_path)
    assert sorted(written["x"].unique()) == [1, 3]


def test_a_task_that_raises_once_is_retried_and_counts_as_computed(tmp_path, client,
                                                                   fake) -> None:
    frame = sweep.run("fake", {"x": [1, 2], "flaky": True}, replications=2, out=tmp_path,
                      client=client, retries=2, batch=1)
    assert len(frame) == 4 and frame.attrs["sweep"]["failed"] == 0
    assert sorted(CALLS.values()) == [2, 2, 2, 2]


def test_bad_options_are_refused_before_anything_runs(tmp_path, fake) -> None:
    for kwargs, field in (({"replications": 0}, "replications"), ({"seed": -3}, "seed"),
                          ({"batch": 0}, "batch"), ({"grid": {"x": [11]}}, "x"),
                          ({"grid": {"y": [1]}}, "y"), ({"grid": {"x": []}}, "x")):
        with pytest.raises(ParameterError) as info:
            sweep.execute("fake", **{"grid": {"x": [1]}, "out": tmp_path, **kwargs})
        assert info.value.field == field
    assert not tmp_path.exists() or not list(tmp_path.iterdir())


def test_a_row_is_what_tipsim_run_prints_for_its_run_seed(tmp_path, client, capsys) -> None:
    """Real scenario: the stored metrics equal ``tipsim run feature-toggle --json``."""
    frame = sweep.run("feature-toggle", {"strategy": ["rolling"], "instances": [3]},
                      replications=2, out=tmp_path, client=client, seed=11)
    row = frame[frame["replication"] == 1].iloc[0]
    assert main(["run", "feature-toggle", "--set", "strategy=rolling", "--set", "instances=3",
                 "--seed", str(row["run_seed"]), "--json"]) == 0
    expected = flatten(json.loads(capsys.readouterr().out))
    expected = {(f"result.{k}" if k in ("strategy",) else k): v for k, v in expected.items()}
    assert {k: row[k] for k in expected} == expected


def test_the_command_line_reports_counts_and_exits_2_on_a_bad_value(tmp_path, client,
                                                                    capsys) -> None:
    # the in-process scheduler's inproc:// address goes through the --scheduler code path
    argv = ["sweep", "feature-toggle", "--grid", "strategy=toggle,rolling", "--set",
            "duration_s=300", "--replications", "2", "--out", str(tmp_path), "--json",
            "--scheduler", client.scheduler.address, "--no-progress"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert {k: report[k] for k in ("configs", "runs", "computed", "skipped", "failed")} == \
        {"configs": 2, "runs": 4, "computed": 4, "skipped": 0, "failed": 0}
    assert report["out"] == str(tmp_path) and report["seconds"] > 0
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] == 4
    assert main(["sweep", "feature-toggle", "--range", "instances=1:99:3", "--out",
                 str(tmp_path / "bad")]) == 2
    assert "instances=99 is not allowed" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    assert main(["sweep", "feature-toggle", "--out", str(tmp_path), "--scheduler",
                 "127.0.0.1:1"]) == 2


def test_read_folder_unites_files_of_different_columns(tmp_path: Path, client, fake) -> None:
    sweep.run("fake", {"x": [1]}, out=tmp_path, client=client)
    sweep.run("feature-toggle", {"duration_s": [300]}, out=tmp_path, client=client)
    frame = sweep.read_folder(tmp_path)
    assert sorted(frame["scenario"]) == ["fake", "feature-toggle"]
    assert frame.loc[frame["scenario"] == "fake", "failed_requests"].isna().all()
