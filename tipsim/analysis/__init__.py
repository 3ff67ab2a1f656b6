"""Analysis of simulation results: SLOs, blast radius, canary judge, A/B statistics, cost,
queueing theory. Pure functions over arrays and DataFrames; no simulation, no plotting."""
