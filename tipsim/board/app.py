"""The room board's web app (Tornado, which Jupyter already installs): the API and the page.

API (every request needs the room token, as ``Authorization: Bearer TOKEN`` or ``?token=``):

``POST /api/results``
    body ``{"name": str, "scenario": str, "params": {...}, "results": {...}}`` (the results
    as ``tipsim run --json`` prints them) -> ``201 {"id": N}``.
``GET /api/results?scenario=NAME[&after=ID]``
    -> ``200 {"results": [{"id", "received_at", "name", "scenario", "params", "results"}]}``,
    oldest first; ``after`` returns only newer ones (the page polls with it).
``GET /api/ping`` -> ``200 {"ok": true}`` (a request that does no work).
``GET /`` the board page; ``/static/...`` its script and plotly.js.

Refusals store nothing and say why in ``{"error": "..."}``: 401 wrong or missing token,
413 a body over 64 KiB, 400 a body that is not JSON or names an unknown scenario. Bodies
up to :data:`DRAIN_LIMIT_BYTES` are read to the end before the refusal is sent, so that the
client hears it (a server that answers and closes while the client is still sending makes
the client see a reset, not the answer); they are counted, never kept.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

import tornado.web

from tipsim.board.page import CSP, STATIC, plotly_js_path, render_page
from tipsim.board.payload import MAX_BODY_BYTES, check_scenario, parse_body
from tipsim.board.storage import ResultStore
from tipsim.errors import ParameterError

DRAIN_LIMIT_BYTES = 16 * 1024 * 1024
"""Bodies larger than this are refused as soon as their headers arrive."""


class Refused(tornado.web.HTTPError):
    """A refusal with the message the client sees (kept out of ``%``-formatted logging)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status)
        self.message = message


def log_refusals(handler: tornado.web.RequestHandler) -> None:
    """One line on the host's terminal per refused request; accepted ones stay quiet."""
    status = handler.get_status()
    if status >= 400:
        req = handler.request
        print(f"[board] {status} {req.method} {req.path} from {req.remote_ip}", flush=True)


class BoardHandler(tornado.web.RequestHandler):
    """Token check, JSON errors and safe headers for every route."""

    def initialize(self, store: ResultStore, token: str) -> None:
        self.store = store
        self.token = token

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")  # the token is in the page's URL
        self.set_header("Cache-Control", "no-store")

    def token_ok(self) -> bool:
        given = ""
        auth = self.request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            given = auth[len("Bearer "):].strip()
        elif "token" in self.request.query_arguments:
            given = self.get_query_argument("token", "")
        return hmac.compare_digest(given.encode(), self.token.encode())

    def require_token(self) -> None:
        if not self.token_ok():
            raise Refused(401, "wrong or missing room token")

    def prepare(self) -> None:
        self.require_token()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = self._reason
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], Refused):
            message = exc_info[1].message
        if status_code == 401:
            self.set_header("WWW-Authenticate", 'Bearer realm="tipsim board"')
            message = ("wrong or missing room token: send 'Authorization: Bearer TOKEN' "
                       "(the token `tipsim board serve` printed)")
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": message}))

    def send_json(self, obj: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(obj))


class NotFoundHandler(BoardHandler):
    def get(self, *_: Any) -> None:
        raise Refused(404, f"no such page: {self.request.path}")


class PingHandler(BoardHandler):
    """Answers with the token checked and nothing else done (a client's "is the board there?")."""

    def get(self) -> None:
        self.send_json({"ok": True})


@tornado.web.stream_request_body
class ResultsHandler(BoardHandler):
    """``POST`` stores one result; ``GET`` lists them."""

    def prepare(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        self._refusal: tuple[int, str] | None = None
        if self.request.method != "POST":
            self.require_token()
            return
        if not self.token_ok():
            self._refusal = (401, "")
        length_text = self.request.headers.get("Content-Length")
        if length_text is None:
            return  # chunked: counted in data_received
        try:
            length = int(length_text)
        except ValueError:
            raise Refused(400, "Content-Length is not a number") from None
        if length > MAX_BODY_BYTES:
            too_big = (413, f"body of {length} bytes: the board takes at most "
                            f"{MAX_BODY_BYTES} bytes (64 KiB)")
            if length > DRAIN_LIMIT_BYTES:
                # Answer now and close (Tornado closes a connection answered before its body
                # was read); raising the limit keeps Tornado from writing its own 400 too.
                self.request.connection.set_max_body_size(length)  # type: ignore[union-attr]
                raise Refused(*too_big)
            self._refusal = self._refusal or too_big

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._refusal is not None:
            return  # read to the end, keep nothing
        if self._size > MAX_BODY_BYTES:
            self._chunks = []
            self._refusal = (413, f"body over {MAX_BODY_BYTES} bytes (64 KiB)")
            return
        self._chunks.append(chunk)

    def post(self) -> None:
        if self._refusal is not None:
            raise Refused(*self._refusal)
        try:
            result = parse_body(b"".join(self._chunks))
        except ParameterError as exc:
            raise Refused(400, str(exc).splitlines()[0]) from None
        self.send_json({"id": self.store.add(result)}, status=201)

    def get(self) -> None:
        scenario = self.get_query_argument("scenario", None)
        after_text = self.get_query_argument("after", "0")
        try:
            if scenario is not None:
                check_scenario(scenario)
            if not after_text.isdigit():
                raise ParameterError("after", after_text, "a result id, an integer >= 0")
        except ParameterError as exc:
            raise Refused(400, str(exc).splitlines()[0]) from None
        self.send_json({"results": self.store.list(scenario, int(after_text))})


class PageHandler(BoardHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", CSP)
        self.finish(render_page(self.token))


class ScriptHandler(BoardHandler):
    """The page's own script and plotly.js, from disk (cached by the browser for a day)."""

    FILES = {"board.js": lambda: STATIC / "board.js", "plotly.min.js": plotly_js_path}

    def get(self, name: str) -> None:
        if name not in self.FILES:
            raise Refused(404, f"no such file: {name}")
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "private, max-age=86400")
        self.finish(self.FILES[name]().read_bytes())


def make_app(store: ResultStore, token: str) -> tornado.web.Application:
    """The board's routes, all behind ``token``."""
    if not token:
        raise ParameterError("token", token, "a non-empty room token")
    kw = {"store": store, "token": token}
    return tornado.web.Application(
        [(r"/", PageHandler, kw), (r"/api/ping", PingHandler, kw),
         (r"/api/results", ResultsHandler, kw), (r"/static/([\w.]+)", ScriptHandler, kw)],
        default_handler_class=NotFoundHandler, default_handler_args=kw,
        compress_response=True, log_function=log_refusals)
