"""The board on the command line: ``tipsim board serve`` and ``tipsim run ... --share``.

``register`` adds the ``board`` command to ``tipsim``; :class:`ShareTarget` is what
``tipsim run SCENARIO --share URL --token T --name NAME`` checks *before* the run (a refused
URL or a missing token costs no simulation time) and uses after it.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipsim.board.client import (
    TOKEN_ENV,
    check_board_url,
    default_name,
    share,
)
from tipsim.board.payload import check_name
from tipsim.errors import ParameterError


@dataclass(frozen=True)
class ShareTarget:
    """A checked board URL, token and name, ready to send a run's result."""

    url: str
    token: str
    name: str

    @classmethod
    def from_args(cls, url: str, token: str | None, name: str | None) -> ShareTarget:
        token = (token or os.environ.get(TOKEN_ENV, "")).strip()
        if not token:
            raise ParameterError("token", token, f"the room token the board printed "
                                 f"(--token T, or {TOKEN_ENV})")
        return cls(check_board_url(url), token, check_name(name or default_name()))

    def send(self, scenario: str, params: dict[str, Any], results: dict[str, Any]) -> str:
        """Share; return the line to show the attendee."""
        result_id = share(self.url, self.token, self.name, scenario, params, results)
        return f"shared with the room board at {self.url} as {self.name!r} (result {result_id})"


def _cmd_board(args: argparse.Namespace) -> int:
    from tipsim.board.serve import serve

    serve(args.host, args.port, args.db, args.token)
    return 0


def register(sub: Any) -> None:
    """Add ``tipsim board serve`` to the ``tipsim`` command's subparsers."""
    from tipsim.board.serve import DEFAULT_HOST, DEFAULT_PORT

    board = sub.add_parser("board", help="the room board: attendees share results, "
                                         "everyone sees the spread")
    actions = board.add_subparsers(dest="board_action", required=True)
    serve = actions.add_parser("serve", help="run the room board (Ctrl-C stops it)")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
                            "another address lets the room reach it, with a warning)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    serve.add_argument("--db", type=Path, default=None,
                       help="SQLite file for the results (default "
                            "$TIPSIM_STATE_DIR/board.sqlite3, ~/.cache/tipsim/board.sqlite3)")
    serve.add_argument("--token", default=None,
                       help="room token attendees send (default: a new random one, printed)")
    serve.set_defaults(func=_cmd_board)


def add_share_arguments(run: argparse.ArgumentParser) -> None:
    """``--share URL --token T --name NAME`` for ``tipsim run``."""
    run.add_argument("--share", metavar="URL", default=None,
                     help="send the result to the room board at URL (`tipsim board serve`)")
    run.add_argument("--token", default=None,
                     help=f"the room board's token (with --share; default ${TOKEN_ENV})")
    run.add_argument("--name", default=None,
                     help="your name on the board (default $TIPSIM_ATTENDEE, else your login)")
