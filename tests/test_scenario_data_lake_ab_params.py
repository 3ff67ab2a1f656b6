"""The A/B data lake's parameters are the components' fields, declared once: same ranges, same
units, flat CLI names; arm B's overrides take arm A's ranges."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from tipsim.errors import ParameterError
from tipsim.params import field_meta
from tipsim.scenarios.data_lake_ab import B_OVERRIDES, FAAS_FIELDS, SPARK_FIELDS, Params
from tipsim.sim.data_lake.faas import FaasSettings
from tipsim.sim.data_lake.kafka import TopicSettings
from tipsim.sim.data_lake.lake import ArmNoise
from tipsim.sim.data_lake.spark import SparkSettings


def _definition(model: type[BaseModel], name: str) -> tuple[object, ...]:
    m = field_meta(model, name)
    return (m.kind, m.low, m.high, m.low_open, m.high_open, m.choices, m.unit, m.step,
            m.slider, m.log)


def _flattened() -> list[tuple[type[BaseModel], str, str]]:
    out = [(TopicSettings, name, name) for name in TopicSettings.model_fields]
    out += [(FaasSettings, name, name) for name in FAAS_FIELDS]
    out += [(SparkSettings, name, name) for name in SPARK_FIELDS]
    out += [(FaasSettings if name in FaasSettings.model_fields else SparkSettings, name, "b_" + name)
            for name in B_OVERRIDES]
    out += [(ArmNoise, "duration_cv", "jitter_cv"), (FaasSettings, "duration_cv", "jitter_cv"),
            (SparkSettings, "duration_cv", "jitter_cv")]
    return out


@pytest.mark.parametrize(("component", "name", "flat"), _flattened(),
                         ids=lambda x: x if isinstance(x, str) else x.__name__)
def test_scenario_field_is_the_components_definition(component, name, flat) -> None:
    """Range, unit, step and slider of a flattened field equal the component's: no copy
    that could drift (the FaaS and Spark jitter and the scenario's jitter_cv are one field)."""
    assert _definition(Params, flat) == _definition(component, name)


def test_every_component_field_the_scenario_exposes_exists_in_it() -> None:
    assert set(TopicSettings.model_fields) <= set(Params.model_fields)
    for name in FAAS_FIELDS + SPARK_FIELDS:
        assert name in Params.model_fields


def test_duration_below_one_minute_is_refused_by_the_topic_and_the_scenario() -> None:
    """The drift between the scenario (>= 60 s) and the topic (>= 10 s) is settled at one
    minute: Lambda's on-demand scaler looks at the lag once a minute (AWS docs, Kafka event
    poller scaling modes) and EMR bills at least a minute per instance."""
    for model in (Params, TopicSettings):
        with pytest.raises(ParameterError, match="duration_s.*>= 60"):
            model.create(duration_s=59)
        assert model.create(duration_s=60).duration_s == 60


def test_arm_b_overrides_take_arm_a_ranges_and_may_stay_empty() -> None:
    p = Params.from_sets(["arm_b=faas", "b_memory_mb=512", "b_batch_size="])
    assert p.b_batch_size is None
    assert p.arm_settings("b").memory_mb == 512  # type: ignore[union-attr]
    assert p.arm_settings("a").memory_mb == 1024  # type: ignore[union-attr]
    with pytest.raises(ParameterError, match=r"b_memory_mb.*>= 128 and <= 10240 \(MB\)"):
        Params.from_sets(["b_memory_mb=64"])


def test_arm_settings_carry_the_scenario_jitter_to_either_back_end() -> None:
    p = Params(jitter_cv=0.3, arm_a="faas", arm_b="spark")
    assert p.arm_settings("a").duration_cv == 0.3
    assert p.arm_settings("b").duration_cv == 0.3
    assert p.topic() == TopicSettings()
