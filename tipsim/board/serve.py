"""``tipsim board serve``: run the room board until Ctrl-C, and say how to reach it.

It binds 127.0.0.1 unless ``--host`` names another address; then it warns, because anyone
on that network who has the token can read and post results. The room token is generated
(``secrets.token_urlsafe``) unless given. Results live in a SQLite file (``--db``) that a
restarted board opens again.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tornado.httpserver
import tornado.netutil

from tipsim.board.app import DRAIN_LIMIT_BYTES, make_app
from tipsim.board.storage import ResultStore
from tipsim.emulator.guard import ALLOW_ENV, is_loopback
from tipsim.errors import ParameterError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@dataclass(frozen=True)
class BoardAddress:
    """Where the board listens, and the URL attendees use."""

    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def new_token() -> str:
    """A room token: 12 random bytes, URL-safe (16 characters, easy to copy from a slide)."""
    return secrets.token_urlsafe(12)


def _lan_address() -> str | None:
    """This machine's address on its default route (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): never routed anywhere real
            return str(s.getsockname()[0])
        except OSError:
            return None


def announce(address: BoardAddress, token: str, db: Path, say: Callable[[str], None]) -> None:
    """Print the board's URL, its token and how attendees share to it."""
    reach = address
    if not is_loopback(address.host):
        public = address.host
        if address.host in ("0.0.0.0", "::", ""):
            public = _lan_address() or "<this machine's address>"
        reach = BoardAddress(public, address.port)
        say(f"[board] WARNING: listening on {address.host}, not loopback: attendees on this "
            f"network can reach the board (they still need the token). Attendees set "
            f"{ALLOW_ENV}={reach.host} to share to it.")
    say(f"[board] room board: {reach.url}/?token={token}")
    say(f"[board] room token: {token}")
    say(f"[board] results are kept in {db}")
    say(f"[board] share: tipsim run SCENARIO --share {reach.url} --token {token} --name NAME")
    say("[board] Ctrl-C stops the board.")


async def _run(host: str, port: int, db: Path, token: str, say: Callable[[str], None]) -> None:
    store = ResultStore(db)
    server = tornado.httpserver.HTTPServer(
        make_app(store, token), max_body_size=DRAIN_LIMIT_BYTES, body_timeout=30.0,
        idle_connection_timeout=120.0)
    try:
        sockets = tornado.netutil.bind_sockets(port, address=host, backlog=1024)
    except OSError as exc:
        store.close()
        raise ParameterError("port", port, f"a free port on {host} ({exc.strerror})") from None
    server.add_sockets(sockets)
    announce(BoardAddress(host, int(sockets[0].getsockname()[1])), token, store.path, say)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        server.stop()
        await server.close_all_connections()
        store.close()
        say("[board] stopped.")


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, db: Path | None = None,
          token: str | None = None, say: Callable[[str], None] | None = None) -> None:
    """Run the board until SIGINT or SIGTERM (``port=0`` picks a free port and prints it)."""
    from tipsim.board.storage import default_db_path

    if token is not None and not token.strip():
        raise ParameterError("token", token, "a non-empty text (or leave it out to generate one)")
    if not 0 <= port <= 65535:
        raise ParameterError("port", port, "0 to 65535 (0: any free port)")
    out = say or (lambda line: print(line, file=sys.stdout, flush=True))
    asyncio.run(_run(host, port, Path(db) if db else default_db_path(),
                     token.strip() if token else new_token(), out))
