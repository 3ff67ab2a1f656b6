"""The canary scenario's emulator steps: build the green network, smoke-test it, break and
repair it, read back the DNS the simulation uses, set the weights, follow the clients."""

from __future__ import annotations

import numpy as np
import pytest

from tipsim.errors import ParameterError
from tipsim.infra.weights import record_of
from tipsim.scenarios import canary
from tipsim.scenarios.canary import Params, Weights


@pytest.fixture
def stack(emulator):
    s = canary.open_stack("talk", emulator.session)
    try:
        yield s
    finally:
        s.destroy()


@pytest.mark.infra
def test_green_network_passes_the_smoke_test_and_a_broken_route_fails_it(stack) -> None:
    """The talk's smoke test: passes on the built network; deleting the green subnet's
    default route fails only the route check; applying again repairs it."""
    assert canary.build_green_network(stack).ok
    assert canary.smoke_test(stack).passed, canary.smoke_test(stack).failed()
    canary.break_default_route(stack)
    assert canary.smoke_test(stack).failed() == ["default_route_to_gateway"]
    assert canary.build_green_network(stack).ok
    assert canary.smoke_test(stack).passed


@pytest.mark.infra
def test_simulation_params_read_back_the_records_dns(stack) -> None:
    """The blue record as built: an alias to the ELB (Route 53's fixed 60 s TTL) or, where
    the emulator has no ELB, an A record with the stack's 60 s TTL; evaluate target
    health on. Other parameters are kept."""
    canary.build_green_network(stack)
    base = Params(dns_ttl_s=300.0, evaluate_target_health=False, defect="latency")
    built = canary.params_from_stack(stack, base)
    assert built.dns_ttl_s == 60.0
    assert built.defect == "latency"
    alias = record_of(stack.owned(), "blue").attrs.get("alias")  # blue, or blue_instance
    assert built.evaluate_target_health is (bool(alias) or base.evaluate_target_health)


@pytest.mark.infra
def test_weights_are_set_in_the_emulator_and_read_back(stack) -> None:
    canary.build_green_network(stack)
    assert canary.read_weights(stack) == {"blue": 10, "green": 0}
    assert canary.set_weights(stack, Weights(blue=3, green=7)) == {"blue": 3, "green": 7}
    assert canary.read_weights(stack) == {"blue": 3, "green": 7}


def test_weights_outside_route53s_range_or_both_zero_are_refused() -> None:
    for bad in ({"blue": 256, "green": 0}, {"blue": 0, "green": 0}, {"blue": -1, "green": 3}):
        with pytest.raises(ParameterError, match="blue"):
            Weights.create(bad)


def test_clients_follow_a_full_switch_exactly_one_ttl_later() -> None:
    """Without propagation delay or TTL-extending resolvers: 10/0 -> 0/10 at 120 s with
    TTL 60 s: no client on green before the change, every client from 180 s on (Route 53
    answers are cached for the TTL, then asked again)."""
    shift = canary.clients_following(Weights(blue=10, green=0), Weights(blue=0, green=10),
                                     ttl_s=60.0, propagation_s=0.0, stale_share=0.0, seed=2)
    g, share = shift.grid_s, shift.green_share
    assert shift.weight_pct == [0.0, 100.0] and shift.duration_s == 120.0 + 300.0
    assert np.all(share[g < 120.0] == 0.0)
    assert 0.0 < share[g == 150.0][0] < 1.0
    assert np.all(share[g >= 180.0] == 1.0)


def test_clients_following_with_defaults_has_a_tail_past_the_ttl() -> None:
    """The documented defaults (propagation within 60 s, 8.74 % of clients behind
    resolvers holding 300 s): some clients are still on blue one TTL after the change,
    all are on green once 60 + 300 s passed; the run is long enough to show it."""
    shift = canary.clients_following(Weights(blue=10, green=0), Weights(blue=0, green=10),
                                     ttl_s=60.0, seed=2)
    g, share = shift.grid_s, shift.green_share
    assert shift.duration_s >= 120.0 + 60.0 + 300.0
    assert share[g == 180.0][0] < 1.0
    assert np.all(share[g >= 120.0 + 60.0 + 300.0] == 1.0)


def test_clients_following_refuses_a_bad_ttl() -> None:
    with pytest.raises(ParameterError, match="ttl_s"):
        canary.clients_following(Weights(), Weights(blue=5, green=5), ttl_s=-1.0)
