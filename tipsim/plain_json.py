"""Results as plain JSON data: what ``json.dumps`` writes with ``allow_nan=False``.

A scenario's result holds numpy scalars and arrays and, where nothing was measured, NaN
or infinity; JSON has neither type and no NaN (RFC 8259, section 6). :func:`plain_json`
walks nested dicts, lists and tuples and gives Python numbers and lists for numpy's
(duck-typed by ``tolist``, so a caller without numpy needs nothing), and ``None`` for a
non-finite float.

Example
-------
>>> import numpy as np
>>> plain_json({"p95_s": np.float64("nan"), "ci": (np.int64(1), 2.5), "x": np.arange(2)})
{'p95_s': None, 'ci': [1, 2.5], 'x': [0, 1]}
"""

from __future__ import annotations

import math
from typing import Any


def plain_json(value: Any) -> Any:
    """``value`` with numpy values as Python ones and NaN/infinities as ``None``."""
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    if hasattr(value, "tolist"):
        return plain_json(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
