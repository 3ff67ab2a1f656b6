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
# # 03 · Moving external workloads off insecure nodes with a NoExecute taint
#
# **Talk:** "Test in Production: Infrastructure Edition", slide 12 (Kubernetes node groups).
#
# One control plane, two node groups: `insecure` runs an old OS image (Ubuntu 16.04),
# `secure` a patched one (Ubuntu 18.04). INTERNAL workloads may stay on the old nodes;
# EXTERNAL ones must leave. The talk's move is one command:
#
# ```
# kubectl taint nodes -l group=insecure external=true:NoExecute
# ```
#
# **What you will find out**
#
# 1. Exactly what a NoExecute taint does to each pod, and when.
# 2. The trade: tainting *all at once* ends the exposure soonest but knocks out many replicas
#    together; tainting *node by node* keeps the service up but leaves external pods on the
#    insecure image longer.
# 3. What spare capacity and `tolerationSeconds` change on both sides of that trade.
#
# Everything runs in a simulation (no cluster needed): a scheduler that filters on taints and
# capacity and picks the least allocated node (at random among equally good ones, as
# kube-scheduler does), a ReplicaSet controller that replaces evicted
# pods, the taint eviction controller's rules, an autoscaler, and external traffic served by
# ready pods.

# %% [markdown]
# ## Parameters
# The cell below is tagged `parameters` (papermill can override it). `SEED` fixes every
# random draw (pod start-up times, the scheduler's pick among equally good nodes, request
# arrivals, users); `REPLICATIONS` is how many
# independent runs each point of the comparison averages.

# %% tags=["parameters"]
SEED = 1
REPLICATIONS = 5
STRATEGY = "all-at-once"
SPARE_NODES = 2
TOLERATION_SECONDS = None  # e.g. 60.0: external pods may stay that long after the taint

# %% [markdown]
# ## The rules, on a cluster of two nodes
# First the eviction rules themselves, on one insecure and one (empty) secure node, one pod,
# and a taint at t = 5 s. Each case says when the original pod was evicted (empty: never).
# (Kubernetes docs "Taints and Tolerations"; the taint eviction controller's
# `processPodOnNode`, kubernetes/kubernetes#93722 and #102993.)

# %%
from tipsim.scenarios import node_groups
from tipsim.viz.tables import learner_table

cases = node_groups.eviction_rule_cases()
rules = {row["case"]: row["evicted_at_s"] for row in cases}
learner_table(cases, missing={"evicted_at_s": "never"})

# %% [markdown]
# Read it as the controller does, every time a taint comes or goes: not tolerated → out at
# once (5 s); tolerated with no limit → stays; a limit → out that long after the taint
# (35 s); several limits → the smallest (25 s). When the taints that are left are all
# tolerated forever (or none is left), a scheduled eviction is cancelled: removing the
# 30-second taint at 10 s saves the pod. A deadline already posted never moves, though:
# while a taint tolerated only for a while remains, the pod still goes at its first
# deadline (35 s, not 100 s after the second taint).
#
# *History:* until Kubernetes 1.20 (and the 1.17.12 and 1.18.9 patch releases), a
# scheduled eviction survived while *any* NoExecute taint was left, so "30 s + forever"
# also ended at 35 s (kubernetes/kubernetes#90794, fixed by #93722).
#
# **Try this:** run
# `node_groups.evicted_at([(node_groups.EXTERNAL, 0)], [(5, "taint", node_groups.EXTERNAL)])`
# in a new cell: a toleration of 0 seconds. Expect eviction at 5 s: a limit of zero or less
# means "at once".

# %% [markdown]
# ## The cluster in the emulator
# The talk's cluster as an EKS stack in the AWS emulator: a control plane and two managed node
# groups, `insecure-os` and `secure-os`, labelled with their OS image. We apply it, read the
# node groups back, and use what we read to size the simulated cluster below. (Where the
# emulator has no EKS, as in LocalStack's free edition, the read-back comes from the same stack
# file and says so; the simulation runs the same.)

# %%
base = node_groups.Params(strategy=STRATEGY, spare_nodes=SPARE_NODES,
                          toleration_seconds=TOLERATION_SECONDS)
eks = node_groups.open_eks_stack()
print(eks.namespace.describe())  # whose resources: yours only, on a shared emulator too
eks_built = node_groups.build_in_emulator(eks, base)
readback = node_groups.read_back_node_groups(eks)
print("node groups read from:", readback.source, readback.reason)
learner_table(readback.table())

# %% [markdown]
# `kubectl taint nodes external=true:NoExecute` on a managed node group is a change to the
# group's taints: the plan shows an **update** in place, not a replacement of the nodes.

# %%
from tipsim.viz.infra_graph import plan_table

taint_plan = node_groups.plan_taint(eks, base)
learner_table(plan_table(taint_plan), ["address", "action", "changed"])

# %% [markdown]
# ## The scenario: one run
# Now the talk's cluster, sized from the read-back: 3 insecure nodes, 2 secure nodes plus `SPARE_NODES` empty secure
# nodes added just before the move, 8 external and 8 internal replicas, a node agent
# DaemonSet, 60 requests/s of external traffic (15 requests/s per ready pod). The decision
# is taken at t = 60 s.

# %%
params = node_groups.params_from_readback(readback, base)  # node counts and sizes
result = node_groups.run(params, seed=SEED)
m = result.metrics
print(f"one run, seed {SEED} (the comparison below gives means ± standard errors)")
print(f"exposure: {m['exposure_pod_seconds']:.0f} external pod-seconds on insecure nodes")
print(f"below desired replicas: {m['unavailable_seconds']:.0f} s "
      f"(lowest {m['min_ready_external']} of {m['desired_external']} ready)")
print(f"failed requests: {m['failed_requests']} of {m['requests']} "
      f"({100 * m['failed_fraction']:.2f}%), affected users: {m['affected_users']}")
migration = "not finished" if m["migration_time_s"] is None else f"{m['migration_time_s']:.0f} s"
print(f"migration time: {migration}, evictions: {m['evictions']}, "
      f"peak Pending pods: {m['max_pending_pods']}")

# %% [markdown]
# ## The panel
# Change the strategy, the node groups, the workloads or the tolerations; the three charts
# update in place:
#
# * **pod placement** — one line per pod on its node: purple internal, yellow external
#   (dotted while starting); red crosses mark when each node got the taint;
# * **ready external replicas** against the 8 desired, with failed requests per second;
# * **exposure vs disruption** for both strategies, with and without spare nodes and
#   `tolerationSeconds` (mean ± standard error over `REPLICATIONS` runs).

# %%
from tipsim.widgets.node_groups import NodeGroupsPanel

panel = NodeGroupsPanel(params, seed=SEED, replications=REPLICATIONS)
panel.widget

# %% [markdown]
# **Try this:**
#
# * Switch to `node-by-node`. Expect the ready line to dip by one or two pods at a time
#   instead of five at once, failed requests to fall to (almost) zero, and the exposure to
#   grow: the last node is only tainted two pauses after the first.
# * With `node-by-node`, set *spare nodes* to 0 and *cordon* to `tainted`. Expect
#   yellow lines that start on an insecure node *after* the decision: replacements land on a
#   node that has not been tainted yet and must move again. Cordon `group` stops that.
# * Tick *external pods tolerate the taint for a while* (60 s) and set `cordon` to `none`. Replacements
#   that tolerate the taint for a while pass the scheduler's taint filter, so some land right
#   back on the (now emptier, so higher-scoring) tainted nodes and are evicted a minute
#   later, again and again:
#   expect exposure to keep growing, the migration never to finish, and evictions in the
#   dozens, while failed requests barely move (only two replicas go at a time).
# * Set *pod start-up* to 120 s. Expect every dip to last four times longer.

# %% [markdown]
# ## The comparison in numbers
# Each row averages `REPLICATIONS` runs that share their random streams across variants
# (common random numbers), so differences come from the strategy, not from luck.

# %%
import numpy as np

rows = node_groups.compare(params, seed=SEED, replications=REPLICATIONS)
cols = ["label", "exposure_pod_seconds", "exposure_pod_seconds_se", "failed_requests",
        "failed_requests_se", "affected_users", "unavailable_seconds", "migration_time_s",
        "max_pending_pods"]
learner_table(rows, cols, labels={"label": "variant"}, missing={"migration_time_s": "not finished"},
              caption=f"mean over {REPLICATIONS} runs (± standard error where shown)")

# %% [markdown]
# ## Recap
#
# * A NoExecute taint evicts what does not tolerate it at once, keeps what tolerates it
#   forever, and gives `tolerationSeconds` pods exactly that long (unless the taint goes
#   first); it deletes pods directly, so PodDisruptionBudgets do not slow it down.
# * **All at once** ends the exposure at the decision but takes every external replica on the
#   insecure group down together: failed requests and affected users.
# * **Node by node** with spare capacity keeps enough replicas ready to serve every request,
#   at the price of external pods running on the insecure image for longer.
# * Spare capacity (or an autoscaler and its provisioning delay) decides how long evicted
#   pods wait as Pending; `tolerationSeconds` buys time but adds exposure.
#
# Risk mitigation over risk aversion (slide 15): choose the trade with the numbers in view.

# %% [markdown]
# ## Checks
# These fail if a result is wrong.

# %%
assert rules["no toleration"] == 5.0
assert rules["toleration, no seconds"] is None
assert rules["tolerationSeconds=30"] == 35.0
assert rules["two taints, 60 s and 20 s"] == 25.0
assert rules["30 s + forever, first taint removed at 10 s"] is None
assert rules["30 s + 100 s, first taint removed at 10 s"] == 35.0
assert rules["30 s, all taints removed at 10 s"] is None

by_label = {r["label"]: r for r in rows}
once = by_label[node_groups.label(params.replace(strategy="all-at-once"))]
gradual = by_label[node_groups.label(params.replace(strategy="node-by-node"))]
if SPARE_NODES > 0:
    assert gradual["failed_requests"] < once["failed_requests"]
    assert gradual["exposure_pod_seconds"] > once["exposure_pod_seconds"]
if TOLERATION_SECONDS is None:
    assert once["exposure_pod_seconds"] == 0.0
pods = result.pods
alive_external = (pods["kind"] == 1) & np.isnan(pods["ended_s"])
if m["migration_complete"]:
    assert not any(n in result.insecure_nodes for n in pods["node"][alive_external])
assert len(panel.placement_fig.data) == 4 and len(panel.tradeoff_fig.data) == 2
assert eks_built.ok and (params.insecure_nodes, params.secure_nodes) == (3, 2)
taint_actions = plan_table(taint_plan).set_index("address")["action"]
assert taint_actions["aws_eks_node_group.insecure_os"] == "update", taint_actions
print("all checks passed")
