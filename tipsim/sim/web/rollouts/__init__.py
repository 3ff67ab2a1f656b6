"""Rollouts as simpy processes: how a change moves traffic, and how it is undone."""
