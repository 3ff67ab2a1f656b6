"""Benchmark: the room board's post latency, as a multiple of a bare request to the same board.

The board (``tipsim board serve`` on a free loopback port, a fresh SQLite file) answers two
kinds of request, measured in the same run, interleaved so that drift hits both alike:

* baseline: ``GET /api/ping`` (token checked, nothing else done): HTTP, Tornado and the
  token check, the floor every request pays;
* post: ``POST /api/results`` with a real ``tipsim run canary --json`` result (~1.6 KiB):
  the floor plus reading, checking and storing the result (one SQLite commit).

Two loads: one client on a keep-alive connection (latency as one attendee sees it), and
30 clients at once (the room after "now share your result"). Reported: p50 and p95 of each,
and post/ping ratios of p50 and p95.

Run: ``.venv/bin/python benchmarks/bench_board.py [--requests 400]``; printed and written to
``benchmarks/results/bench_board.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from board_support import start_board  # noqa: E402

CLIENTS = 30


def canary_result() -> dict[str, Any]:
    from tipsim.scenarios import load

    module = load("canary")
    params = module.Params()
    return {"name": "bench", "scenario": "canary", "params": params.model_dump(mode="json"),
            "results": json.loads(json.dumps(module.run_cli(params, seed=1), default=float))}


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


class Client:
    """One keep-alive connection; times each request from send to the last byte read."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def timed(self, method: str, path: str, body: bytes | None, expect: int) -> float:
        t0 = time.perf_counter()
        self.conn.request(method, path, body=body, headers=self.headers)
        resp = self.conn.getresponse()
        resp.read()
        elapsed = time.perf_counter() - t0
        if resp.status != expect:
            raise RuntimeError(f"{method} {path} answered {resp.status}, expected {expect}")
        return elapsed

    def pair(self, body: bytes) -> tuple[float, float]:
        """(ping seconds, post seconds), one after the other."""
        return (self.timed("GET", "/api/ping", None, 200),
                self.timed("POST", "/api/results", body, 201))


def run_load(url: str, token: str, body: bytes, clients: int, per_client: int
             ) -> tuple[list[float], list[float], float]:
    """Every client does ``per_client`` ping/post pairs; all start together."""
    pings: list[float] = []
    posts: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def work() -> None:
        client = Client(url, token)
        client.pair(body)  # connect and warm up, not counted
        start.wait()
        mine = [client.pair(body) for _ in range(per_client)]
        with lock:
            pings.extend(p for p, _ in mine)
            posts.extend(q for _, q in mine)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return pings, posts, time.perf_counter() - t0


def summary(pings: list[float], posts: list[float]) -> dict[str, float]:
    p50 = (percentile(pings, 50), percentile(posts, 50))
    p95 = (percentile(pings, 95), percentile(posts, 95))
    return {"ping_p50_ms": round(p50[0] * 1e3, 3), "ping_p95_ms": round(p95[0] * 1e3, 3),
            "post_p50_ms": round(p50[1] * 1e3, 3), "post_p95_ms": round(p95[1] * 1e3, 3),
            "post_over_ping_p50": round(p50[1] / p50[0], 2),
            "post_over_ping_p95": round(p95[1] / p95[0], 2), "requests_each": len(posts)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400,
                        help="ping/post pairs for the single client (the 30 clients share "
                             "as many per client as 600 posts need, at least 20)")
    args = parser.parse_args()
    body = json.dumps(canary_result()).encode()
    with tempfile.TemporaryDirectory() as tmp:
        board = start_board(Path(tmp) / "bench.sqlite3", "bench-token")
        try:
            single = run_load(board.url, board.token, body, 1, args.requests)
            room = run_load(board.url, board.token, body, CLIENTS, 20)
        finally:
            board.stop()
    results = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "body_bytes": len(body),
        "one_client": summary(single[0], single[1]),
        "thirty_clients": {**summary(room[0], room[1]),
                           "posts_per_s": round(len(room[1]) / room[2], 1)},
    }
    for name in ("one_client", "thirty_clients"):
        r = results[name]
        print(f"{name:>15}: ping p50 {r['ping_p50_ms']:.2f} ms p95 {r['ping_p95_ms']:.2f} ms | "
              f"post p50 {r['post_p50_ms']:.2f} ms p95 {r['post_p95_ms']:.2f} ms | "
              f"post/ping p50 {r['post_over_ping_p50']}x p95 {r['post_over_ping_p95']}x")
    print(f"   30 clients: {results['thirty_clients']['posts_per_s']} posts/s "
          f"(with as many pings), body {len(body)} bytes")
    out = Path(__file__).resolve().parent / "results" / "bench_board.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
