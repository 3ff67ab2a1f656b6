"""A side's network path: its round trip, the client timeout, and the log that applies them."""

from __future__ import annotations

import numpy as np

from tipsim.sim.web.network import PATH_FAILURE, NetworkLog, NetworkPath


def test_each_side_adds_its_own_path_round_trip_with_the_paths_mean_and_spread() -> None:
    """A path adds ``rtt_s`` on average with standard deviation ``jitter_s`` (NetworkPath's
    definition), each side its own, over many blocks of draws; a request lost on the path
    is recorded at the client timeout, and one slower than the timeout fails."""
    paths = {0: NetworkPath(rtt_s=0.02, jitter_s=0.005), 1: NetworkPath(rtt_s=0.2, jitter_s=0.05)}
    log = NetworkLog(paths, 3.0, np.random.default_rng(7))
    n = 12_000  # about three blocks of round trips per side
    for i in range(n):
        log.append(float(i), 0, 0, i % 2, 0.0, True)
    log.append(n + 1.0, 0, PATH_FAILURE, 1, 3.0, False)
    log.append(n + 2.0, 0, 0, 1, 2.95, True)  # 2.95 s of service + ~0.2 s: too late
    a = log.arrays()
    for code, path in paths.items():
        lat = a["latency_s"][:n][a["image"][:n] == code].astype(float)
        assert abs(lat.mean() - path.rtt_s) < 4 * path.jitter_s / np.sqrt(lat.size)
        assert abs(lat.std() - path.jitter_s) < 0.05 * path.jitter_s
    assert a["latency_s"][n] == np.float32(3.0) and not a["ok"][n]
    assert a["latency_s"][n + 1] == np.float32(3.0) and not a["ok"][n + 1]
