"""Sweeps on a real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes.

The test starts them on loopback ports as a learner would on several machines, stops
them by pid, and kills one worker by pid in the middle of a sweep: the sweep must still
write every row exactly once. A second run computes nothing, the same sweep on the
kit's own local cluster gives identical numbers, and a sweep interrupted with Ctrl-C
(SIGINT) resumes where it stopped.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

import tipsim.sweep as sweep

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
GRID = {"strategy": ["toggle", "rolling"], "instances": [2, 4]}


class DaskCluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, stopped by pid."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.sched_file = tmp / "scheduler.json"
        self.procs: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.address = ""

    def _start(self, args: list[str], log: str) -> subprocess.Popen:
        with open(self.tmp / log, "wb") as out:
            proc = subprocess.Popen([str(BIN / "dask"), *args], stdout=out,
                                    stderr=subprocess.STDOUT, cwd=self.tmp)
        self.procs.append(proc)
        return proc

    def start(self, workers: int) -> None:
        self._start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address",
                     "127.0.0.1:0", "--scheduler-file", str(self.sched_file)], "scheduler.log")
        deadline = time.monotonic() + 60
        while not self.sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.address = json.loads(self.sched_file.read_text())["address"]
        assert self.address.startswith("tcp://127.0.0.1:")
        self.ensure_workers(workers)

    def ensure_workers(self, n: int) -> None:
        """Start workers until ``n`` are alive (one killed by a test is replaced)."""
        self.workers = [w for w in self.workers if w.poll() is None]
        while len(self.workers) < n:
            self.workers.append(self._start(
                ["worker", "--scheduler-file", str(self.sched_file), "--nworkers", "1",
                 "--nthreads", "1", "--host", "127.0.0.1", "--no-nanny", "--no-dashboard"],
                f"worker{len(self.procs)}.log"))
        from distributed import Client

        with Client(self.address, timeout="30s") as c:
            c.wait_for_workers(n, timeout=60)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[DaskCluster]:
    c = DaskCluster(tmp_path_factory.mktemp("dask"))
    try:
        c.start(workers=2)
        yield c
    finally:
        c.stop()


def _listening() -> set[tuple[int, str, int]]:
    """(pid, ip, port) of every listening socket of this process and its children."""
    me = psutil.Process()
    out = set()
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            out.update((proc.pid, c.laddr.ip, c.laddr.port)
                       for c in proc.net_connections(kind="inet")
                       if c.status == psutil.CONN_LISTEN)
    return out


def _metrics(frame):
    cols = [c for c in frame.columns if c != "scenario"]
    return frame.sort_values(["config_id", "replication"])[cols].reset_index(drop=True)


def test_an_interrupted_command_resumes_where_it_stopped(tmp_path, cluster) -> None:
    """Ctrl-C (SIGINT) stops ``tipsim sweep`` with exit 130; what it wrote stays, complete,
    and the same command computes only the rest."""
    cluster.ensure_workers(2)
    out = tmp_path / "out"
    argv = [str(BIN / "tipsim"), "sweep", "feature-toggle", "--grid",
            "strategy=toggle,rolling,in-place", "--grid", "instances=2,4",
            "--set", "duration_s=2400", "--replications", "3", "--batch", "1",
            "--out", str(out), "--json", "--no-progress", "--scheduler", cluster.address]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("*.parquet")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    written = len(list(out.glob("*.parquet")))
    assert proc.returncode == 130, err
    assert "run the same command again" in err
    assert 1 <= written < 6
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp file left

    resumed = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["skipped"] == 3 * written
    assert report["computed"] == 18 - 3 * written and report["failed"] == 0
    frame = sweep.read_folder(out)
    assert len(frame) == 18 and not frame.duplicated(["config_id", "replication"]).any()


def test_a_sweep_survives_a_killed_worker_resumes_and_matches_a_local_cluster(
        tmp_path, cluster) -> None:
    """One worker killed by pid mid-sweep: Dask re-runs its tasks on the other, every row is
    written once; a re-run computes nothing; a local cluster gives the same numbers."""
    cluster.ensure_workers(2)
    victim = cluster.workers[0]
    killed_at: list[int] = []

    def kill_one(p: sweep.SweepProgress) -> None:
        if not killed_at and p.done >= 2:
            killed_at.append(p.done)
            os.kill(victim.pid, signal.SIGKILL)

    frame = sweep.run("feature-toggle", GRID, replications=4, out=tmp_path / "remote",
                      client=cluster.address, seed=3, progress=kill_one, batch=1)
    assert victim.wait(timeout=10) == -signal.SIGKILL
    assert killed_at and killed_at[0] < 16  # the worker died mid-sweep
    report = frame.attrs["sweep"]
    assert (report["runs"], report["computed"], report["failed"]) == (16, 16, 0)
    assert report["workers"] == 2
    assert len(frame) == 16
    assert not frame.duplicated(["config_id", "replication"]).any()
    assert sorted(frame.groupby("config_id").size()) == [4, 4, 4, 4]

    again = sweep.execute("feature-toggle", GRID, replications=4, out=tmp_path / "remote",
                          client=cluster.address, seed=3)
    assert (again.computed, again.skipped, again.tasks) == (0, 16, 0)

    before = _listening()
    during: set[tuple[int, str, int]] = set()
    local = sweep.run("feature-toggle", GRID, replications=4, out=tmp_path / "local", seed=3,
                      workers=2, progress=lambda _: during.update(_listening()))
    assert local.attrs["sweep"]["scheduler"].startswith("tcp://127.0.0.1:")
    opened = during - before  # the local cluster's scheduler, nannies and workers
    assert len({pid for pid, _, _ in opened}) >= 3
    assert {ip for _, ip, _ in opened} == {"127.0.0.1"}
    assert _metrics(local).equals(_metrics(frame))
    assert sorted(p.name for p in (tmp_path / "local").iterdir()) == \
        sorted(p.name for p in (tmp_path / "remote").iterdir())
