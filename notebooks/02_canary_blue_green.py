# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Canary network and blue/green: when does a judge roll back?
#
# **What you will find out:** how a green network beside the blue one receives traffic
# through weighted DNS; why a weight change reaches clients only as their DNS caches
# expire (the TTL); how load-balancer health checks take a failing instance out of service;
# and how much damage (blast radius) a defective green side does under a **big-bang**
# cutover, a **blue/green** switch with a person watching, and a **canary** whose steps are
# judged automatically, Kayenta-style.
#
# **Where it sits in the talk:** slides 9-11 of *Test in Production: Infrastructure
# Edition* (Rosemary Wang, 2019): "Canary testing: smoke test before release", the
# `aws_instance.canary` in a green VPC, and the blue / green VPC diagram. The talk's
# records are `application.test.in.production`, blue weight 10, green weight 0, with
# *evaluate target health*; its ELB checks every 30 s with a 3 s timeout, 2 healthy / 2
# unhealthy.

# %% [markdown]
# ## Parameters
# The cell below is tagged `parameters`: change the defect, the TTL or the seed here (or
# with papermill). Defects: `none`, `blocked-port`, `latency`, `loss`, `overload` (green has
# less capacity than production's full load), `errors` (2% of green's requests fail),
# `crash` (green's instances die 600 s after they start) and `production-clients` (green
# refuses the 2% of users still on a TLS 1.0/1.1 client, whom no synthetic test load has).

# %% tags=["parameters"]
seed = 1
defect = "blocked-port"
dns_ttl_s = 60.0
smoke_passed = True  # the lead's emulator smoke test can set this

# %% [markdown]
# ## Part 1 · In the emulator: a green network, its smoke test, and the weights
# The talk's canary toggle `enable_new_network` adds a second VPC with a /28 subnet, its own
# gateway, route table and security group, and the `canary` instance in it;
# `enable_green_application` adds the green instance, load balancer and a weighted DNS record
# `green` (weight 0) beside `blue` (weight 10). We build both in the AWS emulator; the graph
# in the panel shows the green side (green) beside production (blue).

# %%
from tipsim.scenarios.canary import build_green_network, open_stack
from tipsim.widgets.green_network import GreenNetworkPanel

stack = open_stack("talk")
print(stack.namespace.describe())  # whose resources: yours only, on a shared emulator too
built = build_green_network(stack)
green = GreenNetworkPanel(stack, ttl_s=dns_ttl_s, seed=seed)
smoke = green.run_smoke()
green.widget

# %% [markdown]
# Before any client sees green, the **smoke test** asks the emulator's API: is the canary
# running in the green subnet, does its security group admit tcp/22, does its subnet route
# 0.0.0.0/0 to an internet gateway, and does its name resolve in `test.in.production`?
# (The talk's version runs test-kitchen + InSpec against real AWS.)
#
# Now we break the green network on purpose (someone deletes its default route) and run the
# smoke test again. Then `apply` puts back what the stack declares.

# %%
from tipsim.scenarios.canary import break_default_route, smoke_test

break_default_route(stack)
broken = smoke_test(stack)
print("broken network, failed checks:", broken.failed())
repaired = build_green_network(stack)
print("after apply, smoke test passed:", smoke_test(stack).passed)

# %% [markdown]
# > **Try this.** In the panel, set the weights to blue 5 / green 5 and press **Set weights**:
# > the emulator's records change at once (read back below the button), but the chart shows
# > clients moving to green only as their DNS caches expire: the share settles near one half
# > a little more than one TTL after the change (Route 53's servers take up to a minute to
# > apply it, and a few clients sit behind resolvers that keep answers longer). Raise the
# > TTL to 300 s and set 0 / 10: the last client arrives on green 300 s after the change,
# > plus up to a minute of propagation. Set 0 / 0: refused, both weights cannot be 0.
#
# The smoke test's result gates the simulated canary below: it only starts if the smoke
# test passed.

# %%
smoke_passed = smoke_passed and smoke.passed

# %% [markdown]
# ## Part 2 · In simulation: one strategy, one run
# The simulation starts from what the emulator holds: `params_from_stack` reads back the
# weighted records' TTL (an alias to a load balancer has Route 53's fixed 60 s) and whether
# they evaluate target health. The TTL of the parameters cell then asks "what if".
# First a single canary run on the defective green side, with the default step plan
# (Flagger-style: steps of 10% up to 50%, a 120 s window each, 2 failed checks roll back).

# %%
from tipsim.scenarios.canary import Params, compare, params_from_stack, simulate

as_built = params_from_stack(stack)
print(f"read back: TTL {as_built.dns_ttl_s:g} s, evaluate target health "
      f"{as_built.evaluate_target_health}")
params = as_built.replace(defect=defect, dns_ttl_s=dns_ttl_s)
run = simulate(params, seed=seed, smoke_passed=smoke_passed)
summary = run.summary()
print(f"decision: {summary['decision']} at t = {summary['decision_time_s']} s")
for step in summary["steps"]:
    print(f"  weight {step['weight']:>5.1f}%  {step['start']:>6.0f}-{step['end']:>6.0f} s  "
          f"{step['verdict']:<8} score {step['score']}")

# %% [markdown]
# ## The judge's reasoning
# For each metric the judge compares the canary's 10-second values with the baseline's,
# as Kayenta does: a Mann-Whitney (rank-sum) test at 98% confidence, an allowed band of
# 0.25 x |shift|, and a mean-ratio gate (`mean_ratio`: High needs the canary's mean at
# least 1.0 x the baseline's). Outliers are kept unless a metric asks for their removal.
# A failing **critical** metric (error rate) forces the score to 0, and so do 50% or more
# metrics with no data (a window in which green got no requests).

# %%
from tipsim.viz.tables import learner_table

last = run.judged_steps()[-1][1] if run.judged_steps() else None
judge_columns = ["name", "classification", "canary_median", "baseline_median", "shift_estimate",
                 "ci_low", "band", "p_value", "mean_ratio", "n_canary", "n_baseline"]
learner_table([m.as_dict() for m in last.metrics], judge_columns,
              labels={"name": "metric", "ci_low": f"shift interval ({params.confidence:.0%})"},
              caption=f"last judged window, weight {summary['steps'][-1]['weight']:g}%"
              ) if last else "no judged window"

# %% [markdown]
# ## Three strategies on the same seed
# Same clients, same requests, same random draws (common random numbers); only the way
# traffic moves to green differs. The panel below runs all three, and runs them again as
# soon as you change a control.
#
# **Try this:**
# - Keep `blocked-port` and compare failed requests: the canary's should be a few
#   percent of big-bang's, because only ~10% of clients ever reach green, for two windows.
# - Choose `overload`: the first canary step passes (green is lightly loaded) and the
#   judge catches the latency only at a higher weight: failure under load only. Green's
#   capacity is 2 instances x 1 worker / 0.1 s = 20 requests/s, production sends 25/s:
#   only big-bang puts green over capacity, and there thousands of requests time out.
# - Choose `crash`: green's instances die at 600 s and the ELB's checks take them out 30-60
#   s later (then, with evaluate target health, DNS sends clients back to blue); big-bang
#   and blue/green fail about three times as many requests as the canary, which only had
#   part of the traffic on green.
# - Choose `errors` or `production-clients`: a 2% defect at a 10% step is one or two failed
#   requests per 10-second data point, so whether the judge rolls back depends on the seed
#   (try a few in the parameters cell).
# - Choose `latency` and raise the **judge confidence** or the **pass score**: what
#   changes in how fast the canary rolls back?
# - Set the **DNS TTL** to 300 s: the canary's first window sees fewer green clients
#   than its weight, so the judge has less data.

# %%
from tipsim.widgets.canary import CanaryPanel

panel = CanaryPanel(params, seed=seed, smoke_passed=smoke_passed)
panel.widget

# %% [markdown]
# ## Blast radius, with its uncertainty
# One seed is one story. Over 5 independent replications, failed requests per strategy
# (mean and 95% Student-t confidence interval), for the defect chosen above.
#
# **Not the panel's setup:** the panel ran each strategy once for 1,800 s of traffic; to keep
# five replications quick, each run here lasts **900 s**. The switch still comes at 300 s,
# so a strategy that stays broken fails for less time and the counts are smaller than the
# panel's: compare strategies within one table, not across the two.

# %%
from tipsim.scenarios.canary import replicate

reps = 5
rep_params = params.replace(duration_s=900.0)
spread = replicate(rep_params, seed=seed, replications=reps, smoke_passed=smoke_passed)
learner_table(spread, ["strategy", "mean", "ci_low", "half_width", "replications"],
              labels={"mean": "failed requests (mean)"},
              caption=f"{reps} runs of {rep_params.duration_s:,.0f} s each (the panel: one run of "
                      f"{params.duration_s:,.0f} s)")

# %% [markdown]
# ## The TTL at work
# The DNS figure in the panel shows the share of clients that would reach green at each
# moment. Here is the clean case first: a big-bang switch from 10/0 to 0/10 with TTL 300 s,
# where Route 53 applies the change everywhere at once and every resolver respects the TTL
# (`dns_propagation_s=0`, `stale_resolver_share=0`).
#
# **Try this:** before running, predict when the last client moves to green. (Answer:
# exactly one TTL after the switch, 300 + 300 = 600 s.)

# %%
from tipsim.viz.canary import dns_figure

bb = simulate(Params(strategy="big-bang", defect="none", dns_ttl_s=300.0,
                     dns_propagation_s=0.0, stale_resolver_share=0.0), seed=seed)
share = bb.dns_green_share
g = bb.dns_grid_s
print(f"share of clients on green 10 s after the switch: {share[g == 310.0][0]:.2f}; "
      f"at 450 s: {share[g == 450.0][0]:.2f}; at 600 s: {share[g == 600.0][0]:.2f}")
dns_figure(g, share, bb.record.weight_time_s, bb.record.weight_pct, bb.params.duration_s,
           "big-bang switch at 300 s, TTL 300 s, TTL-exact")

# %% [markdown]
# Real DNS has a tail. Route 53 says a change reaches its servers "generally within 60
# seconds" (until then `GetChange` reports `PENDING`, then `INSYNC`), so a client that asks
# just after the switch may still be told "blue" and keep that for a whole TTL. And some
# resolvers keep answers longer than the TTL: a 2023 measurement found 8.74% of resolvers
# extending TTLs. The kit's defaults model both: propagation spread over 60 s, and 8.74% of
# clients behind resolvers holding answers for 300 s. With the talk-like TTL of 60 s:
#
# **Try this:** predict when the last client reaches green now. (Answer: after the
# 60 s of propagation plus the 300 s those resolvers hold answers, 300 + 60 + 300 = 660 s,
# instead of 300 + 60 = 360 s.)

# %%
tail = simulate(Params(strategy="big-bang", defect="none", dns_ttl_s=60.0), seed=seed)
tail_share, tg = tail.dns_green_share, tail.dns_grid_s
last_blue_s = float(tail.requests["time_s"][tail.requests["image"] == 0].max())
print(f"defaults: on green at switch + TTL (360 s): {tail_share[tg == 360.0][0]:.3f}; "
      f"last request to blue at {last_blue_s:.0f} s")
dns_figure(tg, tail_share, tail.record.weight_time_s, tail.record.weight_pct,
           tail.params.duration_s, "big-bang switch at 300 s, TTL 60 s, default DNS tail")

# %% [markdown]
# ## Health checks
# The talk's ELB check (30 s, timeout 3 s, unhealthy after 2 failures) takes an instance
# out of service after two failed checks in a row. How soon depends on how a check fails:
#
# - **immediately** (the process crashed: connection refused, or an error status): the
#   instance is out between `t + 30 s` and `t + 60 s` after it starts failing at `t`;
# - by **timeout** (the instance hangs and never answers): each failed check is only known
#   3 s after it started, so between `t + 33 s` and `t + 63 s`.
#
# In an `overload` big-bang, green's instances fall behind, fail their checks by timeout,
# leave service, recover and come back; with *evaluate target health* DNS meanwhile
# answers "blue".

# %%
from tipsim.scenarios.canary import removal_time

for failing_at in (40.0, 61.0):
    print(f"failing from {failing_at:.0f} s -> out of service at "
          f"{removal_time(failing_at, 'immediate'):.0f} s if refused, "
          f"{removal_time(failing_at, 'timeout'):.0f} s if it times out")
ov = simulate(Params(strategy="big-bang", defect="overload"), seed=seed)
print("green ELB registration changes in an overload big-bang:",
      len(ov.health["green"].time_s))

# %% [markdown]
# ## Recap
# - Weighted DNS moves *clients*, not requests, and only as their caches expire: a
#   weight change takes at least one TTL to reach everyone, plus Route 53's propagation
#   and the resolvers that hold answers longer than the TTL.
# - Health checks with evaluate target health protect against sides that *stop
#   answering*, not against a port blocked in front of a healthy balancer, nor against
#   slowness: that is the canary judge's job.
# - The canary limits the blast radius to its step weight for the few windows it takes
#   the judge to decide; big-bang exposes everyone until someone acts.
# - The smoke test gates the canary before any client sees green.

# %% [markdown]
# ## Checks
# These asserts fail if a result above is wrong.

# %%
import numpy as np

runs = compare(Params(defect="blocked-port"), seed=seed)
s = {k: r.summary() for k, r in runs.items()}
assert s["canary"]["decision"] == "rollback"
assert {st["weight"] for st in s["canary"]["steps"]} == {10.0}
assert s["canary"]["failed_requests"] < 0.05 * s["big-bang"]["failed_requests"]
assert simulate(Params(defect="none"), seed=seed).summary()["decision"] == "promote"
assert np.all(share[g < 300.0] == 0.0) and share[g == 310.0][0] < 0.1
assert np.all(share[g >= 600.0] == 1.0)
assert tail_share[tg == 360.0][0] < 1.0 and 360.0 < last_blue_s < 660.0
assert np.all(tail_share[tg >= 660.0] == 1.0)
assert removal_time(40.0, "timeout") == 93.0 and removal_time(40.0, "immediate") == 90.0
assert len(panel.figures["rollout"].data) == 6 and len(panel.figures["dns"].data) == 2
assert built.ok and smoke.passed, smoke.failed()
assert broken.failed() == ["default_route_to_gateway"], broken.failed()
assert repaired.ok and smoke_test(stack).passed
assert as_built.dns_ttl_s == 60.0 and as_built.evaluate_target_health
assert (spread["ci_low"] <= spread["mean"]).all() and (spread["mean"] <= spread["ci_high"]).all()
print("all checks passed")
