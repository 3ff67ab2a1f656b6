"""Per-request records in growable numpy arrays (not one Python object per request).

A :class:`RequestLog` holds columns ``time_s`` (arrival), ``user``, ``instance``,
``image`` (small integer codes), ``latency_s`` and ``ok``. Appending is amortised
O(1) (rows gather in short lists, or in numpy blocks when many come at once, and reach
the columns in bulk, merged in arrival order, so that :meth:`RequestLog.arrays` only
copies them); :meth:`to_frame` gives a tidy pandas DataFrame (pandas imported only then).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_COLUMNS: dict[str, Any] = {
    "time_s": np.float64,
    "user": np.int32,
    "instance": np.int16,
    "image": np.int8,
    "latency_s": np.float32,
    "ok": np.bool_,
}

_WORKING = {**_COLUMNS, "latency_s": np.float64}  # pending rows' types (completed, then stored)

PENDING_ROWS = 8192
"""Rows kept pending before they are written to the numpy columns in one go."""

Block = tuple[Any, ...]  # six columns: lists, or numpy arrays


class RequestLog:
    """Columnar log of requests: 20 bytes of storage per request.

    :meth:`append` adds to short Python lists and :meth:`extend` a block of numpy columns
    (at most :data:`PENDING_ROWS` rows pending), which reach the numpy columns in bulk and
    in order, so a request costs six list appends rather than six numpy element writes.
    Subclasses can complete the new rows in bulk there
    (:meth:`_complete`).

    Parameters
    ----------
    capacity
        Initial number of rows; grows by doubling.
    """

    columns = tuple(_COLUMNS)

    def __init__(self, capacity: int = 1024) -> None:
        self._n = 0
        self._data = {k: np.empty(max(16, capacity), dtype=t) for k, t in _COLUMNS.items()}
        self._pending: tuple[list[Any], ...] = tuple([] for _ in _COLUMNS)
        self._blocks: list[Block] = []  # pending blocks, in order (before _pending)
        self._block_rows = 0

    def __len__(self) -> int:
        return self._n + self._block_rows + len(self._pending[0])

    def append(self, time_s: float, user: int, instance: int, image: int, latency_s: float,
               ok: bool) -> None:
        """Record one finished request."""
        time_col, user_col, instance_col, image_col, latency_col, ok_col = self._pending
        time_col.append(time_s)
        user_col.append(user)
        instance_col.append(instance)
        image_col.append(image)
        latency_col.append(latency_s)
        ok_col.append(ok)
        if len(time_col) + self._block_rows >= PENDING_ROWS:
            self._write_pending()

    def extend(self, time_s: np.ndarray, user: np.ndarray, instance: int | np.ndarray,
               image: int | np.ndarray, latency_s: np.ndarray, ok: np.ndarray) -> None:
        """Record several finished requests (columns; an instance or image code for all or
        one per request), as :meth:`append` would one by one in order."""
        m = len(time_s)
        if m == 0:
            return
        if self._pending[0]:  # rows appended before these come first
            self._blocks.append(self._pending)
            self._block_rows += len(self._pending[0])
            self._pending = tuple([] for _ in _COLUMNS)
        self._blocks.append((time_s, user, instance, image, latency_s, ok))
        self._block_rows += m
        if self._block_rows >= PENDING_ROWS:
            self._write_pending()

    def _complete(self, rows: dict[str, np.ndarray]) -> None:
        """Change new rows in place before they are stored (``latency_s`` still float64)."""

    def _write_pending(self) -> None:
        blocks = self._blocks
        if self._pending[0]:
            blocks.append(self._pending)
            self._pending = tuple([] for _ in _COLUMNS)
        if not blocks:
            return
        self._blocks, self._block_rows = [], 0
        rows = {k: np.concatenate([np.full(len(b[0]), b[i], dtype=dt)
                                   if i in (2, 3) and np.ndim(b[i]) == 0  # a code for all
                                   else np.asarray(b[i], dtype=dt) for b in blocks])
                for i, (k, dt) in enumerate(_WORKING.items())}  # new arrays, in order
        m = len(rows["time_s"])
        self._complete(rows)
        n = self._n
        size = len(self._data["time_s"])
        if n + m > size:
            while size < n + m:
                size *= 2
            for k, arr in self._data.items():
                grown = np.empty(size, dtype=arr.dtype)
                grown[:n] = arr[:n]
                self._data[k] = grown
        # rows stay sorted by arrival, ties in the order recorded: the new ones (sorted
        # stably) go after the stored ones of the same time
        order = np.argsort(rows["time_s"], kind="stable")
        new_t = rows["time_s"][order]
        stored_t = self._data["time_s"][:n]
        first = int(np.searchsorted(stored_t, new_t[0], side="right"))  # before: stays
        at = np.searchsorted(stored_t[first:], new_t, side="right") + np.arange(m)
        moved = np.ones(n - first + m, dtype=bool)
        moved[at] = False
        for key, values in rows.items():
            col = self._data[key]
            tail = col[first:n].copy()
            col[first + at] = values[order]
            col[first:n + m][moved] = tail
        self._n = n + m

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns, trimmed to the rows recorded, sorted by arrival time (copies)."""
        self._write_pending()
        return {k: v[:self._n].copy() for k, v in self._data.items()}

    @property
    def nbytes(self) -> int:
        """Bytes of array storage allocated (for the memory benchmark)."""
        self._write_pending()
        return sum(v.nbytes for v in self._data.values())

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per request."""
        import pandas as pd

        return pd.DataFrame(self.arrays())


class TimeoutLog(RequestLog):
    """A request log in front of which someone gives up: a request slower than
    ``timeout_s`` is recorded as failed at ``timeout_s``.

    A classic ELB closes a back-end connection that sends nothing for its idle timeout
    (60 s by default) and answers the client HTTP 504 (AWS docs, "Configure the idle
    connection timeout for your Classic Load Balancer"; AWS Knowledge Center,
    "Troubleshoot HTTP 504 errors ... Classic Load Balancer").

    Examples
    --------
    >>> log = TimeoutLog(60.0)
    >>> log.append(0.0, 1, 0, 0, 75.0, True)
    >>> log.arrays()["ok"].tolist(), log.arrays()["latency_s"].tolist()
    ([False], [60.0])
    """

    def __init__(self, timeout_s: float, capacity: int = 1024) -> None:
        super().__init__(capacity)
        self.timeout_s = float(timeout_s)

    def _complete(self, rows: dict[str, np.ndarray]) -> None:
        """Requests slower than the timeout fail, at the timeout (rows appended one by one
        or in bulk alike)."""
        late = rows["latency_s"] > self.timeout_s
        rows["latency_s"][late] = self.timeout_s
        rows["ok"][late] = False
