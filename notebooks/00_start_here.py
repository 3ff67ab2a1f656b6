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
# # 00 · Start here: test in production, without paying for staging
#
# **What you will find out:** what this kit is, whether your laptop is ready for it, which AWS
# emulator your notebooks talk to, and that interactive widgets work in your browser.
#
# **Where it sits in the talk:** slides 1-6 of *Test in Production: Infrastructure Edition*
# (Rosemary Wang, HashiCorp, 2019). The talk asks: *how do we change infrastructure without
# impacting applications, while not spending extra money on staging?* Its answers are four
# approaches, and each has a notebook here:
#
# | notebook | the talk's approach | what you change | what you see |
# |---|---|---|---|
# | `01_feature_toggles` | feature toggles (slides 7-8) | `enable_new_ami`, rollout strategy, a defect | the plan, and the blast radius on users |
# | `02_canary_blue_green` | canary testing (slides 9-11) | green network, DNS weights, canary steps | when a judge promotes or rolls back |
# | `03_node_group_taints` | Kubernetes node groups (slide 12) | `external=true:NoExecute`, tolerations | exposure vs disruption |
# | `04_ab_data_lake` | A/B testing infrastructure (slides 13-14) | load, batch size, cluster size, prices | which back end is faster, which is cheaper |
#
# Every scenario runs **two ways that meet**: against real AWS APIs on your machine (LocalStack,
# or the kit's embedded emulator) and in a **simulation** (simpy) of the network, nodes and data
# lake. Nothing here ever talks to real AWS: the kit refuses any endpoint that is not on your
# machine, and never uses your AWS credentials.

# %% [markdown]
# ## How to use these notebooks
# Run cells from the top with **Shift-Enter** (or *Run ▸ Run All Cells*). Cells that compute are
# short and come after a few lines that say what they do. Move the widgets: the charts update in
# place. "Try this" boxes tell you what to change and what you should see.

# %% tags=["parameters"]
# Parameters (a workshop host can change these for everyone, e.g. with papermill)
rate_per_s = 5.0  # requests per second for the first widget
seed = 1  # every random number in the kit comes from an explicit seed

# %% [markdown]
# ## 1. Is your laptop ready?
# The kit's doctor checks Python, the packages, the AWS emulator, the JupyterLab widget
# extensions and (for the kit's own tests) Chromium. `ok` is good, `warn` is optional, `FAIL`
# needs the fix it shows. The same check runs in a terminal as `tipsim doctor`.

# %%
from tipsim.scenarios.readiness import emulator_check, laptop_checks
from tipsim.viz.tables import learner_table

checks = laptop_checks()
learner_table(checks)

# %% [markdown]
# ## 2. Which AWS emulator are we talking to?
# The kit looks for LocalStack (or the kit's shared emulator, which `make lab` starts on port
# 4566); if nothing answers it starts an emulator inside this notebook's kernel. Every AWS client
# in the kit comes from this one session, with dummy credentials.
#
# The talk looks machine images up **by name**, as Terraform's `data "aws_ami"` does. The emulator
# knows the talk's images (Ubuntu 16.04 xenial and 18.04 bionic, nginx 1.14 and 1.16):
# `emulator_check` connects and makes a real `DescribeImages` call with a name filter.

# %%
emulator = emulator_check()
print(emulator.description)
learner_table(emulator.images)

# %% [markdown]
# ## 3. Do widgets work in your browser?
# Users do not arrive one per second like clockwork: in every scenario, requests arrive as a
# **Poisson process** (independent arrivals at an average rate). Move the slider: the bars are the
# requests counted in each 10-second window over 10 minutes; the dashed line is the expected count,
# rate x 10 s. The mean comes with its 95% confidence interval, because it is random.

# %%
from tipsim.widgets.start_here import ArrivalsPanel

panel = ArrivalsPanel(rate_per_s=rate_per_s, seed=seed)
panel.widget

# %% [markdown]
# > **Try this.** Drag the slider from 5 to 40 requests/s. The bars rise with the dashed line, and
# > the *relative* spread shrinks: a Poisson count with mean m has standard deviation √m, so at 50
# > per window the bars wander by about ±7 (14%), at 400 by about ±20 (5%).
# >
# > **Try this.** Change `seed` in the parameters cell and re-run: the bars change, the expected
# > line does not. Two strategies compared on the same seed see the very same arrivals; that is how
# > every scenario in this kit compares strategies fairly.

# %% [markdown]
# ## Recap
# - The kit is four notebooks, one per approach of the talk, each run against an AWS emulator and
#   in simulation.
# - `tipsim doctor` (or the table above) says whether your machine is ready and how to fix it.
# - Your notebooks talk to the emulator named above, never to real AWS.
# - Widgets update charts in place; random results carry their uncertainty and their seed.
#
# Next: **`01_feature_toggles.ipynb`**.

# %% [markdown]
# ## Checks
# This cell fails loudly if something above is wrong (CI runs every notebook).

# %%
failed = [c["name"] for c in checks if c["status"] == "fail"]
assert not failed, f"doctor found problems: {failed}"
assert emulator.kind in {"localstack", "moto-server", "embedded"}, emulator.description
names = emulator.image_names
assert any("xenial-16.04" in n for n in names) and any("bionic-18.04" in n for n in names), names
assert any("nginx-1.14" in n for n in names) and any("nginx-1.16" in n for n in names), names
# A second panel, so that your slider above stays where you left it.
probe = ArrivalsPanel(rate_per_s=rate_per_s, seed=seed)
before = list(probe.figure.data[0].y)
probe.slider.value = 20.0  # what dragging the slider does
after = list(probe.figure.data[0].y)
assert before != after, "moving the slider must change the chart's data"
assert probe.figure.data[1].y[0] == 200.0  # expected count = 20/s x 10 s
# The simulated mean count is within its 99.9% interval of the Poisson mean (sd of mean = sqrt(200/60)).
assert abs(probe.data.mean - 200.0) < 3.3 * (200.0 / len(probe.data.counts)) ** 0.5
print("All checks passed.")
