"""One run's result (the ``tipsim run NAME --json`` dict) as one flat row of columns.

The rule:

* a number, text, true/false or empty value is kept as it is (numpy scalars become
  Python ones);
* a nested dict becomes one column per leaf, named with dots: ``health_changes.blue``;
* a list (a confidence interval, the canary's steps, the events of a run) is kept whole as
  JSON text in one column: ``json.loads(row["steps"])`` gives it back. Nothing is dropped.

Example
-------
>>> flatten({"failed": 3, "ci": [1.0, 2.0], "a": {"b": {"c": None}}})
{'failed': 3, 'ci': '[1.0, 2.0]', 'a.b.c': None}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def flatten(result: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The flat row of ``result`` (see the module's rule)."""
    out: dict[str, Any] = {}
    for key, value in result.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list | tuple | np.ndarray):
            out[name] = json.dumps(value, default=_plain)
        elif isinstance(value, np.generic):
            out[name] = value.item()
        elif value is None or isinstance(value, bool | int | float | str):
            out[name] = value
        else:
            out[name] = str(value)
    return out
