"""``tipsim run queue``: the simulator agrees with Erlang C within its interval."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from tipsim.errors import ParameterError
from tipsim.scenarios.queueing import Params, count_arrivals, run


@pytest.mark.parametrize(("lam", "mu", "c", "seed"), [
    (3.0, 5.0, 1, 2),      # Erlang C worked value Wq = 0.3
    (9.0, 1.0, 10, 1),     # Erlang C worked value Wq = 0.6687
    (1.5, 1.0, 2, 3),
    (40.0, 10.0, 5, 4),
])
def test_cli_queue_agrees_with_erlang_c_within_its_ci(run_cli, lam, mu, c, seed) -> None:
    """Fixed seeds, 10 replications, 95 % t-interval: theory inside the interval, and the
    interval narrow enough to mean something (half-width < 20 % of theory)."""
    code, out, err = run_cli("run", "queue", "--set", f"arrival_rate_per_s={lam}",
                             "--set", f"service_rate_per_s={mu}", "--set", f"servers={c}",
                             "--set", "duration_s=2000", "--set", "warmup_s=200",
                             "--seed", str(seed), "--json")
    assert code == 0, err
    res = json.loads(out)
    lo, hi = res["mean_wait_ci_s"]
    assert lo <= res["erlang_c_mean_wait_s"] <= hi
    assert (hi - lo) / 2 < 0.2 * res["erlang_c_mean_wait_s"]
    ulo, uhi = res["utilisation_ci"]
    assert ulo <= lam / (c * mu) <= uhi
    assert res["customers"] > 0.8 * lam * 1800 * 10


def test_coverage_of_the_interval_over_seeds() -> None:
    """Over 12 seeds the 95 % interval holds Erlang C's value at least 9 times
    (binomial(12, 0.95): P(fewer than 9) < 0.3 %): the interval is honest, not lucky."""
    params = Params.create(arrival_rate_per_s=3.0, service_rate_per_s=5.0, servers=1,
                           duration_s=1000.0, warmup_s=100.0, replications=8)
    hits = sum(run(params, seed=s)["wait_within_ci"] for s in range(100, 112))
    assert hits >= 9


def test_unstable_queue_is_refused_naming_its_fields(run_cli) -> None:
    code, _, err = run_cli("run", "queue", "--set", "arrival_rate_per_s=20")
    assert code == 2
    first = err.splitlines()[0]
    assert "arrival_rate_per_s" in first and "servers * service_rate_per_s" in first
    assert "--list-params" in err


def test_unknown_or_out_of_range_values_exit_2_with_the_valid_names(run_cli) -> None:
    code, _, err = run_cli("run", "queue", "--set", "lamda=3")
    assert code == 2 and "lamda" in err and "arrival_rate_per_s" in err
    code, _, err = run_cli("run", "queue", "--set", "servers=0")
    assert code == 2 and "servers" in err and ">= 1" in err
    code, _, err = run_cli("run", "queue", "--set", "warmup_s=5000")
    assert code == 2 and "warmup_s" in err.splitlines()[0]


def test_arrival_counts_are_poisson_around_rate_times_window() -> None:
    """Counts per 10 s window at 20/s: mean 200 and variance 200 (Poisson: variance = mean).
    Over 6 seeds of 60 windows, the pooled mean is within 4 sd of its mean (sd = sqrt(200/360))
    and the pooled variance within 25 % of 200 (its sd is about 200 x sqrt(2/360) = 15 = 7.5 %)."""
    counts = np.concatenate([count_arrivals(20.0, seed=s).counts for s in range(6)])
    assert counts.size == 360
    assert abs(counts.mean() - 200.0) < 4 * (200.0 / 360) ** 0.5
    assert counts.var(ddof=1) == pytest.approx(200.0, rel=0.25)


def test_arrival_counts_follow_their_seed_and_refuse_a_bad_rate() -> None:
    """The same seed gives the same arrivals (the "arrivals" stream); a rate outside the
    field's range is refused naming it."""
    a, b = count_arrivals(5.0, seed=3), count_arrivals(5.0, seed=3)
    assert (a.counts == b.counts).all() and a.expected == 50.0
    assert not (count_arrivals(5.0, seed=4).counts == a.counts).all()
    with pytest.raises(ParameterError, match="rate_per_s"):
        count_arrivals(0.0)


def test_arrival_interval_is_the_student_t_interval_of_the_window_counts() -> None:
    """The half-width is t(0.975, n-1) x s / sqrt(n) over the n windows."""
    data = count_arrivals(8.0, seed=2)
    n = data.counts.size
    expected = stats.t.ppf(0.975, n - 1) * data.counts.std(ddof=1) / n ** 0.5
    assert data.mean_ci95 == pytest.approx(expected)
