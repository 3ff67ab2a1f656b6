"""Tables for learners: units in headers, percentages as %, sensible rounding, no internal
column names (the cases issue 15 found in the notebooks)."""

from __future__ import annotations

import math

import pandas as pd

from tipsim.viz.tables import format_value, headers_ok, learner_table, metric_table


def test_the_issues_numbers_read_as_a_person_would_write_them() -> None:
    """A share of the error budget is a percentage (the chart beside it says %), hours are
    rounded, a count has no decimals and groups its thousands."""
    assert format_value("error_budget_used", 0.005085) == "0.509%"
    assert format_value("instance_hours", 1.333333) == "1.33"
    assert format_value("records", 600332.0) == "600,332"
    assert format_value("affected_users", 255.4) == "255.4"  # a mean of counts keeps a decimal
    assert format_value("latency_p95_s", 0.41749) == "0.417"
    assert format_value("max_lag_records", 23121.0) == "23,121"
    assert format_value("p_value", 7e-6) == "< 0.0001"
    assert format_value("time_to_detect_s", None, "never") == "never"
    assert format_value("time_to_detect_s", math.nan) == "–"
    assert format_value("labels", {"os-image": "secure"}) == "os-image: secure"
    assert format_value("taints", []) == "none"
    assert format_value("critical", True) == "yes"


def test_headers_carry_units_and_no_internal_name_reaches_the_page() -> None:
    """The judge's columns (n_canary, ci_low, ...) get words; an interval is one column and
    a standard error sits beside its mean."""
    judge = pd.DataFrame([{"name": "error_rate", "n_canary": 12, "ci_low": 0.99537,
                           "ci_high": 1.0, "p_value": 0.000007}])
    t = learner_table(judge, labels={"name": "metric"}, confidence=0.98)
    assert t.headers == ["metric", "canary values", "98% CI", "p-value"]
    assert t.rows == [["error_rate", "12", "0.995 to 1", "< 0.0001"]]
    assert headers_ok(t)
    rows = [{"label": "node-by-node", "exposure_pod_seconds": 300.0,
             "exposure_pod_seconds_se": 19.04, "migration_time_s": None}]
    t = learner_table(rows, missing={"migration_time_s": "not finished"})
    assert t.headers[1] == "exposure (external pod-s on insecure nodes), mean ± s.e."
    assert t.rows[0][1:] == ["300 ± 19", "not finished"]
    assert "migration time (s)" in t.headers


def test_a_named_index_becomes_a_column_and_html_scrolls_instead_of_overflowing() -> None:
    """A table set_index'd by strategy still shows the strategy; the HTML wraps the table in
    a box that scrolls sideways on a narrow page, headers wrap."""
    frame = pd.DataFrame({"strategy": ["toggle"], "instance_cost_usd": [0.019720]})
    t = learner_table(frame.set_index("strategy"))
    assert t.headers == ["strategy", "machine cost (USD)"] and t.rows == [["toggle", "0.0197"]]
    html = t._repr_html_()
    assert "overflow-x:auto" in html and "white-space:normal" in html
    assert "instance_cost_usd" not in html


def test_metric_table_labels_rows_and_formats_each_by_its_metric() -> None:
    """Notebook 04's summary: one row per metric, one column per arm."""
    t = metric_table({"A (faas)": {"slo_share": 1.0, "records": 600332.0},
                      "B (spark)": {"slo_share": 0.369, "records": 600332.0}},
                     ["slo_share", "records"])
    assert t.rows == [["records within the objective", "100%", "36.9%"],
                      ["records", "600,332", "600,332"]]
