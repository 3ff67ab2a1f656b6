"""Paired A/B statistics: intervals that cover as promised, verdicts that refuse to guess."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.analysis.ab_stats import (
    NOT_ENOUGH,
    paired_difference,
    same_input,
    signed_rank_test,
    verdict,
)
from tipsim.errors import ParameterError

LABELS = ("A (faas)", "B (spark)")


def test_paired_t_interval_covers_the_true_difference_95_percent_of_the_time() -> None:
    """Theory: a 95 % t interval on normal paired data covers the true mean difference in
    95 % of experiments. Over 2,000 experiments of 5 pairs, the binomial sd is 0.5 %, so the
    coverage must lie within 93.5-96.5 % (3 sd)."""
    rng = np.random.default_rng(42)
    covered = 0
    for _ in range(2000):
        shared = rng.normal(10, 3, size=5)  # common random numbers: the load's luck
        a = shared + rng.normal(0, 0.2, size=5)
        b = shared + 0.1 + rng.normal(0, 0.2, size=5)
        d = paired_difference(a, b)
        covered += d["ci_low"] <= 0.1 <= d["ci_high"]
    assert 0.935 <= covered / 2000 <= 0.965


def test_a_clear_difference_names_the_lower_arm_and_a_tie_says_not_enough_evidence() -> None:
    """Lower wins when the interval excludes zero; an interval across zero gives no winner."""
    a = np.array([1.0, 1.1, 0.9, 1.0, 1.05])
    win = verdict("faster", "p95 latency", paired_difference(a, a + 5), LABELS, "s")
    assert win["answer"] == "a" and "A (faas) is faster" in win["text"]
    assert win["confidence"] == 0.95
    tie = verdict("cheaper", "cost", paired_difference(a, a[::-1]), LABELS, "USD")
    assert tie["answer"] == NOT_ENOUGH and tie["winner"] is None
    same = verdict("cheaper", "cost", paired_difference(a, a), LABELS, "USD")
    assert same["answer"] == NOT_ENOUGH and same["p_value"] == 1.0


def test_signed_rank_test_knows_its_smallest_possible_p_value() -> None:
    """With n non-zero pairs the exact two-sided signed-rank p is at least 2 / 2**n: five
    replications can never show significance at 0.05, and the result says so."""
    a = np.arange(5.0)
    r5 = signed_rank_test(a, a + 1)
    assert r5["p_value"] == pytest.approx(2 / 32)
    assert "smallest possible p" in r5["note"]
    a8 = np.arange(8.0)
    r8 = signed_rank_test(a8, a8 + 1)
    assert r8["p_value"] == pytest.approx(2 / 256) and r8["note"] == ""


def test_fewer_than_two_replications_are_refused() -> None:
    """A paired interval needs two pairs; the error names the field."""
    with pytest.raises(ParameterError, match="replications"):
        paired_difference([1.0], [2.0])


def test_same_input_compares_every_replication() -> None:
    """The sanity check fails when one replication's input differs."""
    assert same_input(["x", "y"], ["x", "y"])
    assert not same_input(["x", "y"], ["x", "z"])


def test_a_verdict_says_when_both_arms_miss_the_objective() -> None:
    """"Faster" is relative: when both arms miss the objective the verdict still names the
    faster one, and says in the same text that neither meets the objective."""
    a = np.array([600.0, 610.0, 590.0, 605.0, 600.0])
    d = paired_difference(a, a + 20)
    both = verdict("faster", "p95 latency", d, LABELS, "s", misses=(True, True),
                   objective="99% of records within 30 s")
    assert both["answer"] == "a" and both["misses_objective"] == ["a", "b"]
    assert "Both arms miss the objective (99% of records within 30 s)" in both["text"]
    one = verdict("faster", "p95 latency", d, LABELS, "s", misses=(False, True),
                  objective="99% of records within 30 s")
    assert "B (spark) misses the objective" in one["text"] and "Both" not in one["text"]
    fine = verdict("faster", "p95 latency", d, LABELS, "s", misses=(False, False), objective="x")
    assert "objective" not in fine["text"] and fine["misses_objective"] == []


def test_signed_rank_text_says_why_few_pairs_cannot_be_significant() -> None:
    """The result is a sentence, not a dict to decode: with 3 pairs the exact test's
    smallest p is 2 / 2**3 = 0.25."""
    a = np.arange(3.0)
    text = signed_rank_test(a, a + 1)["text"]
    assert text.startswith("Wilcoxon signed-rank test: p = 0.25")
    assert "cannot reach 0.05" in text
    assert "cannot" not in signed_rank_test(np.arange(8.0), np.arange(8.0) + 1)["text"]
