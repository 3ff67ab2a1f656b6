"""The request log: rows appended one by one or in blocks come back sorted by arrival,
ties in the order they were recorded."""

from __future__ import annotations

import numpy as np

from tipsim.sim.recorder import RequestLog, TimeoutLog


def test_arrays_are_a_stable_sort_by_arrival_of_everything_recorded() -> None:
    rng = np.random.default_rng(1)
    log = TimeoutLog(5.0, capacity=16)
    rows: list[tuple[float, int, int, int, float, bool]] = []
    for step in range(400):  # past several pending writes and growths of the columns
        n = int(rng.integers(1, 60))
        t = np.round(rng.uniform(0.0, step + 1.0, n), 1)  # late arrivals and tied times
        user = rng.integers(0, 1000, n)
        latency = rng.exponential(2.0, n)
        ok = rng.random(n) < 0.9
        if step % 2:
            log.extend(t, user, step % 7, step % 3, latency, ok)
            rows += [(a, u, step % 7, step % 3, lat, o) for a, u, lat, o in
                     zip(t.tolist(), user.tolist(), latency.tolist(), ok.tolist(), strict=True)]
        else:
            for a, u, lat, o in zip(t.tolist(), user.tolist(), latency.tolist(), ok.tolist(),
                                    strict=True):
                log.append(a, u, -1, 2, lat, o)
                rows.append((a, u, -1, 2, lat, o))
        if step % 50 == 0:
            log.arrays()  # reading in between changes nothing
    got = log.arrays()
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])  # stable
    assert len(log) == len(rows)
    np.testing.assert_array_equal(got["time_s"], [rows[i][0] for i in order])
    np.testing.assert_array_equal(got["user"], [rows[i][1] for i in order])
    np.testing.assert_array_equal(got["instance"], [rows[i][2] for i in order])
    np.testing.assert_array_equal(got["image"], [rows[i][3] for i in order])
    latency = np.minimum([rows[i][4] for i in order], 5.0).astype(np.float32)
    np.testing.assert_array_equal(got["latency_s"], latency)
    ok = [rows[i][5] and rows[i][4] <= 5.0 for i in order]  # slower than 5 s: failed
    np.testing.assert_array_equal(got["ok"], ok)


def test_arrays_are_copies() -> None:
    log = RequestLog()
    log.append(1.0, 1, 0, 0, 0.1, True)
    log.arrays()["time_s"][0] = 99.0
    assert log.arrays()["time_s"].tolist() == [1.0]
