"""The exact (Clopper-Pearson) binomial interval behind the kit's detection probabilities."""

from __future__ import annotations

import pytest
from scipy import stats

from tipsim.analysis.metrics import proportion_ci
from tipsim.errors import ParameterError


@pytest.mark.parametrize("n", [1, 4, 8, 30])
def test_all_or_nothing_has_the_closed_form_bounds(n: int) -> None:
    """Clopper-Pearson with no success: upper bound 1 - (alpha/2)^(1/n); with all
    successes: lower bound (alpha/2)^(1/n) (Clopper & Pearson 1934; Brown, Cai and
    DasGupta 2001, eq. 4)."""
    alpha = 0.05
    assert proportion_ci(0, n) == pytest.approx((0.0, 0.0, 1 - (alpha / 2) ** (1 / n)))
    assert proportion_ci(n, n) == pytest.approx((1.0, (alpha / 2) ** (1 / n), 1.0))


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.9])
def test_the_interval_covers_the_true_probability_at_least_95_percent_of_the_time(p) -> None:
    """Exact coverage, summed over every outcome of 12 trials: never below 95 %."""
    n = 12
    coverage = sum(stats.binom.pmf(k, n, p) for k in range(n + 1)
                   if proportion_ci(k, n)[1] <= p <= proportion_ci(k, n)[2])
    assert coverage >= 0.95


def test_bad_counts_are_refused_naming_the_field() -> None:
    with pytest.raises(ParameterError, match="trials"):
        proportion_ci(0, 0)
    with pytest.raises(ParameterError, match="successes"):
        proportion_ci(5, 4)
