"""A room board for tests: ``tipsim board serve`` as a subprocess on a free loopback port.

The board picks its port (``--port 0``) and prints its URL; the test reads it from the
board's output, so no port is guessed. Stopped by pid (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START_TIMEOUT_S = 30.0
_URL = re.compile(r"room board: (http://[^/\s]+)/\?token=")


@dataclass
class Board:
    url: str
    token: str
    db: Path
    proc: subprocess.Popen[str]
    lines: list[str]
    reader: threading.Thread

    def stop(self) -> str:
        """Stop the board by pid; return everything it printed."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.reader.join(5)
        return "".join(self.lines)

    def request(self, method: str, path: str, body: bytes | None = None,
                token: str | None = None) -> tuple[int, Any]:
        """(status, decoded JSON body) of one request; no proxy, no exception on 4xx."""
        req = urllib.request.Request(f"{self.url}{path}", data=body, method=method, headers={
            "Authorization": f"Bearer {self.token if token is None else token}",
            "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def results(self, scenario: str | None = None) -> list[dict[str, Any]]:
        status, answer = self.request("GET", "/api/results" + (
            f"?scenario={scenario}" if scenario else ""))
        assert status == 200, answer
        return list(answer["results"])


def start_board(db: Path, token: str = "test-token", *extra: str) -> Board:
    """Start ``tipsim board serve --port 0 --db DB --token TOKEN``; wait for its URL."""
    cmd = [sys.executable, "-m", "tipsim", "board", "serve", "--port", "0", "--db", str(db),
           "--token", token, *extra]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,  # noqa: S603
                            stdin=subprocess.DEVNULL, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),  # type: ignore[union-attr]
                              daemon=True)
    reader.start()
    board = Board("", token, db, proc, lines, reader)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        match = next((m for m in map(_URL.search, list(lines)) if m), None)
        if match:
            board.url = match.group(1)
            return board
        time.sleep(0.05)
    raise RuntimeError("the board did not start:\n" + board.stop())
