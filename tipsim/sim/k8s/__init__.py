"""Kubernetes, one idea per module.

* :mod:`.spec`: the cluster as validated plain data (node groups, workloads, DaemonSets,
  taints, tolerations);
* :mod:`.scheduler`: filter and score (which node a pod goes to);
* :mod:`.eviction`: the NoExecute decision for one pod at one moment;
* :mod:`.state`: the API server's node and pod tables, and their watchers;
* controllers, each its own object watching the state: :mod:`.scheduler_loop`,
  :mod:`.kubelet`, :mod:`.replicaset`, :mod:`.daemonset`, :mod:`.taint_manager`,
  :mod:`.autoscaler`, and :mod:`.drain` (the Eviction API);
* :mod:`.cluster`: the state and the controllers wired together, with the ``kubectl`` verbs;
* :mod:`.kubectl`: ``kubectl`` cues as plain data, played on a clock;
* :mod:`.metrics`, :mod:`.traffic`, :mod:`.migration`: a node-group migration measured.
"""
