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
# # 01 · Feature toggles for a new machine image
#
# *Slides 7-8 of "Test in Production: Infrastructure Edition" (Rosemary Wang, 2019).*
#
# The talk's example adds a second instance with the new Ubuntu image **beside** the old one,
# behind a toggle (`enable_new_ami`), instead of changing the image of the running instance.
# In this notebook you will find out, with a simulated service of 4 instances:
#
# * how many requests and users an image change hurts when it is done **in place**,
#   **rolling**, or **behind a toggle**, when the new image has a defect;
# * why the talk says *preserve state*, *roll forward* and *don't write toggles at the start*;
# * how long it takes to notice a defect and to recover from it.
#
# Every strategy is run on the **same seed**, so all three see exactly the same requests
# (common random numbers): differences come from the strategy, not from luck.

# %% [markdown]
# ## Parameters
# The cell below holds the defaults (tagged `parameters`, so papermill can change them).
# The load is in requests per second; the defect is a share of failed requests.

# %% tags=["parameters"]
seed = 1
arrival_rate_per_s = 10.0
defect = "errors"
defect_error_rate = 0.2
toggle_share = 0.2
replications = 5

# %% [markdown]
# ## Part 1 · The infrastructure: what would flipping `enable_new_ami` do?
# The talk's stack (VPC, subnet, gateway, route table, security group, private DNS zone and the
# `example` instance) is Terraform code (`data/terraform/talk/*.tf`), built for real in the AWS
# emulator: the kit reads the `.tf` files, plans like `terraform plan` and creates what they
# declare through the AWS APIs. First we apply today's production, every toggle off. Then we ask
# for a **plan** with `enable_new_ami` on, without applying it. Everything you build carries
# your attendee namespace (printed below; `TIPSIM_ATTENDEE`, else your user name), so on a room's
# shared LocalStack nobody else's apply or destroy touches it.

# %%
from tipsim.scenarios.feature_toggle import (
    build_production,
    image_change,
    open_stack,
    plan_new_image,
)
from tipsim.viz.infra_graph import plan_table
from tipsim.viz.tables import learner_table

stack = open_stack("talk")
print(stack.namespace.describe())
today = build_production(stack)  # production today: every toggle off
flip = plan_new_image(stack)  # enable_new_ami on, planned, not applied
flip_table = plan_table(flip)
learner_table(flip_table)

# %% [markdown]
# Two lines, two very different changes:
#
# * `aws_instance.example` is a **replace**: the image (`ami`) of a running instance cannot be
#   changed, so Terraform destroys it and creates a new one. While the new one boots, the
#   instance serves nobody: that is the **in-place** strategy below.
# * `aws_instance.example_bionic` is a **create**: a second instance with the new image
#   *beside* the old one (`count = enable_new_ami ? 1 : 0`). That is the **toggle** strategy.
#
# The panel shows slide 8's code, `feature_toggle.tf`, in an editor, and the same plan as
# `terraform plan` prints it, as a table, and on the stack's dependency graph; what the change
# touches directly is highlighted, and what depends on it downstream too: the infrastructure
# blast radius.

# %%
from tipsim.scenarios.feature_toggle import TOGGLE_FILE
from tipsim.widgets.infra_panel import InfraPanel

infra = InfraPanel(stack=stack, initial={"enable_new_ami": True}, edit_file=TOGGLE_FILE)
infra.widget

# %% [markdown]
# > **Try this.** Untick `enable_new_ami`: the plan says *no changes*, because the emulator
# > already holds today's stack. Tick it again and press **Apply to emulator**: the plan then
# > shows no changes either, and `example` has a new instance id (it was replaced). Tick
# > `enable_green_application` to see a change whose blast radius reaches a load balancer and
# > a DNS record.
# >
# > **Edit the code.** In the editor, change `count = var.enable_new_ami ? 1 : 0` to `? 2 : 0`
# > and press **Plan my edit**: two `example_bionic` instances to create. Change `example`'s
# > `instance_type` to `"t3.small"`: the kit replaces it (Terraform itself would stop the
# > instance and resize it in place). Delete a `}`: one line names the file and the line.
# > **Undo my edits** puts slide 8's code back.

# %% [markdown]
# ## Part 2 · The users: one run of each strategy
# `compare_strategies` runs in-place, rolling and toggle on one seed and returns their
# blast radius: failed and slow requests, affected users, minutes of SLO breach (99 %
# success, 99 % under 0.5 s, per minute), the share of a 30-day error budget used, and the
# times to detect and to recover, measured from the change.

# %%
from tipsim.scenarios.feature_toggle import Params, compare_strategies, run, run_cli

params = Params.create(arrival_rate_per_s=arrival_rate_per_s, defect=defect,
                       defect_error_rate=defect_error_rate, toggle_share=toggle_share)
table = compare_strategies(params, seed=seed)
learner_table(table, ["strategy", "requests", "failed_requests", "slow_requests",
                      "affected_users", "slo_breach_minutes", "error_budget_used",
                      "time_to_detect_s", "time_to_recover_s", "instance_hours"],
              missing={"time_to_detect_s": "never", "time_to_recover_s": "not yet"})

# %% [markdown]
# ## The panel
# Move the controls: the charts update in place. The top chart is the success rate per
# image in 30-second windows, the middle one the 95th percentile latency, the bottom one
# the blast radius of all three strategies on the same requests. Dotted lines mark the
# events (change, new image serving, detection, toggle off, rollback).
#
# **Try this:**
# * Pick `in-place` with defect `none`: there is still a gap of about one minute with no
#   instance at all (red "no instance" line) — the boot time. That outage is the price of
#   not preserving state: the image change destroys the instances.
# * Pick `toggle` and raise the *toggle share* from 20 % to 100 %: the failed requests grow
#   roughly in proportion, since the defect only reaches the share you send it.
# * Set defect `crash`: the toggled instance dies 2 minutes after it boots; the health
#   check and the monitor take it out, and the old instances never stopped serving.

# %%
from tipsim.widgets.feature_toggle import FeatureTogglePanel

panel = FeatureTogglePanel(params, seed=seed)
panel.widget

# %% [markdown]
# ## Is the difference more than luck?
# One seed is one story. Below, the same comparison over several seeds (replications),
# reported as a mean with a 95 % confidence interval (Student t).

# %%
for strategy in ("in-place", "rolling", "toggle"):
    res = run_cli(params.replace(strategy=strategy), seed=seed, replications=replications)
    lo, hi = res["failed_requests_ci"]
    print(f"{strategy:9s} failed requests {res['failed_requests']:7.1f} "
          f"(95 % CI {lo:.1f} to {hi:.1f}), affected users {res['affected_users']:.1f}")

# %% [markdown]
# ## Advice 1: preserve state
# An image change on a running instance forces its replacement. With no defect at all, the
# in-place strategy still fails about `load x boot time` requests (10 req/s x 60 s = about
# 600), and every in-flight request at the moment of destruction. Keeping the old
# instances (rolling, toggle) keeps their state and fails none.

# %%
clean = compare_strategies(params.replace(defect="none"), seed=seed).set_index("strategy")
learner_table(clean, ["strategy", "failed_requests", "affected_users", "slo_breach_minutes"])

# %% [markdown]
# ## Advice 2: roll forward
# With the toggle, getting out of trouble is flipping a weight: the old instances are still
# there, so recovery takes as long as detection. Rolling back an in-place change is another
# replacement, another boot-time outage. And a healthy toggle is not rolled back at all: it
# rolls forward, replacing the old instances one at a time.

# %%
toggle_run = run(params.replace(strategy="toggle"), seed=seed)
in_place_run = run(params.replace(strategy="in-place"), seed=seed)
for r in (toggle_run, in_place_run):
    print(f"{r.params.strategy:9s} detect {r.blast.time_to_detect_s:5.0f} s, "
          f"recover {r.blast.time_to_recover_s:5.0f} s after the change")
healthy = run(params.replace(strategy="toggle", defect="none"), seed=seed)
print("healthy toggle:", [e for _, e in healthy.events][-2:])

# %% [markdown]
# ## Advice 3: don't write toggles at the start
# A toggle is an extra instance and an extra code path for as long as it exists. The run
# reports machine time: the toggle's extra instance costs machine-hours for the whole test.
# Write the toggle when a change needs it, and remove it once rolled forward.

# %%
learner_table(clean, ["strategy", "instance_hours", "instance_cost_usd"])

# %% [markdown]
# ## Recap
# * In-place image changes replace instances: a boot-time outage even for a good image, and
#   a second outage to roll a bad one back.
# * Rolling limits the damage to the instances already replaced, but a defect found late
#   has spread further.
# * A toggle sends only a share of traffic to the new image; with a defect, the blast radius
#   is that share times the time to detect, and recovery is a weight change.
# * Compare strategies on the same seed, and over several seeds before believing a difference.

# %% [markdown]
# ## Checks
# These asserts fail if a result is wrong (they run in CI with nbmake).

# %%
by = table.set_index("strategy")
assert set(by.index) == {"in-place", "rolling", "toggle"}
assert (by["requests"] == by["requests"].iloc[0]).all(), "same seed, same requests"
if defect != "none":
    assert by.loc["toggle", "failed_requests"] + by.loc["toggle", "slow_requests"] < \
        by.loc["in-place", "failed_requests"] + by.loc["in-place", "slow_requests"]
    assert by.loc["toggle", "affected_users"] < by.loc["in-place", "affected_users"]
expected_outage = arrival_rate_per_s * params.boot_s
assert abs(clean.loc["in-place", "failed_requests"] - expected_outage) < \
    5 * expected_outage ** 0.5 + 5, "in-place outage ~ load x boot time"
assert clean.loc["toggle", "failed_requests"] == 0
assert len(panel.figures["success"].data) == 3
change = image_change(flip)
assert change.replaced == ["aws_instance.example"], "an image change replaces"
assert change.created == ["aws_instance.example_bionic[0]"], "the toggle adds beside"
assert "count = var.enable_new_ami ? 1 : 0" in infra.editor.text.value, "slide 8"
assert "Plan: 2 to add, 0 to change, 1 to destroy." in infra.text.value, "terraform plan"
assert today.ok
print("all checks passed")
