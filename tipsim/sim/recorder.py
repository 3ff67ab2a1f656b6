"""Per-request records in growable numpy arrays (not one Python object per request).

A :class:`RequestLog` holds columns ``time_s`` (arrival), ``user``, ``instance``,
``image`` (small integer codes), ``latency_s`` and ``ok``. Appending is amortised
O(1) (rows gather in short lists and reach the columns in bulk);
:meth:`RequestLog.arrays` returns trimmed views and :meth:`to_frame` a tidy pandas
DataFrame (pandas imported only then).
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

PENDING_ROWS = 8192
"""Rows kept in Python lists before they are written to the numpy columns in one go."""


class RequestLog:
    """Columnar log of requests: 20 bytes of storage per request.

    :meth:`append` adds to short Python lists (at most :data:`PENDING_ROWS` rows), which
    reach the numpy columns in bulk, so a request costs six list appends rather than six
    numpy element writes. Subclasses can complete the new rows in bulk there
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

    def __len__(self) -> int:
        return self._n + len(self._pending[0])

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
        if len(time_col) >= PENDING_ROWS:
            self._write_pending()

    def extend(self, time_s: list[float], user: list[int], instance: int, image: int,
               latency_s: list[float], ok: list[bool]) -> None:
        """Record several finished requests of one instance (as :meth:`append` in order)."""
        time_col, user_col, instance_col, image_col, latency_col, ok_col = self._pending
        time_col.extend(time_s)
        user_col.extend(user)
        instance_col.extend([instance] * len(time_s))
        image_col.extend([image] * len(time_s))
        latency_col.extend(latency_s)
        ok_col.extend(ok)
        if len(time_col) >= PENDING_ROWS:
            self._write_pending()

    def _complete(self, rows: dict[str, np.ndarray]) -> None:
        """Change new rows in place before they are stored (``latency_s`` still float64)."""

    def _write_pending(self) -> None:
        m = len(self._pending[0])
        if m == 0:
            return
        rows = {k: np.array(col, dtype=np.float64 if k == "latency_s" else _COLUMNS[k])
                for k, col in zip(_COLUMNS, self._pending, strict=True)}
        self._pending = tuple([] for _ in _COLUMNS)
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
        for k, values in rows.items():
            self._data[k][n:n + m] = values
        self._n = n + m

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns, trimmed to the rows recorded, sorted by arrival time."""
        self._write_pending()
        n = self._n
        order = np.argsort(self._data["time_s"][:n], kind="stable")
        return {k: v[:n][order] for k, v in self._data.items()}

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
