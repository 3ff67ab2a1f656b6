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
# # 06 · How big should my canary be?
#
# **What you will find out:** how likely the canary judge is to catch a defect (its
# *power*) for a given step weight, analysis window and judge confidence; how long it
# takes; how many requests and users the canary exposes before it rolls back; and how often
# it rolls back a healthy change (a *false rollback*). Not from one run, but from a map of
# a few hundred runs spread over the cores of your laptop (or a cluster) with Dask.
#
# **Where it sits in the talk:** slides 9-11 of *Test in Production: Infrastructure
# Edition* (Rosemary Wang, 2019): the canary in a green network beside blue, and the
# judge that decides, from the canary's metrics, whether green gets more traffic.
# Notebook 02 showed one canary run; this one asks the design question behind it.
# No canary tool (Kayenta, Flagger, Argo Rollouts) estimates these numbers before a
# canary runs; a simulation can.

# %% [markdown]
# ## What we measure, before we compute
# The green side has the `errors` defect: a share of its requests fails (the *severity*,
# `green_error_rate`; production fails 0.1% of its requests either way). Each run starts
# the canary at 60 s and lasts `horizon_s` more (10 minutes by default), so **detected**
# means *rolled back within 10 minutes*. For each run the scenario reports (`tipsim run
# canary --json` prints the same fields):
#
# - `rolled_back`: the judge failed enough windows (2, as Flagger's `threshold`) and green
#   went back to weight 0;
# - `time_to_detect_s`: from the first request sent to green to the rollback decision;
# - `requests_exposed` / `users_exposed`: requests (and distinct users) sent to green
#   before the rollback, or over the whole run when there was none;
# - on a **healthy** green (no defect), a rollback is a `false_rollback`.
#
# The detection probability of a configuration is the share of its runs that rolled back.
# With a handful of runs it is uncertain, so every share comes with its exact 95% binomial
# (Clopper-Pearson) interval: 3 rollbacks in 3 runs only tells us the probability is above
# 0.29. What drives it: the **step weight** sets how much of green's traffic the judge sees
# per data point; the **analysis window** how many 10-second data points each verdict has
# and how many verdicts fit in 10 minutes; the **judge confidence** how strong the evidence
# must be (a Mann-Whitney test, as Kayenta's judge); the **severity** how big the signal is.

# %% [markdown]
# ## Parameters
# The cell below is tagged `parameters` (papermill can set it). Each list is one axis of
# the map; every combination runs `replications` times, and once more on a healthy green
# (without the severity axis) for false rollbacks. The defaults run 36 configurations x 3
# replications = 108 runs, under a minute on a 2-core laptop.

# %% tags=["parameters"]
seed = 1
replications = 3  # runs per configuration: more runs, narrower intervals
step_weight_pct = [5.0, 10.0, 25.0]
window_s = [60.0, 120.0]
confidence = [0.9, 0.98]
green_error_rate = [0.02, 0.05]  # defect severity: share of green's requests failing
horizon_s = 600.0  # "detected" = rolled back within this long after the first step
judge_baseline = "production"  # or "fresh": a new baseline beside the canary (Kayenta)
cold_start_factor = 1.0  # > 1: new instances start with a cold cache (slower at first)
scheduler = None  # None: a local Dask cluster on 127.0.0.1; or "tcp://HOST:8786"
sweep_folder = None  # None: the kit's sweep cache; or a folder of your own

# %% [markdown]
# ## Running the sweep: your laptop or a cluster
# Every configuration x replication is one task for **Dask distributed**. With `scheduler =
# None` the kit starts a local cluster, one worker process per core, listening on
# 127.0.0.1 only, and shuts it down when the sweep ends. To use more machines, start a
# cluster yourself and name its scheduler in the parameters cell:
#
# ```
# dask scheduler --host 127.0.0.1 --port 8786           # on one machine (another --host to
#                                                        #   reach it from other machines)
# dask worker tcp://127.0.0.1:8786 --nworkers 1 --nthreads 1   # once per core, per machine
# ```
#
# Every worker machine needs the kit installed (`pip install -e .` of the same checkout).
# The same sweep from a terminal: `tipsim sweep canary --grid defect=errors --grid
# step_weight_pct=5,10,25 --replications 8 --scheduler tcp://127.0.0.1:8786 --json`.
# A run's seed comes from (seed, replication) only, so a local run and a cluster run give
# identical numbers. Results are kept (in the kit's sweep cache, or `sweep_folder`): running
# the notebook again computes only configurations it has not seen.

# %%
from tipsim.scenarios.canary import Params
from tipsim.scenarios.canary.power import power_sweep
from tipsim.widgets.sweep_progress import SweepProgressBar

grid = {"step_weight_pct": step_weight_pct, "window_s": window_s, "confidence": confidence,
        "green_error_rate": green_error_rate}
base = Params(switch_at_s=60.0, judge_baseline=judge_baseline,
              cold_start_factor=cold_start_factor)
bar = SweepProgressBar("canary map")
display(bar.widget)  # noqa: F821 - IPython's display
power = power_sweep(grid, base=base, horizon_s=horizon_s, replications=replications,
                    seed=seed, client=scheduler, out=sweep_folder, progress=bar)
print(f"{len(power.runs)} runs: {power.computed} computed, {power.skipped} already in "
      f"the folder, {power.seconds:.0f} s")

# %% [markdown]
# ## The map as a table
# One row per configuration of the defective green. `P(rollback)` is the detection
# probability with its 95% interval; time to detect is the mean over the runs that
# detected (± a 95% Student-t half-width when at least two did); exposure is the mean
# over all runs.

# %%
from tipsim.viz.canary_power import power_learner_table

power_learner_table(power.detection, caption=f"defective canary, {replications} runs each")

# %% [markdown]
# ## The map
# The heatmap shows one slice of the map: step weight across, severity up, for the window
# and confidence chosen with the buttons; each cell has its interval and number of runs.
# The curves show the same slice with error bars, and the last chart the healthy green's
# false rollbacks for the chosen window, one line per confidence. The **show** menu swaps
# the quantity: time to detect, requests or users exposed.
#
# **Try this:**
# - With 60 s windows at confidence 0.9, find the smallest step that catches a 2% defect
#   in every run. (At the defaults: 5% already does, 3 of 3 runs; the interval is
#   [0.29, 1], so "every run" is not yet "always".)
# - Switch the confidence to 0.98 (still 60 s windows): the 2% defect is no longer caught
#   at any step (0 of 3 runs), while the 5% defect still is at the 5% and 10% steps (3 of
#   3). A stricter judge needs a bigger signal, or more data per verdict.
# - Look at the 25% step: fewer steps up to 50% means fewer verdicts before promotion, so
#   the judge has fewer chances to fail the canary twice (2 of 3 runs for the 2% defect at
#   confidence 0.9), and it exposes more: about 4,600 requests on average for the 2%
#   defect at 60 s windows and confidence 0.9, against about 2,000 at a 5% step (switch
#   **show** to requests exposed).
# - Set `replications = 12` in the parameters cell and run again: a 12-of-12 cell's
#   interval narrows from [0.29, 1] to [0.74, 1] (about 4x the runs and the time).

# %%
from tipsim.widgets.canary_power import CanaryPowerPanel

panel = CanaryPowerPanel(power)
panel.widget

# %% [markdown]
# ## False rollbacks
# A healthy green still varies from window to window (its clients, their requests, the
# 0.1% background errors), and a judge at confidence `c` mistakes some of that noise for a
# regression. Kayenta's judge also needs the canary to be *meaningfully* worse (an
# effect-size gate) and two failed windows to roll back, so false rollbacks stay rare: at
# the defaults, none in 36 runs. Zero is not a rate, though: the interval says the rate
# could still be up to about 0.10; only more runs bring that bound down.

# %%
from tipsim.scenarios.canary.power import pooled

fr = power.false_rollbacks
all_fr = pooled(fr)
print(f"healthy green: {all_fr['rolled_back']} false rollbacks in {all_fr['runs']} runs "
      f"({len(fr)} configurations together): rate {all_fr['rollback_prob']:.2f}, 95% "
      f"interval [{all_fr['prob_low']:.2f}, {all_fr['prob_high']:.2f}]")
power_learner_table(fr, caption="healthy canary: every rollback is a false one")

# %% [markdown]
# ## Against production, or against a fresh baseline?
# The judge compares the canary with a baseline. By default that is blue, production
# itself. Spinnaker's "Best practices for configuring canary" say instead: *compare canary
# against baseline, not against production*, a baseline of production's version deployed
# at the same time, same size, same traffic, so that things like cache warm-up do not
# count against the canary. `judge_baseline = "fresh"` does that: a third weighted record
# gets the canary's weight at every step.
#
# **Try this:** set `cold_start_factor = 1.5` (new instances start with a cold cache, a
# miss costing 1.5x the work) and run again: against production, a *healthy* canary is now
# rolled back in every run of every configuration (its warm-up looks like a regression),
# and the defective ones are all "caught" too, for the wrong reason. Then also set
# `judge_baseline = "fresh"`: false rollbacks go back to 0 and the detection map looks
# again like the one without cold starts, because the baseline warms up alongside the
# canary. The price: a second small deployment for the length of the canary.

# %% [markdown]
# ## Recap
# - A canary's step weight, window and judge confidence decide how often and how fast it
#   catches a defect of a given size, and how many users meet the defect meanwhile; a
#   sweep turns that into a map instead of a guess.
# - A stricter judge (higher confidence) trades fewer false rollbacks for missed or later
#   detections of small defects; a bigger step gives the judge more data per point but
#   fewer verdicts and more exposure.
# - Every share is an estimate from a few runs: read its interval, and add replications
#   (or a cluster) when the interval is too wide to decide.
# - Compare the canary with a fresh baseline deployed beside it when new instances behave
#   differently from old ones for reasons other than the change.

# %% [markdown]
# ## Checks
# These asserts fail if a result above is wrong.

# %%
import numpy as np

configs = len(step_weight_pct) * len(window_s) * len(confidence)
assert len(power.runs) == configs * (len(green_error_rate) + 1) * replications
assert len(power.detection) == configs * len(green_error_rate)
assert len(power.false_rollbacks) == configs
for t in (power.detection, power.false_rollbacks):
    assert ((t["prob_low"] <= t["rollback_prob"]) & (t["rollback_prob"] <= t["prob_high"])).all()
detected = power.runs[power.runs["rolled_back"]]
assert (detected["time_to_detect_s"] > 0).all()
assert (detected["time_to_detect_s"] <= horizon_s).all()
worst = power.detection[power.detection["green_error_rate"] == max(green_error_rate)]
assert worst["rollback_prob"].mean() >= power.false_rollbacks["rollback_prob"].mean()
check_panel = CanaryPowerPanel(power)  # its own panel: the one above stays as you left it
if len(confidence) > 1:  # a control redraws the map
    before = check_panel.heatmap_fig.figure.to_json()
    check_panel.confidence.value = max(confidence)
    assert check_panel.heatmap_fig.figure.to_json() != before
    assert check_panel.message.value == ""
assert np.isfinite(power.seconds)
print("all checks passed")
