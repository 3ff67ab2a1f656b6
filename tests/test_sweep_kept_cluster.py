"""A kept local cluster (a panel's): started only when a sweep has something to compute,
reused by the next sweep, and never outliving its owner: closed on request, or at the end
of the interpreter when nobody closed it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

import tipsim.sweep as sweep

pytestmark = pytest.mark.slow

GRID = {"strategy": ["toggle", "rolling"], "instances": 2}


def test_a_kept_cluster_starts_only_for_work_and_serves_several_sweeps(tmp_path: Path) -> None:
    kept = sweep.KeptCluster(workers=1)
    try:
        first = sweep.run("feature-toggle", GRID, out=tmp_path, client=kept.client)
        assert kept.started and first.attrs["sweep"]["computed"] == 2
        pids = kept.worker_pids()
        more = sweep.run("feature-toggle", {**GRID, "instances": 3}, out=tmp_path,
                         client=kept.client)
        assert more.attrs["sweep"]["computed"] == 2 and kept.worker_pids() == pids
    finally:
        kept.close()
    assert not kept.started
    _, alive = psutil.wait_procs([psutil.Process(p) for p in pids if psutil.pid_exists(p)],
                                 timeout=60)
    assert not alive
    lazy = sweep.KeptCluster(workers=1)
    again = sweep.run("feature-toggle", GRID, out=tmp_path, client=lazy.client)
    assert again.attrs["sweep"]["skipped"] == 2 and not lazy.started  # read from files


SCRIPT = textwrap.dedent("""
    import json, sys
    import tipsim.sweep as sweep

    if __name__ == "__main__":
        kept = sweep.KeptCluster(workers=2)
        sweep.run("feature-toggle", {"instances": 2}, out=sys.argv[1], client=kept.client)
        print(json.dumps(kept.worker_pids()), flush=True)
        # exits without kept.close()
""")


def test_workers_end_with_the_interpreter_when_nobody_closed_the_cluster(tmp_path: Path) -> None:
    script = tmp_path / "leave_open.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    pids = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(pids) == 2
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    _, alive = psutil.wait_procs(procs, timeout=60)
    assert not alive
