"""Scenario 2 (slides 9-11): a green network and application beside blue, and three ways
to move traffic onto it: big-bang, blue/green with a manual switch, and a canary
judged automatically.

The model (all on one seed, so strategies see the same clients and requests):

* clients (``users``) send Poisson requests (:mod:`tipsim.sim.web.traffic`); each client
  resolves ``application.test.in.production`` through weighted Route 53 records
  (blue / green) and caches the answer for ``dns_ttl_s`` (:mod:`tipsim.sim.web.dns`);
  a weight change reaches Route 53's servers within ``dns_propagation_s``, and the
  ``stale_resolver_share`` of clients behind TTL-extending resolvers keep answers for
  ``stale_resolver_hold_s``;
* each side has its own network path (round trip, loss, maybe a blocked port:
  :mod:`tipsim.sim.web.network`), a classic ELB with the talk's health check (30 s, 3 s,
  2 / 2: :mod:`tipsim.sim.web.health`) over ``instances_per_side`` instances
  (:mod:`tipsim.sim.web.instances`); with *evaluate target health* DNS skips a side whose
  ELB has no in-service instance;
* the green side may carry a defect (:mod:`tipsim.scenarios.canary.defects`: what each
  does, its default and its source): ``blocked-port``, ``latency``, ``loss``,
  ``overload`` (fine under a small share of the traffic, over capacity at full load),
  ``errors``, ``crash`` and ``production-clients`` (old clients only production has);
* the strategy moves green's DNS weight (:mod:`tipsim.sim.web.rollouts.canary`); the canary
  is gated first by the smoke test (``smoke_test``; the notebook can pass the
  emulator's real smoke result instead) and judged each window by the Kayenta-style
  judge (:mod:`tipsim.analysis.canary_judge`) on green (canary) against a baseline; the
  blue/green operator switches back when an SLO alert fires.

The judge's baseline (``judge_baseline``) is blue, production itself (``"production"``),
or, as Kayenta recommends, a fresh baseline (``"fresh"``): production's version on
``instances_per_side`` new instances deployed with green, behind a third weighted record
that gets the canary's weight at every step (Spinnaker docs, "Best practices for
configuring canary", spinnaker.io/guides/user/canary/best-practices: "Compare canary
against baseline, not against production", same time of deployment, same size, same type
and amount of traffic, to control for "the cache warmup time, the heap size, and so
on"). New instances (green, a fresh baseline) start
with a cold cache when ``cold_start_factor`` > 1 (:mod:`tipsim.sim.web.instances`);
production's are warm.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from tipsim.analysis.canary_judge import interval_series, judge
from tipsim.analysis.metrics import mean_ci
from tipsim.analysis.slo import window_compliance
from tipsim.scenarios.canary.defects import BASELINE, BLUE, GREEN, blue_image, green_side
from tipsim.scenarios.canary.params import STRATEGIES, Params
from tipsim.scenarios.canary.results import CanaryRun
from tipsim.sim.rng import streams
from tipsim.sim.web import health
from tipsim.sim.web.dns import ClientCaches, cache_lifetimes, client_share_timeline
from tipsim.sim.web.entry import DnsEntry
from tipsim.sim.web.health import HealthCheckConfig, HealthChecker, HealthLog, default_probe
from tipsim.sim.web.loadbalancer import LoadBalancer
from tipsim.sim.web.network import NetworkLog, NetworkPath, Side
from tipsim.sim.web.rollouts import canary as rollout
from tipsim.sim.web.service import Service

HEALTH_CHECK = HealthCheckConfig()
"""Both ELBs' check: the talk's (HTTP:80/ every 30 s, timeout 3 s, healthy 2, unhealthy 2)."""


def simulate(params: Params, *, seed: int, smoke_passed: bool | None = None,
             replication: int = 0) -> CanaryRun:
    """Run one strategy on one seed.

    Parameters
    ----------
    params
        Scenario parameters.
    seed
        Common random numbers: the same seed gives every strategy the same requests.
    smoke_passed
        The smoke test's result (e.g. from the emulator); ``None`` uses ``params.smoke_test``.
    replication
        Replication index (independent streams).
    """
    p = params
    rng = streams(seed, ["network", "dns", "loss-blue", "loss-green", "loss-baseline",
                         "dns-resolvers", "dns-propagation"], replication)
    workload = p.traffic().workload(seed, replication=replication)
    env = simpy.Environment()
    green = green_side(p)
    blue_path = NetworkPath(rtt_s=p.rtt_s, jitter_s=p.rtt_s / 4)
    # (name, image, path, workers, warm): production is long-running, so warm
    layout = [("blue", blue_image(p), blue_path, p.workers_per_instance, True),
              ("green", green.image, green.path, green.workers, False)]
    fresh_baseline = p.strategy == "canary" and p.judge_baseline == "fresh"
    if fresh_baseline:  # production's version on new instances, beside the canary
        layout.append(("baseline", blue_image(p, BASELINE), blue_path,
                       p.workers_per_instance, False))
    log = NetworkLog({img.code: path for _, img, path, _, _ in layout}, p.client_timeout_s,
                     rng["network"], capacity=len(workload) + 16)
    dns = p.dns_config()
    lifetimes = cache_lifetimes(p.users, dns, rng["dns-resolvers"])
    caches = ClientCaches(p.users, p.dns_ttl_s, lifetimes)
    sides = []
    svc = Service(workload, env=env)
    svc.log = log  # instances launched below record into the network-aware log
    health: dict[str, HealthLog] = {}
    checkers = []
    for name, img, path, workers, warm in layout:
        lb = LoadBalancer()
        # serving from 0 (a boot of 0 s); an image's crash_after_s counts from then
        insts = [svc.launch(img, pool=name, lb=lb, register=False, workers=workers, warm=warm)
                 for _ in range(p.instances_per_side)]
        sides.append(Side(name, img.code, lb, path, rng[f"loss-{name}"]))
        checkers.append((name, lb, insts))
    entry = DnsEntry(sides, caches, log, p.entry_config(), propagation_s=dns.propagation_s,
                     rng=rng["dns-propagation"],
                     old_clients=p.traffic().old_clients(seed, replication=replication).tolist())
    for name, lb, insts in checkers:
        hc = HealthChecker(env, lb, insts, default_probe(p.mean_service_s), HEALTH_CHECK,
                           on_change=entry.note_change)
        health[name] = hc.log
    # the talk's records: blue 10, green 0 (as 100 / 0), and the baseline's at 0
    entry.set_weights([100.0] + [0.0] * (len(sides) - 1), 0.0)
    entry.note_change(0.0)
    caches.prefill(entry.probabilities(), rng["dns"])
    svc.router = entry
    record = rollout.RolloutRecord(weight_time_s=[0.0], weight_pct=[0.0])
    slo = p.slo()
    baseline_code = BASELINE if fresh_baseline else BLUE

    def arrays_until(now_s: float) -> dict[str, np.ndarray]:
        for inst in svc.instances:
            inst.flush(now_s)
        return log.arrays()

    def evaluate(start_s: float, end_s: float) -> tuple[str, float, Any]:
        a = arrays_until(end_s)
        sides_series = []
        for code in (GREEN, baseline_code):
            sel = a["image"] == code
            sides_series.append(interval_series(a["time_s"][sel], a["latency_s"][sel],
                                                a["ok"][sel], start_s, end_s,
                                                p.metric_interval_s))
        result = judge(sides_series[0], sides_series[1], params=p.judge_params())
        return result.verdict, result.score, result

    def alert(now_s: float) -> bool:
        a = arrays_until(now_s)
        w = window_compliance(a["time_s"], a["ok"], a["latency_s"], slo,
                              start_s=now_s - slo.window_s, end_s=now_s)
        return bool(w["breached"][-1])

    if p.strategy == "big-bang":
        env.process(rollout.big_bang(env, entry, record, p.switch_at_s))
    elif p.strategy == "blue-green":
        env.process(rollout.blue_green(env, entry, record, p.switch_at_s, alert,
                                       p.blue_green_plan(), check_every_s=slo.window_s))
    else:
        plan = p.step_plan()
        smoke = (p.smoke_test == "pass") if smoke_passed is None else bool(smoke_passed)
        env.process(rollout.canary(env, entry, record, p.switch_at_s, plan, evaluate,
                                   smoke_passed=smoke, fresh_baseline=fresh_baseline))
    svc.run()
    requests = log.arrays()
    grid = np.arange(0.0, p.duration_s + 1e-9, 5.0)
    fresh = entry.fresh_share(grid, GREEN)
    share = client_share_timeline(caches.resolutions(), p.users, lifetimes, grid, fresh,
                                  record=GREEN)
    return CanaryRun(p, seed, requests, record, health, grid, share, fresh)


def compare(params: Params, *, seed: int,
            smoke_passed: bool | None = None) -> dict[str, CanaryRun]:
    """The three strategies on the same seed (same clients, arrivals and draws)."""
    return {s: simulate(params.replace(strategy=s), seed=seed, smoke_passed=smoke_passed)
            for s in STRATEGIES}


def removal_time(fail_s: float, failure: health.FailureKind,
                 first_check_s: float = 0.0) -> float:
    """When the talk's ELB check (:data:`HEALTH_CHECK`) takes an instance that starts
    failing at ``fail_s`` out of service: ``failure="immediate"`` (refused, 30-60 s later)
    or ``"timeout"`` (no answer, 33-63 s later); :func:`tipsim.sim.web.health.removal_time`."""
    return health.removal_time(fail_s, HEALTH_CHECK, first_check_s, failure=failure)


def replicate(params: Params, *, seed: int, replications: int = 5,
              strategies: tuple[str, ...] = STRATEGIES, smoke_passed: bool | None = None,
              metrics: tuple[str, ...] = ("failed_requests",)) -> Any:
    """Each strategy over independent replications: mean and 95 % Student-t interval.

    Replication ``r`` of every strategy sees the same requests (common random numbers);
    the interval is :func:`tipsim.analysis.metrics.mean_ci` over the replications.

    Returns
    -------
    pandas.DataFrame
        One row per (strategy, metric): ``strategy``, ``metric``, ``mean``, ``ci_low``,
        ``ci_high``, ``half_width``, ``replications``.
    """
    import pandas as pd

    rows = []
    for name in strategies:
        runs = [simulate(params.replace(strategy=name), seed=seed, replication=r,
                         smoke_passed=smoke_passed).summary() for r in range(replications)]
        for metric in metrics:
            mean, half = mean_ci([float(r[metric]) for r in runs])
            rows.append({"strategy": name, "metric": metric, "mean": mean,
                         "ci_low": mean - half, "ci_high": mean + half, "half_width": half,
                         "replications": replications})
    return pd.DataFrame(rows)


def run_cli(params: Params, *, seed: int, replications: int | None = None) -> dict[str, Any]:
    """``tipsim run canary``: one strategy (``strategy``) on one seed, as JSON-ready data.

    ``replications`` > 1 adds ``replications_summary``: the same run on independent
    streams, with the mean and range of failed requests and the decisions taken.
    """
    out = simulate(params, seed=seed).summary()
    if replications and replications > 1:
        runs = [simulate(params, seed=seed, replication=r).summary()
                for r in range(replications)]
        failed = np.array([r["failed_requests"] for r in runs], dtype=float)
        out["replications_summary"] = {
            "replications": replications,
            "failed_requests_mean": float(failed.mean()),
            "failed_requests_min": float(failed.min()),
            "failed_requests_max": float(failed.max()),
            "decisions": [r["decision"] for r in runs],
        }
    return out
