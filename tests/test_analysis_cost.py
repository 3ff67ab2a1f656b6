"""Costs come from the dated price table, item by item, and bad prices are refused."""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest

from tipsim.analysis.cost import (
    faas_cost_usd,
    front_cost_usd_per_hour,
    load_prices,
    spark_cost_usd,
)
from tipsim.data import data_path
from tipsim.errors import ParameterError
from tipsim.scenarios.data_lake_ab import arm_cost
from tipsim.sim.data_lake.faas import FaasSettings, simulate_faas
from tipsim.sim.data_lake.kafka import TopicSettings, produce
from tipsim.sim.data_lake.spark import SparkSettings, simulate_spark


def test_every_price_has_unit_source_date_and_confirmation() -> None:
    """The table is dated and sourced; unconfirmed items say so (data/PRICES.md)."""
    with data_path("prices_aws_us-east-1.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"item", "unit", "usd", "source", "retrieved", "confirmed"} <= set(rows[0])
    for row in rows:
        assert row["unit"] and row["source"] and row["retrieved"], row["item"]
        assert row["confirmed"] in ("yes", "no"), row["item"]
    prices = load_prices()
    # Lambda figures are the AWS whitepaper's ("How AWS Pricing Works"); the EMR fee was not found anywhere
    assert prices.usd("lambda_request") == pytest.approx(0.20 / 1e6)
    assert prices.usd("lambda_gb_second_x86") == pytest.approx(0.0000166667)
    assert "emr_m5.xlarge" in prices.unconfirmed()


def test_faas_cost_is_requests_times_price_plus_gb_seconds_times_price() -> None:
    """For the invocations and durations a run reports, the arm's cost is exactly
    invocations x request price + GB-seconds x GB-second price from the table."""
    load = produce(TopicSettings(rate_per_s=1500, duration_s=300), np.random.default_rng(4))
    st = FaasSettings(memory_mb=512)
    run = simulate_faas(load, st, 0.5e-3, np.random.default_rng(5))
    prices = load_prices()
    inv, gbs = run.usage["invocations"], run.usage["gb_seconds"]
    assert inv > 0
    assert gbs == pytest.approx(run.usage["billed_s"] * 512 / 1024)
    expected = inv * 0.0000002 + gbs * 0.0000166667
    assert faas_cost_usd(inv, gbs, prices)["total_usd"] == pytest.approx(expected)
    assert arm_cost(run, st, prices)["cost_usd_per_hour"] == pytest.approx(expected * 3600 / 300)


def test_spark_cost_is_instance_hours_times_hourly_prices() -> None:
    """A cluster's cost is instance-hours x (EC2 + EMR) per instance-hour from the table."""
    load = produce(TopicSettings(rate_per_s=1500, duration_s=600), np.random.default_rng(4))
    st = SparkSettings(core_nodes=2)
    run = simulate_spark(load, st, 0.5e-3, np.random.default_rng(5))
    prices = load_prices()
    hours = run.usage["instance_hours"]
    assert hours == pytest.approx(3 * 600 / 3600)  # primary + 2 core nodes, the whole window
    assert spark_cost_usd(hours, "m5.xlarge", prices)["total_usd"] == pytest.approx(hours * (0.192 + 0.048))
    assert arm_cost(run, st, prices)["cost_usd_per_hour"] == pytest.approx(3 * 0.24)


def test_overrides_replace_prices_and_are_marked_unconfirmed() -> None:
    """A learner's override is used and flagged as not confirmed."""
    prices = load_prices(overrides={"lambda_request": 1e-6})
    assert prices.usd("lambda_request") == 1e-6
    assert not prices["lambda_request"].confirmed
    assert faas_cost_usd(1000, 0, prices)["total_usd"] == pytest.approx(1e-3)


def test_an_absurd_price_is_refused_not_turned_into_infinite_costs() -> None:
    """1e308 USD per GB-second is a valid float and made every cost "inf USD": an override
    may be up to 1,000 x the dated price (a what-if), and the message says the ceiling."""
    with pytest.raises(ParameterError, match=r"lambda_gb_second_x86=1e\+308 is not allowed: "
                       r"a price in USD per GB-second from 0 to 0.0167"):
        load_prices(overrides={"lambda_gb_second_x86": 1e308})
    dear = load_prices(overrides={"lambda_gb_second_x86": 0.0166})  # 996 x: still a what-if
    assert faas_cost_usd(0, 1e6, dear)["total_usd"] == pytest.approx(16_600)
    with pytest.raises(ParameterError, match="no_such_item"):
        load_prices(overrides={"no_such_item": 1e7})


def test_missing_or_negative_price_is_refused_naming_the_item(tmp_path, monkeypatch) -> None:
    """A price table without an item the model needs, or a negative price, names the item."""
    with pytest.raises(ParameterError, match="lambda_request"):
        load_prices(overrides={"lambda_request": -1})
    src = data_path("prices_aws_us-east-1.csv")
    lines = [ln for ln in src.read_text().splitlines() if not ln.startswith("emr_m5.xlarge")]
    (tmp_path / src.name).write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("TIPSIM_DATA_DIR", str(tmp_path))
    prices = load_prices()
    with pytest.raises(ParameterError, match="emr_m5.xlarge"):
        spark_cost_usd(1.0, "m5.xlarge", prices)


def test_edited_copy_in_tipsim_data_dir_is_used(tmp_path, monkeypatch) -> None:
    """TIPSIM_DATA_DIR points the kit at the learner's edited table."""
    src = data_path("prices_aws_us-east-1.csv")
    shutil.copy(src, tmp_path / src.name)
    text = (tmp_path / src.name).read_text().replace("ec2_m5.xlarge,per instance-hour,0.192",
                                                     "ec2_m5.xlarge,per instance-hour,0.5")
    (tmp_path / src.name).write_text(text)
    monkeypatch.setenv("TIPSIM_DATA_DIR", str(tmp_path))
    assert load_prices().usd("ec2_m5.xlarge") == 0.5


def test_front_cost_counts_brokers_and_replicated_retention() -> None:
    """Kafka front per hour: brokers x broker price + stored GB (3 replicas) x GB-month / 730."""
    prices = load_prices()
    front = front_cost_usd_per_hour(3, 1000, 1000, 24, prices)
    stored_gb = 1000 * 1000 * 24 * 3600 * 3 / 1e9
    assert front["stored_gb"] == pytest.approx(stored_gb)
    assert front["total_usd_per_hour"] == pytest.approx(3 * 0.21 + stored_gb * 0.10 / 730)


def test_non_numeric_price_is_refused_naming_the_item() -> None:
    """A price that is not a number is refused with the item's name."""
    with pytest.raises(ParameterError, match="msk_storage"):
        load_prices(overrides={"msk_storage": "cheap"})
