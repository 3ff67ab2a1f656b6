"""The web tier: clients and their requests, DNS, network paths, load balancers, health
checks, instances, the service that ties them together, and the rollouts that move
traffic between images or sides (feature toggle, canary, blue/green)."""
