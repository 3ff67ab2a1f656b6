"""Where a poller's concurrency matters, checked against the documented rule (up to 5
invocations per poller, one batch per partition at a time) and the scaler's documented
timing (lag evaluated every minute, pollers added within three minutes)."""

from __future__ import annotations

import pytest

from tipsim.scenarios import data_lake_ab as dl

PARAMS = dl.Params(duration_s=300)
# One full batch with the defaults: 30 ms + 100 records x 0.5 ms / (1024 / 1769 vCPU).
FULL_BATCH_S = 0.030 + 100 * 0.5e-3 / (1024 / 1769)
ONE_AT_A_TIME_PER_S = 100 / FULL_BATCH_S  # about 859 records/s


@pytest.fixture(scope="module")
def study() -> dl.PollerStudy:
    return dl.poller_study(PARAMS, seed=1)


def test_one_poller_over_many_partitions_carries_five_times_more(study: dl.PollerStudy) -> None:
    """One poller, 24 partitions, 3,000 records/s: one batch at a time it carries one full
    batch per invocation time (about 859 records/s, the jitter has mean 1) and falls behind;
    five at once it could carry about 4,300 records/s, so it carries the whole load."""
    one = study.row("fewer pollers than partitions", 1)
    five = study.row("fewer pollers than partitions", 5)
    assert one["throughput_per_s"] == pytest.approx(ONE_AT_A_TIME_PER_S, rel=0.03)
    assert one["records_not_landed"] > 0
    assert five["throughput_per_s"] == pytest.approx(3000, rel=0.01)
    assert five["records_not_landed"] == 0
    assert (one["pollers_max"], five["pollers_max"]) == (1, 1)
    assert five["invocations_in_flight_max"] == 5


def test_scale_up_from_one_poller_waits_for_the_scaler_only_one_at_a_time(
        study: dl.PollerStudy) -> None:
    """A new mapping starts with one poller. One batch at a time, the lag grows at
    3,000 - 859 records/s until the scaler's first change serves (first evaluation at 60 s,
    change 180 s later): at least 90 % of 2,141 x 240 records. Five at once, the poller
    keeps up from the start: the lag stays within a couple of seconds of production
    (batching window, five cold starts, one invocation)."""
    one = study.row("scale-up from one poller", 1)
    five = study.row("scale-up from one poller", 5)
    assert one["max_lag_records"] >= 0.9 * (3000 - ONE_AT_A_TIME_PER_S) * 240
    assert one["pollers_max"] > 1
    assert five["max_lag_records"] < 2 * 3000
    assert five["pollers_max"] == 1


def test_bursts_are_absorbed_by_concurrency_not_by_the_scaler(study: dl.PollerStudy) -> None:
    """Four times the mean for 75 s: pollers sized for the mean. One at a time (2 pollers,
    about 1,700 records/s) the burst piles up over 100,000 records; five at once (about
    4,300 records/s per poller) the same load leaves a fraction of that and the p95 latency
    drops several-fold."""
    one = study.row("bursts", 1)
    five = study.row("bursts", 5)
    assert one["max_lag_records"] > 100_000
    assert five["max_lag_records"] < one["max_lag_records"] / 5
    assert five["latency_p95_s"] < one["latency_p95_s"] / 5


def test_every_setting_of_a_case_reads_the_same_records(study: dl.PollerStudy) -> None:
    for case in dl.POLLER_CASES:
        assert study.row(case, 1)["records"] == study.row(case, 5)["records"] > 0
        assert set(study.lags[case]) == {1, 5}
