"""What-if sweeps: run a scenario over a grid of parameters on Dask, resumable, with progress.

A sweep runs every configuration of a grid (the Cartesian product of the values given
per parameter) ``replications`` times, each run one call of the scenario's CLI contract
(``tipsim.scenarios.load(name).run_cli``), spread over the processes of a Dask cluster:
a local one by default, or any cluster given by its scheduler's address. Results are one
Parquet file per configuration; running the same sweep again computes only what is
missing.

Example
-------
>>> import tipsim.sweep as sweep
>>> frame = sweep.run("feature-toggle", {"strategy": ["toggle", "rolling"],
...                                      "instances": [2, 4]},
...                   replications=4, out="sweeps")                      # doctest: +SKIP
>>> frame.groupby(["strategy", "instances"])["failed_requests"].mean()  # doctest: +SKIP

Command line: ``tipsim sweep feature-toggle --grid strategy=toggle,rolling --range
instances=2:8:4 --replications 8 --json``.

Modules: :mod:`~tipsim.sweep.grid` (configurations), :mod:`~tipsim.sweep.seeds` (which
seed each run gets), :mod:`~tipsim.sweep.flatten` (a result as one row),
:mod:`~tipsim.sweep.store` (files, resume), :mod:`~tipsim.sweep.tasks` (what a worker
runs), :mod:`~tipsim.sweep.engine` (Dask), :mod:`~tipsim.sweep.cluster` (a local
cluster, started per sweep or kept for a panel), :mod:`~tipsim.sweep.cache` (a per-user
folder for results), :mod:`~tipsim.sweep.progress` (progress
callbacks), :mod:`~tipsim.sweep.command` (``tipsim sweep``). Importing this package
does not import Dask or pyarrow; running a sweep does.
"""

from __future__ import annotations

from tipsim.sweep.cache import cache_folder
from tipsim.sweep.cluster import KeptCluster, local_workers, start_local
from tipsim.sweep.engine import DEFAULT_OUT, SweepReport, connect, execute, run
from tipsim.sweep.grid import Configuration, configurations, linear, logspace
from tipsim.sweep.progress import SweepProgress, TerminalBar
from tipsim.sweep.seeds import run_seed
from tipsim.sweep.store import read, read_folder

__all__ = [
    "DEFAULT_OUT",
    "Configuration",
    "KeptCluster",
    "SweepProgress",
    "SweepReport",
    "TerminalBar",
    "cache_folder",
    "configurations",
    "connect",
    "execute",
    "linear",
    "local_workers",
    "logspace",
    "read",
    "read_folder",
    "run",
    "run_seed",
    "start_local",
]
