"""Which seed each run of a sweep gets: from (seed, replication), and the configuration only
when asked.

Replication ``r`` of a sweep with seed ``S`` runs the scenario with
``run_seed(S, r)``: a 63-bit number drawn from ``numpy.random.SeedSequence(S,
spawn_key=(r,))``. It does not depend on the grid around a configuration, on the number
of workers or on the order tasks ran, so a configuration's rows are the same in any sweep
that contains it. Each row keeps its ``run_seed``: ``tipsim run NAME --set ... --seed
RUN_SEED --json`` prints the same figures.

Common random numbers (the default): every configuration's replication ``r`` gets the
same run seed. The kit's scenarios draw each source of randomness from its own named
stream of that seed (:func:`tipsim.sim.rng.streams`), so two configurations that differ
only in, say, the canary's step weight see the same clients, arrivals and service draws:
differences between them come from the parameter, not from luck (Law, *Simulation
Modeling and Analysis*, 5th ed., section 11.2, "common random numbers"). Parameters that
change how much is drawn (a longer duration, more users) still share every draw they have
in common. Rows of different configurations are then correlated, which is what paired
comparisons want; to treat configurations as independent samples instead, pass
``common_random_numbers=False`` (CLI ``--independent-seeds``): the configuration's
parameters then enter the seed too.

Example
-------
>>> run_seed(1, 0) == run_seed(1, 0)
True
>>> run_seed(1, 0) != run_seed(1, 1) and run_seed(1, 0) != run_seed(2, 0)
True
>>> run_seed(1, 0, "ab12cd34") != run_seed(1, 0)
True
"""

from __future__ import annotations

import numpy as np

from tipsim.errors import ParameterError


def run_seed(seed: int, replication: int, config_key: str | None = None) -> int:
    """The seed of replication ``replication``; ``config_key`` (hex) for independent seeds."""
    if seed < 0:
        raise ParameterError("seed", seed, "a whole number >= 0")
    key: tuple[int, ...] = (replication,)
    if config_key is not None:
        key = (replication, int(config_key[:15], 16))
    state = np.random.SeedSequence(entropy=int(seed), spawn_key=key).generate_state(1, np.uint64)
    return int(state[0]) >> 1
