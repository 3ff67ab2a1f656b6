"""Scenario 4 (slides 13-14): A/B test a data lake, Kafka + FaaS against Kafka + Spark.

The steps a learner runs, each one call:

* :mod:`.params`: :class:`Params`, the spec (the Kafka front, both back ends, the objective);
* :mod:`.emulator`: build the spec as the ``datalake`` stack in the emulator
  (:func:`open_lake`, :func:`build`), read back what was built (:func:`read_back`) and derive
  the simulation's parameters from it (:func:`params_from_read_back`);
* :mod:`.simulate`: run paired replications of both arms (:func:`run`, :func:`run_cli`),
  compare them (:class:`ABResult`), priced from the dated table (:func:`price_table`) or
  the price fields of :class:`Params` (:func:`priced`);
* :mod:`.crossover`: sweep loads and narrow in on where the cheaper arm changes
  (:func:`crossover`), each batch of loads run serially (:func:`serial`) or by an injected
  :data:`Measure` (the panel's runs on ``tipsim.sweep``);
* :mod:`.pollers`: where a Kafka event poller's up-to-5 concurrent invocations matter
  (:func:`poller_study`: fewer pollers than partitions, bursts, scale-up).

``tipsim run data-lake-ab --set rate_per_s=5000 --replications 5 --json``
"""

from tipsim.scenarios.data_lake_ab.crossover import (
    COLUMNS,
    DEFAULT_RATES_PER_S,
    Measure,
    crossover,
    point,
    serial,
    summary_row,
)
from tipsim.scenarios.data_lake_ab.emulator import (
    MIN_BROKERS,
    SPEC_MAP,
    STACK,
    build,
    open_lake,
    params_from_read_back,
    read_back,
    stack_inputs,
)
from tipsim.scenarios.data_lake_ab.params import (
    B_OVERRIDES,
    FAAS_FIELDS,
    PRICE_FIELDS,
    SPARK_FIELDS,
    Arm,
    Backend,
    Params,
)
from tipsim.scenarios.data_lake_ab.pollers import CASES as POLLER_CASES
from tipsim.scenarios.data_lake_ab.pollers import PollerStudy, poller_study
from tipsim.scenarios.data_lake_ab.simulate import (
    ARMS,
    PRICE_ITEMS,
    ABResult,
    PriceTable,
    arm_cost,
    price_table,
    priced,
    run,
    run_cli,
    simulate_arm,
)

__all__ = [
    "ARMS", "B_OVERRIDES", "COLUMNS", "DEFAULT_RATES_PER_S", "FAAS_FIELDS", "MIN_BROKERS",
    "POLLER_CASES", "PRICE_FIELDS", "PRICE_ITEMS", "SPARK_FIELDS", "SPEC_MAP", "STACK",
    "ABResult", "Arm", "Backend", "Measure", "Params", "PollerStudy", "PriceTable", "arm_cost",
    "build", "crossover", "open_lake", "params_from_read_back", "point", "poller_study",
    "price_table", "priced", "read_back", "run", "run_cli", "serial", "simulate_arm",
    "stack_inputs", "summary_row",
]
