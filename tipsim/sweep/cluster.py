"""A local Dask cluster on 127.0.0.1: started for one sweep, or kept for many (a panel's).

:func:`start_local` starts worker processes (one thread each) with the scheduler and its
dashboard on loopback only. :class:`KeptCluster` starts one the first time a sweep needs
it and keeps it for the next sweeps, so a notebook panel pays the start-up once; it is
closed by :meth:`KeptCluster.close`, when the object is garbage-collected, or at
interpreter exit (:func:`weakref.finalize`), so no worker process outlives its owner.

Example
-------
>>> kept = KeptCluster(workers=2)
>>> kept.started
False
>>> frame = run("data-lake-ab", {"rate_per_s": [500, 5000]}, out="sweeps",
...             client=kept.client)  # starts the cluster  # doctest: +SKIP
>>> kept.close()
"""

from __future__ import annotations

import logging
import os
import weakref
from typing import TYPE_CHECKING

from tipsim.errors import ParameterError, SweepError

if TYPE_CHECKING:
    from distributed import Client, LocalCluster


def local_workers() -> int:
    """Worker processes of the default local cluster: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def start_local(workers: int | None = None) -> LocalCluster:
    """A local cluster of ``workers`` processes (default: one per core) on 127.0.0.1."""
    from distributed import LocalCluster

    n = local_workers() if workers is None else workers
    if not isinstance(n, int) or n < 1:
        raise ParameterError("workers", n, "a whole number >= 1")
    try:
        return LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                            host="127.0.0.1", dashboard_address="127.0.0.1:0",
                            silence_logs=logging.ERROR)
    except RuntimeError as exc:  # a worker process could not start
        raise SweepError(
            f"could not start a local Dask cluster ({exc}); a script that runs a sweep "
            "without a client must do it under `if __name__ == \"__main__\":`, as worker "
            "processes import the script again") from None


def _shut(client: Client, cluster: LocalCluster) -> None:
    client.close()
    cluster.close()


class KeptCluster:
    """A local cluster started at the first :meth:`client` call and kept until closed.

    Pass the bound method ``kept.client`` as a sweep's ``client``: the engine calls it
    only when something must be computed, so a sweep read wholly from its files starts
    no process.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers
        self._client: Client | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def started(self) -> bool:
        return self._client is not None

    def client(self) -> Client:
        """The kept cluster's client (the cluster starts now if it is not running)."""
        if self._client is None:
            from distributed import Client

            cluster = start_local(self.workers)
            try:
                client = Client(cluster)
            except BaseException:
                cluster.close()
                raise
            self._client = client
            self._finalizer = weakref.finalize(self, _shut, client, cluster)
        return self._client

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (none before the first sweep)."""
        if self._client is None:
            return []
        return sorted(int(pid) for pid in self._client.run(os.getpid).values())

    def close(self) -> None:
        """Stop the workers and the scheduler (nothing to do if never started)."""
        if self._finalizer is not None:
            self._finalizer()
        self._client = None
        self._finalizer = None
