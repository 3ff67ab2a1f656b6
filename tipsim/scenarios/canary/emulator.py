"""The canary in the emulator: build the green network, smoke-test it, shift the weights.

The steps a learner runs, in order:

1. :func:`build_green_network` applies the talk's canary toggles (``enable_new_network``:
   a second VPC with the ``canary`` instance; ``enable_green_application``: the green
   instance, its load balancer and the weighted record ``green`` at 0 beside ``blue``
   at 10);
2. :func:`smoke_test` checks the canary through the emulator's API (the kit's version of
   the talk's test-kitchen + InSpec check); :func:`break_default_route` breaks it on
   purpose, and applying the stack again repairs it;
3. :func:`params_from_stack` reads back what the simulation needs (the records' TTL and
   *evaluate target health*), so the simulated canary runs on what was built;
4. :func:`read_weights` / :func:`set_weights` move the weighted records in the emulator,
   and :func:`clients_following` shows in simulation how the change reaches clients as
   their DNS caches expire.

Example
-------
>>> stack = open_stack("talk")                          # doctest: +SKIP
>>> build_green_network(stack).ok                       # doctest: +SKIP
True
>>> smoke_test(stack).passed                            # doctest: +SKIP
True
>>> set_weights(stack, Weights(blue=5, green=5))        # doctest: +SKIP
{'blue': 5, 'green': 5}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tipsim.infra import weights as records
from tipsim.infra.smoke import Check, SmokeReport, run_smoke
from tipsim.infra.weights import Weights
from tipsim.scenarios.canary.params import Params
from tipsim.scenarios.infrastructure import ApplyResult, Stack
from tipsim.sim.web.dns import DnsConfig, weight_change_timeline

__all__ = ["CANARY_TOGGLES", "Check", "SmokeReport", "WeightShift", "Weights", "green_pct",
           "break_default_route", "build_green_network", "clients_following",
           "params_from_stack", "read_weights", "set_weights", "smoke_test"]

CANARY_TOGGLES: dict[str, bool] = {"enable_new_network": True, "enable_green_application": True}
"""The talk's toggles for the green network and the green application."""
GREEN_ROUTE_TABLE = "aws_route_table.public[1]"
ALIAS_TTL_S = 60.0
"""TTL of an alias record to a load balancer: fixed at 60 s (Amazon Route 53 FAQs, "DNS
Failover": alias records for ELB endpoints have a fixed TTL of 60 seconds)."""


def build_green_network(stack: Stack) -> ApplyResult:
    """Apply the canary toggles: the green network, the canary and the green application."""
    return stack.apply(CANARY_TOGGLES)


def smoke_test(stack: Stack) -> SmokeReport:
    """The canary's smoke test against what the emulator holds (see
    :mod:`tipsim.infra.smoke`): in the green subnet, ssh admitted, a default route to an
    internet gateway, its name resolving in the private zone."""
    return run_smoke(stack)


def break_default_route(stack: Stack) -> None:
    """Delete the green subnet's default route, as a careless change would; the smoke test
    then fails on ``default_route_to_gateway`` until the stack is applied again."""
    table = stack.owned()[GREEN_ROUTE_TABLE]
    stack.session.client("ec2").delete_route(RouteTableId=table.id,
                                             DestinationCidrBlock="0.0.0.0/0")


def params_from_stack(stack: Stack, params: Params | None = None) -> Params:
    """``params`` with the DNS the emulator holds: the blue record's TTL (an alias to a
    load balancer has Route 53's fixed 60 s) and whether it evaluates target health."""
    base = params if params is not None else Params()
    record = records.record_of(stack.owned(), "blue")
    if record is None:
        return base
    alias = record.attrs.get("alias")  # the provider's alias block: a list of one object
    if alias:
        return base.replace(dns_ttl_s=ALIAS_TTL_S,
                            evaluate_target_health=bool(alias[0].get("evaluate_target_health")))
    ttl = record.attrs.get("ttl")
    return base.replace(dns_ttl_s=float(ttl)) if ttl is not None else base


def read_weights(stack: Stack) -> dict[str, int | None]:
    """The records' weights as the emulator holds them (``None``: no such record)."""
    return records.read_weights(stack)


def set_weights(stack: Stack, weights: Weights) -> dict[str, int | None]:
    """Update both records (Route 53 UPSERT) and return the weights read back."""
    return records.set_weights(stack, weights.blue, weights.green)


def green_pct(blue: float, green: float) -> float:
    """Green's share of fresh DNS answers, in percent (every weight 0: equal shares)."""
    total = blue + green
    return 100.0 * green / total if total else 50.0


@dataclass(frozen=True)
class WeightShift:
    """Share of simulated clients reaching green around one weight change."""

    grid_s: np.ndarray
    green_share: np.ndarray
    weight_time_s: list[float]
    weight_pct: list[float]
    change_at_s: float
    duration_s: float
    dns: DnsConfig


def clients_following(old: Weights, new: Weights, *, ttl_s: float = 60.0,
                      clients: int = 500, rate_per_client_per_s: float = 0.05,
                      propagation_s: float | None = None, stale_share: float | None = None,
                      stale_hold_s: float | None = None, seed: int = 1,
                      change_at_s: float = 120.0) -> WeightShift:
    """Simulated clients after the weights change from ``old`` to ``new`` at
    ``change_at_s`` (:func:`tipsim.sim.web.dns.weight_change_timeline`): a fresh query
    sees the change once Route 53's server has it (within ``propagation_s``), and each
    client keeps its cached answer until its TTL runs out, longer for the
    ``stale_share`` behind TTL-extending resolvers (``stale_hold_s``). ``None`` takes
    the documented default of :class:`~tipsim.sim.web.dns.DnsConfig`; 0 and 0 give the
    TTL-exact switch. The run lasts until every cache has turned over, at least 300 s
    after the change. Bad values raise :class:`~tipsim.errors.ParameterError`."""
    extra = {k: v for k, v in {"propagation_s": propagation_s, "stale_share": stale_share,
                               "stale_hold_s": stale_hold_s}.items() if v is not None}
    cfg = DnsConfig.create({"ttl_s": ttl_s, "clients": clients,
                            "rate_per_client_per_s": rate_per_client_per_s, **extra})
    longest_s = max(cfg.ttl_s, cfg.stale_hold_s if cfg.stale_share > 0 else 0.0)
    duration_s = change_at_s + max(3 * cfg.ttl_s, cfg.propagation_s + longest_s + 60.0, 300.0)
    grid, share = weight_change_timeline(
        [old.blue, old.green], [new.blue, new.green], cfg, change_at_s=change_at_s,
        duration_s=duration_s, seed=seed)
    return WeightShift(grid, share, [0.0, change_at_s],
                       [green_pct(old.blue, old.green), green_pct(new.blue, new.green)],
                       change_at_s, duration_s, cfg)
