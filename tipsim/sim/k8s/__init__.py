"""Kubernetes: the cluster spec, the scheduler, the ReplicaSet controller, the taint
eviction controller, the cluster-autoscaler, pod metrics and migration strategies."""
