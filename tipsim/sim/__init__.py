"""simpy discrete-event models: traffic, DNS, load balancers, nodes, Kubernetes, data lake.

Models here never import boto3, plotly or ipywidgets (a test checks it): they take
validated parameters and ``numpy.random.Generator`` streams, and record into arrays.
"""
