"""The board's results in one SQLite file, so a restarted board still shows the room's results.

One table, one row per shared result, ids increasing in arrival order (the page asks for
"everything after id N" to stay live). The file is opened in WAL mode: a reader (the page)
never blocks the writer (attendees posting), and a committed row survives the process being
killed (SQLite's write-ahead log, https://www.sqlite.org/wal.html).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from tipsim.board.payload import SharedResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at REAL    NOT NULL,
    name        TEXT    NOT NULL,
    scenario    TEXT    NOT NULL,
    params      TEXT    NOT NULL,
    results     TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_scenario ON results (scenario, id);
"""


def default_db_path() -> Path:
    """``$TIPSIM_STATE_DIR/board.sqlite3`` (default ``~/.cache/tipsim/board.sqlite3``)."""
    root = Path(os.environ.get("TIPSIM_STATE_DIR", Path.home() / ".cache" / "tipsim"))
    return root / "board.sqlite3"


class ResultStore:
    """Shared results in a SQLite file; used from one thread (the board's event loop)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)  # autocommit per statement
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL
        self._db.executescript(_SCHEMA)

    def add(self, result: SharedResult, *, received_at: float | None = None) -> int:
        """Store ``result``; return its id."""
        cur = self._db.execute(
            "INSERT INTO results (received_at, name, scenario, params, results) "
            "VALUES (?, ?, ?, ?, ?)",
            (time.time() if received_at is None else received_at, result.name,
             result.scenario, json.dumps(result.params), json.dumps(result.results)))
        return int(cur.lastrowid or 0)

    def list(self, scenario: str | None = None, after_id: int = 0) -> list[dict[str, Any]]:
        """Stored results (of ``scenario`` if given) with id > ``after_id``, oldest first."""
        sql = "SELECT id, received_at, name, scenario, params, results FROM results WHERE id > ?"
        args: list[Any] = [after_id]
        if scenario is not None:
            sql += " AND scenario = ?"
            args.append(scenario)
        rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        return [{"id": r[0], "received_at": r[1], "name": r[2], "scenario": r[3],
                 "params": json.loads(r[4]), "results": json.loads(r[5])} for r in rows]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        self._db.close()
