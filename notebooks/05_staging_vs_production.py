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
# # 05 · Staging or production? A month of changes, priced in money, error budget and pages
#
# *Slides 4-6 and 15 of "Test in Production: Infrastructure Edition" (Rosemary Wang, 2019).*
#
# The talk asks: **"How do we change infrastructure without impacting applications?"**
# (slide 4), **"while not spending extra money on staging"** (slide 5). Slide 6 lists the
# approaches: shift-left testing (e.g. staging), feature toggles, canary testing, A/B
# testing. Slide 15 concludes: *test in production organises infrastructure blast radius;
# risk mitigation over risk aversion.* This notebook puts staging on the table beside the
# others and answers with numbers.
#
# In this notebook you will find out, for a month of infrastructure changes of which some
# are defective:
#
# * what a staging copy of production costs a month, and which defects it can catch;
# * what each defect does to users when it reaches production by **big-bang**, a
#   **feature toggle**, a **canary** or **blue/green**, from the kit's own simulations;
# * for six approaches (those four, **staging** and **staging + canary**): money per month
#   against error budget burned, pages to the on-call engineer, and lead time per change;
# * when staging is worth its money, and when it cannot help at all.

# %% [markdown]
# ## Parameters
# A month is 20 changes, 15 % of them defective (DORA's 2019 State of DevOps report puts
# the change failure rate of elite, high and medium performers at 0-15 %). Each defect's
# impact comes from `replications` simulations per kind and approach; `months` months are
# drawn from them. The defaults run in a few seconds; later changes to the month reuse the
# simulations.

# %% tags=["parameters"]
seed = 1
changes_per_month = 20
defect_rate = 0.15
staging_soak_s = 3600.0
months = 400
replications = 2

# %% [markdown]
# ## Part 1 · What staging costs
# Staging here is a copy of production, `staging_size_share` of its instances (half, by
# default), running all month, with its own load balancer, at list prices from the kit's
# dated price table (`data/prices_aws_us-east-1.csv`; the rows used are marked unconfirmed
# there: check them before you quote them). Production's instances are the talk's
# `t2.micro`.

# %%
from tipsim.scenarios.staging_vs_production import Params, staging_cost_usd_per_month

params = Params.create(changes_per_month=changes_per_month, defect_rate=defect_rate,
                       staging_soak_s=staging_soak_s, months=months,
                       replications=replications)
copy = staging_cost_usd_per_month(params)
print(f"staging copy: {copy['instance_hours']:.0f} instance-hours "
      f"(${copy['ec2_usd']:.2f}) + its load balancer (${copy['elb_usd']:.2f}) "
      f"= ${copy['total_usd']:.2f} a month")

# %% [markdown]
# The production approaches pay only for what a rollout adds beside production while it
# runs: blue/green and canary run a second fleet and a second load balancer until the
# decision (AWS bills a load balancer per hour *or partial hour*), a toggle one extra
# instance, big-bang nothing. That is slide 5's point in dollars; the rest of the notebook
# asks what the money buys.
#
# ## Part 2 · What can go wrong, and who sees it
# Six kinds of defect, each simulated by the kit's own scenarios (notebooks 01 and 02):
#
# | kind | what is wrong with the new version | triggered by |
# |---|---|---|
# | `errors` | fails 20 % of requests | any traffic |
# | `latency` | serves 2x slower | any traffic (worse under load) |
# | `crash` | dies 5 minutes after it starts serving | time |
# | `blocked-port` | its listener port is closed: refused, health checks fail | the network's rules |
# | `overload` | one worker per instance instead of four | production's load per instance |
# | `production-clients` | fails every request of 10 % of the users | production's own clients |
#
# **What staging reproduces** is a chance per kind (`staging_fidelity`). The defaults, and
# why:
#
# * `errors` and `crash`: 0.9. Most production failures are deterministic and show on a
#   few nodes given the same inputs (Yuan et al., *Simple Testing Can Prevent Most Critical
#   Failures*, OSDI 2014); staging runs the same image, but not always the same inputs.
# * `latency`: 0.5. Staging's data volumes and noisy neighbours differ (the kit's
#   assumption).
# * `blocked-port`: 0.5. Staging's network rules match production's only when both are
#   built by the same code; the talk's green network is a new one (assumption).
# * `overload`: 0.2, the chance that a soak includes a load test at production's load per
#   instance: staging's own traffic (`staging_load_share`, 10 % of production's on half the
#   instances) is far lighter. If you give staging production's load per instance, the
#   simulation shows the overload without a load test.
# * `production-clients`: 0.05. Staging has test clients, not production's old app
#   versions and partners (assumption).
#
# When staging reproduces a defect, it is caught only if the copy's monitor (error rate,
# slow requests, failing health checks, checked every 30 s) flags it within the soak: that
# comes from simulating the copy at its own size and load.
#
# **Big-bang** has no gate: a defect stays until someone notices. Someone is told by the
# SRE workbook's burn-rate alerts (notebook 01 and `tipsim run burn-rate`): a page when
# 2 % of the month's budget burns within an hour, or 5 % within six hours; a ticket when
# 10 % burns within three days. The engineer rolls back 5 minutes after a page (the SRE
# book's response time for user-facing services) or 2 days after a ticket (a ticket needs
# action "in a few days"). Past the simulated 12 minutes, the defect's last error ratio
# continues until then.
#
# One defect of each kind, per approach (means over the simulated replications). The
# numbers are requests the SLO counts as bad, failed or slower than 1 s, so a slow
# version shows too:

# %%
from tipsim.scenarios.staging_vs_production import run
from tipsim.viz.tables import learner_table

result = run(params, seed=seed)
kinds = result.per_kind()
table = kinds.pivot(index="kind", columns="approach", values="bad_requests")
table["staging_catch_chance"] = kinds.groupby("kind")["staging_catch_chance"].first()
learner_table(table.reset_index(), caption="bad requests (failed, or slower than the SLO's "
                                           "1 s) per defect, beyond the same change without "
                                           "it; and staging's chance to catch it")

# %% [markdown]
# Read the table by row. A closed port fails every request that reaches it: big-bang
# until the page and the engineer, blue/green until its operator's alert and switch back,
# the canary only during its first step. An overload passes the canary's light steps (at
# 10-50 % of the traffic green's instances are far from full) and breaks when everyone
# arrives; the toggle's single instance with one worker, at 20 % of the traffic, is
# already slow enough for its monitor. A crash five minutes in outlives the canary's
# five one-minute steps: Route 53's health-evaluated records send the traffic back to
# blue. A slow version released big-bang burns the budget too slowly for a page: only
# the ticket catches it, and it stays for days (the largest number in the table). A
# defect only production's clients trigger is nearly invisible to staging, while a
# canary sees production's clients (and catches it about half the time here).
#
# ## Part 3 · A month of changes, six ways to ship them
# Each simulated month draws which changes are defective and of what kind; every approach
# sees the same draws. Every change ships to production once healthy (a defective one
# after its fix), so each approach pays its rollouts' own cost too; a defect staging
# catches costs production nothing. The chart puts money per month against error budget
# burned per month (down and left is better); whiskers are 95 % intervals over the months,
# and the dotted line is what a month without any defect burns (the service's own errors).
#
# > **Try this.**
# > * **A staging that reproduces everything.** Set every *reproduces* slider to 100 % and
# >   the soak to a day (86,400 s): staging now lets no defect escape (the table's
# >   *defects reaching every user* reads 0 for staging, and its point sits on the dotted
# >   line), but it still costs the copy every month, and every change waits a day before
# >   it ships (lead time 86,400 s, 1,440 minutes on the bar chart).
# > * **Defects only production load triggers.** Set the defect mix to `overload` only
# >   (every other weight 0) and *reproduces: overload* to 0: staging catches nothing and
# >   burns the same error budget as big-bang, for its monthly price. The canary does no
# >   better at its default 10-50 % steps (each instance is lightly loaded until
# >   promotion); raise *max weight* to 100 % and the canary judges the full load before it
# >   promotes, and catches it.
# > * **A tiny canary against a big one.** With the default mix, set *step weight* to 5 %
# >   and *max weight* to 5 %: the judge sees one minute of 5 % of the traffic, too little
# >   data, and more defects slip through to everyone (about 2.1 a month instead of 1.2),
# >   so more users are affected and more pages fire, not fewer. Then 50 % / 100 %: every
# >   defect but the late crash is caught before promotion, overload included, no page
# >   fires, and the canary's error budget drops to about the toggle's (15 % instead of
# >   17 %); but each caught defect has reached half the users first.

# %%
from tipsim.widgets.staging import StagingPanel

panel = StagingPanel(params, seed=seed)
panel.widget

# %% [markdown]
# ## What remains with no defect at all
# Even a month of perfect changes burns budget: the service's own error ratio (background
# errors and the odd slow request) fails requests whatever the approach, and a rollout may
# add its own failures (boot gaps, requests cut when an instance goes). Staging still
# costs its copy.

# %%
clean = run(params.replace(defect_rate=0.0), seed=seed)
clean_frame = clean.frame().set_index("approach")
print(f"baseline error ratio: {clean.inputs.baseline_failed_ratio:.3%} of requests")
learner_table(clean_frame, ["approach", "failed_requests_per_month",
                            "error_budget_used_per_month", "infra_cost_usd_per_month"])

# %% [markdown]
# ## Recap
#
# * **Slide 5, in dollars:** a half-size staging copy costs its instances and load
#   balancer every hour of the month; a canary or blue/green costs minutes of a second
#   fleet per change.
# * **Slide 6, side by side:** staging catches what it reproduces, before any user sees it,
#   at the price of lead time; what it cannot reproduce (production's load, production's
#   clients, production's network) goes out as if there were no staging. Toggles and
#   canaries catch defects *in* production, with a small share of users exposed.
# * **Slide 15:** testing in production does not remove risk, it organises the blast
#   radius: small steps, automatic judgement and fast rollback cap what a defect costs,
#   while an approach that relies on someone noticing (big-bang, staging's escapes) pays
#   until the page and the engineer. Risk mitigation over risk aversion: staging plus a
#   canary buys the most safety, and the table says what it costs.

# %% [markdown]
# ## Checks
# These fail if a result above is wrong.

# %%
from tipsim.scenarios.staging_vs_production import KIND_KEYS

rows = result.frame().set_index("approach")
assert list(rows.index) == ["staging", "big-bang", "feature-toggle", "canary", "blue-green",
                            "staging+canary"]
assert copy["total_usd"] > 0 and rows.loc["staging", "infra_cost_usd_per_month"] > \
    rows.loc["canary", "infra_cost_usd_per_month"]
assert rows.loc["staging", "defects_caught_before_users"] > 0
assert rows.loc["big-bang", "defects_caught_before_users"] == 0
assert rows.loc["canary", "error_budget_used_per_month"] < \
    rows.loc["big-bang", "error_budget_used_per_month"]
assert rows.loc["staging", "lead_time_s_per_change"] >= staging_soak_s
port = kinds[kinds["kind"] == "blocked-port"].set_index("approach")
assert port.loc["canary", "bad_requests"] < 0.1 * port.loc["big-bang", "bad_requests"]
for name, row in clean_frame.iterrows():
    assert row["failed_requests_per_month"] < rows.loc[name, "failed_requests_per_month"], name
assert clean_frame.loc["staging", "infra_cost_usd_per_month"] > 0
assert len(panel.figures["cost"].data) == 6
# the first "Try this": a staging that reproduces every kind, soaked a day, lets none escape
everything = run(params.replace(staging_fidelity=dict.fromkeys(KIND_KEYS.values(), 1.0),
                                staging_soak_s=86_400.0), seed=seed).frame()
everything = everything.set_index("approach")
assert everything.loc["staging", "defects_escaped"] == 0
assert everything.loc["staging", "lead_time_s_per_change"] >= 86_400
print("all checks passed")
