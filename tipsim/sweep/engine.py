"""Run a sweep on Dask: every configuration x replication of a grid, resumable, with progress.

:func:`execute` plans the sweep (:mod:`tipsim.sweep.store`), skips the configurations
whose file is already written, sends the rest to a Dask cluster as tasks of a few
replications each (:mod:`tipsim.sweep.tasks`) and writes each configuration's file as soon
as its last replication is back. The client writes every file, so workers on other
machines need no shared disk. Dask retries a task that raised (``retries``) and re-runs
the tasks of a worker that died on the workers that remain; a task that still fails is
reported with its configuration and error, and its configuration is left unwritten for
the next run to compute.

Without a client, a local cluster of worker processes (one per core, one thread each)
is started on 127.0.0.1 for the sweep and closed after it; a function of no argument
returning a client (a :class:`~tipsim.sweep.cluster.KeptCluster`'s ``client``) is called
only when something must be computed.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tipsim import scenarios
from tipsim.errors import ParameterError, SweepError, SweepFailed
from tipsim.sweep import store
from tipsim.sweep.cluster import start_local
from tipsim.sweep.grid import configurations
from tipsim.sweep.progress import SweepProgress
from tipsim.sweep.tasks import run_replications

if TYPE_CHECKING:
    import pandas as pd
    from distributed import Client

ProgressFn = Callable[[SweepProgress], None]
DEFAULT_OUT = "sweeps"
TASK_S = 0.5  # compute time a task aims at when batch is None (see _Feeder)


@dataclass
class SweepReport:
    """What a sweep did. Counts are runs (configuration x replication)."""

    scenario: str
    configs: int
    runs: int
    computed: int = 0
    skipped: int = 0
    failed: int = 0
    out: str = ""
    seconds: float = 0.0
    seed: int = 1
    replications: int = 1
    common_random_numbers: bool = True
    batch: int | str = "auto"
    tasks: int = 0
    workers: int = 0
    scheduler: str = ""
    compute_s: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (what ``tipsim sweep --json`` prints), without the file list."""
        out = asdict(self)
        out.pop("files")
        out["seconds"] = round(self.seconds, 3)
        out["compute_s"] = round(self.compute_s, 3)
        return out


@contextlib.contextmanager
def connect(client: Client | Callable[[], Client] | str | None = None,
            workers: int | None = None) -> Iterator[Client]:
    """A Dask client: the one given (or returned by a function of no argument: a
    :class:`~tipsim.sweep.cluster.KeptCluster`'s ``client``), one connected to an
    address, or a local cluster's, closed after the sweep."""
    from distributed import Client

    if isinstance(client, Client):
        yield client
        return
    if callable(client):
        yield client()
        return
    if isinstance(client, str):
        if "://" not in client:
            raise ParameterError("scheduler", client, "an address like tcp://127.0.0.1:8786")
        try:
            remote = Client(client, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise SweepError(f"no Dask scheduler answers at {client}: {exc}") from None
        with remote:
            yield remote
        return
    with start_local(workers) as cluster, Client(cluster) as local:
        yield local


def _error_text(exc: BaseException | None) -> str:
    text = f"{type(exc).__name__}: {exc}" if exc is not None else "cancelled"
    return text if len(text) <= 500 else text[:497] + "..."


def execute(scenario: str, grid: Mapping[str, Iterable[Any] | Any] | None = None, *,
            replications: int = 1, out: str | os.PathLike[str] = DEFAULT_OUT,
            client: Client | Callable[[], Client] | str | None = None, seed: int = 1,
            progress: ProgressFn | None = None, common_random_numbers: bool = True,
            batch: int | None = None, retries: int = 2,
            workers: int | None = None) -> SweepReport:
    """Run the sweep and write its files; return what was done (see :func:`run`)."""
    t0 = time.perf_counter()
    for name, value, low in (("replications", replications, 1), ("seed", seed, 0),
                             ("retries", retries, 0)):
        if not isinstance(value, int) or value < low:
            raise ParameterError(name, value, f"a whole number >= {low}")
    module = scenarios.load(scenario)
    configs = configurations(module.Params, grid or {})
    entries = store.plan(out, scenario, configs, seed=seed, replications=replications,
                         common_random_numbers=common_random_numbers)
    if batch is not None and (not isinstance(batch, int) or batch < 1):
        raise ParameterError("batch", batch, "a whole number >= 1 (replications per task)")
    report = SweepReport(scenario, len(entries), len(entries) * replications,
                         out=str(Path(out)), seed=seed, replications=replications,
                         common_random_numbers=common_random_numbers,
                         batch="auto" if batch is None else batch)
    todo = [e for e in entries if not e.exists()]
    report.skipped = (len(entries) - len(todo)) * replications

    def tell(computed: int, failed: int, started: float) -> None:
        if progress is None:
            return
        elapsed = time.perf_counter() - t0
        rate = computed / (time.perf_counter() - started) if computed else 0.0
        left = report.runs - report.skipped - computed - failed
        progress(SweepProgress(report.runs, computed, report.skipped, failed, elapsed,
                               left / rate if rate else None))

    if todo:
        with connect(client, workers) as dask:
            _compute(dask, todo, report, batch, retries, tell)
    else:
        tell(0, 0, t0)
    report.files = [str(e.path) for e in entries if e.exists()]
    report.seconds = time.perf_counter() - t0
    return report


class _Feeder:
    """Cuts the missing runs into tasks, a configuration's replications in order.

    With a fixed ``batch``, every task has that many replications. Otherwise (``None``)
    the first tasks have one, and later ones enough to last about ``TASK_S`` seconds at
    the compute time per run measured so far, but never so many that fewer than four
    tasks per worker remain (so workers finish together).
    """

    def __init__(self, todo: list[store.Entry], replications: int, batch: int | None):
        self.units: deque[tuple[store.Entry, int]] = deque(
            (e, r) for e in todo for r in range(replications))
        self.batch = batch
        self.compute_s = 0.0
        self.runs_timed = 0

    def timed(self, runs: int, compute_s: float) -> None:
        self.runs_timed += runs
        self.compute_s += compute_s

    def next(self, workers: int) -> tuple[store.Entry, list[int]] | None:
        if not self.units:
            return None
        if self.batch is not None:
            size = self.batch
        elif not self.runs_timed or self.compute_s <= 0:
            size = 1
        else:
            size = math.ceil(TASK_S * self.runs_timed / self.compute_s)
            size = max(1, min(size, math.ceil(len(self.units) / (4 * max(workers, 1)))))
        entry = self.units[0][0]
        reps: list[int] = []
        while self.units and self.units[0][0] is entry and len(reps) < size:
            reps.append(self.units.popleft()[1])
        return entry, reps


def _compute(dask: Client, todo: list[store.Entry], report: SweepReport, batch: int | None,
             retries: int, tell: Callable[[int, int, float], None]) -> None:
    """Feed the missing runs to the cluster as tasks (about two per worker in flight) and
    write each configuration's file when its last replication is back."""
    from distributed import as_completed

    def workers() -> int:
        return max(1, len(dask.scheduler_info(n_workers=-1).get("workers", {})))

    report.workers = workers()
    report.scheduler = str(dask.scheduler.address) if dask.scheduler else ""
    token = uuid.uuid4().hex[:8]
    feeder = _Feeder(todo, report.replications, batch)
    owner: dict[str, tuple[store.Entry, list[int]]] = {}
    rows: dict[str, dict[int, dict[str, Any]]] = {e.config_id: {} for e in todo}
    broken: set[str] = set()
    computed = failed = 0
    started = time.perf_counter()
    seen_workers = (report.workers, started)

    def submit() -> Any:
        nxt = feeder.next(seen_workers[0])
        if nxt is None:
            return None
        entry, reps = nxt
        key = f"tipsim-sweep-{entry.config_id}-{reps[0]}-{token}"
        owner[key] = nxt
        report.tasks += 1
        return dask.submit(run_replications, entry.scenario, entry.config.params,
                           [(r, entry.run_seeds[r]) for r in reps], key=key, retries=retries)

    first = [f for f in (submit() for _ in range(2 * report.workers)) if f is not None]
    pending = as_completed(first)
    live = set(first)
    tell(0, 0, started)
    try:
        for fut in pending:
            live.discard(fut)
            entry, reps = owner.pop(fut.key)
            if fut.status == "finished":
                result = fut.result()
                feeder.timed(len(reps), result["compute_s"])
                report.compute_s += result["compute_s"]
                rows[entry.config_id].update(result["rows"])
                computed += len(reps)
            else:
                exc = fut.exception() if fut.status == "error" else None
                report.failures.append({"config_id": entry.config_id,
                                        "config": entry.config.values,
                                        "replications": reps, "error": _error_text(exc)})
                broken.add(entry.config_id)
                failed += len(reps)
            fut.release()
            if time.perf_counter() - seen_workers[1] > 1.0:
                seen_workers = (workers(), time.perf_counter())
            while len(live) < 2 * seen_workers[0] and (new := submit()) is not None:
                live.add(new)
                pending.add(new)
            done = rows[entry.config_id]
            if entry.config_id not in broken and len(done) == report.replications:
                store.write(entry, [store.row(entry, r, done[r])
                                    for r in range(report.replications)])
                report.computed += report.replications
                del rows[entry.config_id]
            tell(computed, failed, started)
    except BaseException:
        for fut in live:
            fut.cancel()
        raise
    report.failed = len(broken) * report.replications


def run(scenario: str, grid: Mapping[str, Iterable[Any] | Any] | None = None, *,
        replications: int = 1, out: str | os.PathLike[str] = DEFAULT_OUT,
        client: Client | Callable[[], Client] | str | None = None, seed: int = 1,
        progress: ProgressFn | None = None, common_random_numbers: bool = True,
        batch: int | None = None, retries: int = 2,
        workers: int | None = None) -> pd.DataFrame:
    """Sweep ``scenario`` over ``grid`` on Dask and return one row per configuration x
    replication.

    Parameters
    ----------
    scenario
        A name of :data:`tipsim.scenarios.SCENARIOS` (``"canary"``, ``"feature-toggle"``).
    grid
        Parameter name -> values to try (a list), or one value held fixed; every
        combination runs. Unnamed parameters keep their defaults.
    replications
        Independent runs per configuration (seeds: :mod:`tipsim.sweep.seeds`).
    out
        Folder of the Parquet files (one per configuration); what is already there is
        not computed again.
    client
        A ``distributed.Client``, a function of no argument returning one (called only
        if something must be computed: a kept cluster's ``client``), a scheduler address
        (``"tcp://127.0.0.1:8786"``), or None for a local cluster of ``workers`` processes (default: one per core) on
        127.0.0.1. Worker processes import the calling script again (multiprocessing's
        "spawn"): in a script, call ``run`` under ``if __name__ == "__main__":``; notebooks
        need nothing.
    seed
        The sweep's seed (>= 0).
    progress
        Called with a :class:`~tipsim.sweep.progress.SweepProgress` as tasks end.
    common_random_numbers
        Every configuration's replication ``r`` uses the same seed (default).
    batch
        Replications per Dask task (default ``None``: one at first, then about half a
        second of work per task at the measured run time).
    retries
        Times Dask re-runs a task that raised before it is reported as failed.

    Returns
    -------
    pandas.DataFrame
        The rows of every configuration of the grid (read back from the files), with the
        report in ``frame.attrs["sweep"]``.

    Raises
    ------
    ParameterError
        A bad grid value (nothing runs).
    SweepFailed
        Some tasks failed after their retries; ``exc.report["failures"]`` says which. The
        other configurations are written.
    """
    report = execute(scenario, grid, replications=replications, out=out, client=client,
                     seed=seed, progress=progress,
                     common_random_numbers=common_random_numbers, batch=batch,
                     retries=retries, workers=workers)
    if report.failed:
        first = report.failures[0]
        raise SweepFailed(f"{len(report.failures)} task(s) of the sweep failed, e.g. "
                          f"{first['config']} replications {first['replications']}: "
                          f"{first['error']}", report.as_dict())
    frame = store.read(report.files)
    frame.attrs["sweep"] = report.as_dict()
    return frame
