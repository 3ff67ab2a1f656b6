"""The kit's own health route, in front of every moto server it starts.

The kit must recognise its own emulator by something it controls. moto's
``GET /moto-api/data.json`` is not that: it serialises every attribute of every model
of every backend, and once a Lambda function exists, the function's ``docker_client``
attribute tries to reach Docker and the route answers HTTP 500 (moto 5.2,
``moto/moto_api/_internal/responses.py``, ``model_data``; no Docker engine here).

So a small WSGI layer sits in front of moto's application and answers
``GET /_tipsim/health`` itself, before any backend is asked, with who it is::

    {"emulator": "tipsim", "role": "shared", "pid": 4242, "port": 4566,
     "tipsim_version": "0.1.0", "moto_version": "5.2.5", "started_at": 1767000000.0}

``role`` is ``"shared"`` for the background server of ``tipsim emulator start`` and
``"embedded"`` for a moto server inside a notebook's kernel. Every other request goes
to moto unchanged. The WSGI interface is PEP 3333.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

HEALTH_PATH = "/_tipsim/health"
KIT_NAME = "tipsim"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class HealthRoute:
    """A WSGI application: ``GET``/``HEAD`` :data:`HEALTH_PATH` answered here, the rest by ``app``.

    Parameters
    ----------
    app
        moto's WSGI application.
    identity
        The document the route answers (see the module docstring); ``"emulator"`` is
        set to :data:`KIT_NAME`.
    """

    def __init__(self, app: WsgiApp, identity: dict[str, Any]) -> None:
        self.app = app
        self.identity = {**identity, "emulator": KIT_NAME}

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if environ.get("PATH_INFO") != HEALTH_PATH or method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        body = json.dumps(self.identity).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body] if method == "GET" else [b""]
