"""Results as plain JSON: RFC 8259 has no NaN or infinity, and json.dumps knows no numpy."""

from __future__ import annotations

import json
import math

import numpy as np

from tipsim.plain_json import plain_json


def test_nested_numpy_values_and_non_finite_floats_become_strict_json() -> None:
    result = {"p95_s": np.float64("nan"), "lag": np.array([1.5, np.inf, -np.inf]),
              "ci": (np.int64(3), 0.25), "steps": [{"ok": np.bool_(True), "at_s": math.nan}],
              "name": "canary", "none": None}
    plain = plain_json(result)
    assert plain == {"p95_s": None, "lag": [1.5, None, None], "ci": [3, 0.25],
                     "steps": [{"ok": True, "at_s": None}], "name": "canary", "none": None}
    assert json.loads(json.dumps(plain, allow_nan=False)) == plain
    assert type(plain["ci"][0]) is int and type(plain["steps"][0]["ok"]) is bool


def test_finite_values_are_kept_exactly() -> None:
    values = [0.1, 1e308, -5e-324, 2**63 - 1, "x", True]
    assert plain_json(np.array(values[:3])) == values[:3]
    assert plain_json(values) == values
