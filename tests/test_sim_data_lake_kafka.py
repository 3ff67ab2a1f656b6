"""The Kafka front: producers write Poisson counts around the load profile of each pattern."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.sim.data_lake.kafka import TopicSettings, produce, rate_profile_per_s


def test_producer_mean_rate_matches_the_setting_for_every_pattern() -> None:
    """Counts are Poisson around the rate profile; each pattern averages rate_per_s."""
    for pattern in ("steady", "on_off", "daily"):
        ts = TopicSettings(rate_per_s=1000, pattern=pattern, burst_factor=4, burst_period_s=60,
                           partitions=6, duration_s=600)
        load = produce(ts, np.random.default_rng(5))
        # Poisson: sd of the total is sqrt(600k) ~ 775, so 1 % (6,000) is about 8 sd
        assert load.records == pytest.approx(600_000, rel=0.01), pattern
    t = np.array([0.0, 14.9, 15.1, 59.0])
    on_off = TopicSettings(rate_per_s=100, pattern="on_off", burst_factor=4, burst_period_s=60)
    assert rate_profile_per_s(on_off, t).tolist() == [400.0, 400.0, 0.0, 0.0]
