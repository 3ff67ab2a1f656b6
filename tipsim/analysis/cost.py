"""Cost of a data-lake run from a dated price table (``data/prices_aws_us-east-1.csv``).

Every price carries its unit, source, the date it was entered and whether it was confirmed
against an official AWS source (see ``data/PRICES.md``). Learners can edit a copy (set
``TIPSIM_DATA_DIR``) or pass overrides: ``load_prices(overrides={"lambda_request": 3e-7})``.

Each arm pays only for its own back end, at list prices without free tiers:

* FaaS: ``invocations x lambda_request + gb_seconds x lambda_gb_second_x86``.
* Spark: ``instance_hours x (ec2_<type> + emr_<type>)`` (primary and core nodes).

The shared Kafka front (MSK brokers and broker storage) is costed apart: both arms pay it.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass

from tipsim.data import data_path
from tipsim.errors import ParameterError

DEFAULT_TABLE = "prices_aws_us-east-1.csv"
HOURS_PER_MONTH = 730.0
"""AWS prorates per-GB-month charges over 730 hours."""
MSK_REPLICATION = 3
"""Records are stored on three brokers (replication factor 3)."""


@dataclass(frozen=True)
class Price:
    """One row of the price table."""

    item: str
    unit: str
    usd: float
    source: str
    retrieved: str
    confirmed: bool


class PriceTable(dict[str, Price]):
    """Prices by item name; :meth:`usd` refuses an item that is missing."""

    def usd(self, item: str) -> float:
        if item not in self:
            raise ParameterError(item, None, f"a price for {item!r} in the price table "
                                 f"(data/{DEFAULT_TABLE} or an override)")
        return self[item].usd

    def unconfirmed(self) -> list[str]:
        return sorted(k for k, p in self.items() if not p.confirmed)


OVERRIDE_CEILING = 1000.0
"""An override may be at most this many times the dated price: a what-if, not 1e308 (which
made every cost "inf USD")."""
OVERRIDE_MAX_USD = 1e6
"""Ceiling of an override for an item the table does not hold (or holds at 0)."""


def load_prices(name: str = DEFAULT_TABLE,
                overrides: Mapping[str, float] | None = None) -> PriceTable:
    """Read the price table, then apply ``overrides`` (item -> USD, marked unconfirmed).

    Raises
    ------
    ParameterError
        For a negative or non-numeric price, or an override above
        :data:`OVERRIDE_CEILING` times the dated price, naming the item.
    """
    table = PriceTable()
    with data_path(name).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            item = row["item"].strip()
            table[item] = Price(item, row["unit"], _check(item, row["usd"]), row["source"],
                                row["retrieved"], row["confirmed"].strip().lower() == "yes")
    for item, usd in (overrides or {}).items():
        old = table.get(item)
        value = _check(item, usd)
        ceiling = OVERRIDE_CEILING * old.usd if old and old.usd > 0 else OVERRIDE_MAX_USD
        if value > ceiling:
            per = f" {old.unit}" if old and old.unit else ""
            why = (f" ({OVERRIDE_CEILING:,.0f} x the dated {old.usd:.3g})" if old and old.usd > 0
                   else "")
            raise ParameterError(item, usd, f"a price in USD{per} from 0 to {ceiling:.3g}{why}")
        table[item] = Price(item, old.unit if old else "", value, "learner override", "", False)
    return table


def _check(item: str, value: object) -> float:
    try:
        usd = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(item, value, "a price in USD (a number >= 0)") from None
    if not math.isfinite(usd) or usd < 0:
        raise ParameterError(item, value, "a price in USD (a number >= 0)")
    return usd


def faas_cost_usd(invocations: float, gb_seconds: float, prices: PriceTable,
                  architecture: str = "x86") -> dict[str, float]:
    """Lambda cost: requests and compute (GB-seconds), no free tier."""
    requests = invocations * prices.usd("lambda_request")
    compute = gb_seconds * prices.usd(f"lambda_gb_second_{architecture}")
    return {"requests_usd": requests, "compute_usd": compute, "total_usd": requests + compute}


def spark_cost_usd(instance_hours: float, instance_type: str, prices: PriceTable) -> dict[str, float]:
    """EMR cluster cost: EC2 plus the EMR fee per instance-hour (primary and core nodes)."""
    ec2 = instance_hours * prices.usd(f"ec2_{instance_type}")
    emr = instance_hours * prices.usd(f"emr_{instance_type}")
    return {"ec2_usd": ec2, "emr_usd": emr, "total_usd": ec2 + emr}


def front_cost_usd_per_hour(brokers: int, rate_per_s: float, record_bytes: int,
                            retention_hours: float, prices: PriceTable,
                            broker_type: str = "kafka.m5.large") -> dict[str, float]:
    """The shared Kafka front per hour: brokers plus the storage the retention needs
    (records x size x retention x replication, charged per GB-month prorated over 730 h)."""
    broker_usd = brokers * prices.usd(f"msk_{broker_type}")
    stored_gb = rate_per_s * record_bytes * retention_hours * 3600.0 * MSK_REPLICATION / 1e9
    storage_usd = stored_gb * prices.usd("msk_storage") / HOURS_PER_MONTH
    return {"brokers_usd_per_hour": broker_usd, "storage_usd_per_hour": storage_usd,
            "stored_gb": stored_gb, "total_usd_per_hour": broker_usd + storage_usd}
