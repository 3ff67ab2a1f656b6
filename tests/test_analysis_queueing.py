"""Erlang C against published worked values and hand calculations."""

from __future__ import annotations

import pytest

from tipsim.analysis.queueing import (
    erlang_c,
    mmc_mean_response_s,
    mmc_mean_wait_s,
    mmc_utilisation,
)
from tipsim.errors import ParameterError


def test_worked_values_of_erlang_c() -> None:
    """Erlang C (Kleinrock, Queueing Systems vol. 1): M/M/1 lambda=3, mu=5: Wq = 0.3;
    M/M/10 lambda=9, mu=1: Wq = 0.6687."""
    assert mmc_mean_wait_s(3.0, 5.0, 1) == pytest.approx(0.3, abs=1e-12)
    assert mmc_mean_wait_s(9.0, 1.0, 10) == pytest.approx(0.6687, abs=5e-5)


def test_erlang_c_by_hand_and_mm1_closed_form() -> None:
    """C(2, 1) = (1/2 * 2) / (1 + 1 + 1) = 1/3; for c = 1, C = rho and W = 1/(mu - lambda)."""
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert mmc_mean_response_s(3.0, 5.0, 1) == pytest.approx(1 / (5.0 - 3.0))
    assert mmc_utilisation(9.0, 1.0, 10) == pytest.approx(0.9)


def test_large_server_counts_stay_finite() -> None:
    """The Erlang B recursion avoids overflow at c = 500 (a^c / c! would overflow)."""
    assert 0.0 < erlang_c(500, 480.0) < 1.0


def test_unstable_queue_names_the_fields() -> None:
    with pytest.raises(ParameterError) as err:
        mmc_mean_wait_s(10.0, 1.0, 10)
    assert err.value.field == "arrival_rate_per_s"
    assert "servers * service_rate_per_s" in str(err.value)
