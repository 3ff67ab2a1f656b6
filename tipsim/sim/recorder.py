"""Per-request records in growable numpy arrays (not one Python object per request).

A :class:`RequestLog` holds columns ``time_s`` (arrival), ``user``, ``instance``,
``image`` (small integer codes), ``latency_s`` and ``ok``. Appending is amortised
O(1); :meth:`RequestLog.arrays` returns trimmed views and :meth:`to_frame` a tidy
pandas DataFrame (pandas imported only then).
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


class RequestLog:
    """Columnar log of requests: 20 bytes of storage per request.

    Parameters
    ----------
    capacity
        Initial number of rows; grows by doubling.
    """

    columns = tuple(_COLUMNS)

    def __init__(self, capacity: int = 1024) -> None:
        self._n = 0
        self._data = {k: np.empty(max(16, capacity), dtype=t) for k, t in _COLUMNS.items()}

    def __len__(self) -> int:
        return self._n

    def append(self, time_s: float, user: int, instance: int, image: int, latency_s: float,
               ok: bool) -> None:
        """Record one finished request."""
        n = self._n
        if n == len(self._data["time_s"]):
            for k, arr in self._data.items():
                grown = np.empty(2 * len(arr), dtype=arr.dtype)
                grown[:n] = arr[:n]
                self._data[k] = grown
        d = self._data
        d["time_s"][n] = time_s
        d["user"][n] = user
        d["instance"][n] = instance
        d["image"][n] = image
        d["latency_s"][n] = latency_s
        d["ok"][n] = ok
        self._n = n + 1

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns, trimmed to the rows recorded, sorted by arrival time."""
        n = self._n
        order = np.argsort(self._data["time_s"][:n], kind="stable")
        return {k: v[:n][order] for k, v in self._data.items()}

    @property
    def nbytes(self) -> int:
        """Bytes of array storage allocated (for the memory benchmark)."""
        return sum(v.nbytes for v in self._data.values())

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per request."""
        import pandas as pd

        return pd.DataFrame(self.arrays())
