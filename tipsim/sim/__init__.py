"""simpy discrete-event models, by subsystem.

The core: :mod:`~tipsim.sim.rng` (named random streams), :mod:`~tipsim.sim.recorder`
(per-request arrays) and :mod:`~tipsim.sim.queueing` (the M/M/c station that checks the
request machinery against queueing theory). The subsystems: :mod:`~tipsim.sim.web`
(clients, DNS, network, load balancers, health checks, instances, rollouts),
:mod:`~tipsim.sim.k8s` (cluster spec, scheduler, controllers, metrics, migrations) and
:mod:`~tipsim.sim.data_lake` (Kafka, FaaS, Spark, what landed when).

Models here never import boto3, plotly or ipywidgets (a test checks it): they take
validated parameters and ``numpy.random.Generator`` streams, and record into arrays.
"""
