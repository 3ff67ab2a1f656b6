"""The embedded emulator: a moto server, in this process or in a background one.

moto implements the AWS APIs the talk needs (EC2, ELB, Route53, S3, Lambda, EMR,
MSK, EKS) in Python. The kit loads its own machine-image list
(``data/machine_images.json``) so that lookups by name (Ubuntu xenial / bionic,
nginx 1.14 / 1.16) find the talk's images, puts its own health route in front of moto
(:mod:`tipsim.emulator.health_route`) and tells moto's Lambda never to use Docker.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import tipsim
from tipsim.data import data_path
from tipsim.emulator.health_route import HealthRoute

AMIS_FILE = "machine_images.json"


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# moto builds boto3 sessions when its service modules are imported: keep the
# learner's profile and config files out of them.
_SCRUB = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
# Services the scenarios use, imported up front while the environment is scrubbed.
MOTO_SERVICES = ("ec2", "elb", "elbv2", "route53", "s3", "iam", "sts", "awslambda", "emr",
                 "kafka", "eks", "sqs")


@contextmanager
def _scrubbed_aws_env() -> Iterator[None]:
    saved = {k: os.environ.pop(k) for k in _SCRUB if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def preload_moto() -> None:
    """Import moto's service backends with the learner's AWS profile hidden."""
    import importlib

    with _scrubbed_aws_env():
        for name in MOTO_SERVICES:
            importlib.import_module(f"moto.{name}")
        importlib.import_module("moto.server")
        from moto.core.base_backend import AccountSpecificBackend

        # lru-cached by moto: made once here, without the profile, it serves every request.
        session = AccountSpecificBackend.get_session()
        session.get_available_partitions()
        session.get_available_regions("ec2")


def prepare_moto_images() -> None:
    """Make moto serve the kit's machine images.

    moto reads ``MOTO_AMIS_PATH`` when ``moto.ec2.models.amis`` is first imported;
    if it was imported already, its image list is replaced in place (the
    backends, made lazily per region, read it when they are created or reset).
    """
    path = str(data_path(AMIS_FILE))
    os.environ["MOTO_AMIS_PATH"] = path
    preload_moto()
    from moto.ec2.models import amis as moto_amis

    with open(path, encoding="utf-8") as fh:
        images: list[dict[str, Any]] = json.load(fh)
    if {a["ami_id"] for a in moto_amis.AMIS} != {a["ami_id"] for a in images}:
        moto_amis.AMIS[:] = images


def configure_moto(endpoint_url: str) -> None:
    """Settings every kit moto server gets: Lambda never tries Docker.

    With ``use_docker`` false, moto does not run a function in a Docker container and
    assumes a successful invocation (moto's documentation, "Configuration",
    docs/docs/configuration/index.rst; in server mode ``POST /moto-api/config``), so
    invoking a notebook's function never reaches for a Docker engine. moto's
    ``/moto-api/data.json`` still fails once a function exists (see
    :mod:`tipsim.emulator.health_route`): the kit never asks it.
    """
    body = json.dumps({"lambda": {"use_docker": False}}).encode()
    req = urllib.request.Request(f"{endpoint_url}/moto-api/config", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5):  # noqa: S310 - loopback only
        pass


def reset_moto(endpoint_url: str) -> None:
    """Clear all state of a moto server (``POST /moto-api/reset``)."""
    req = urllib.request.Request(f"{endpoint_url}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10):  # noqa: S310 - loopback only
        pass
    configure_moto(endpoint_url)


class InProcessEmulator:
    """A moto server on a loopback port, in a daemon thread of this process.

    It answers the kit's health route (:mod:`tipsim.emulator.health_route`) with its
    ``role``, this process's pid and the versions, and serves every other request with
    moto. It lives as long as the process (the notebook's kernel) or until :meth:`stop`.

    Parameters
    ----------
    port
        Loopback port (default: a free one).
    role
        ``"embedded"`` (in a notebook's kernel) or ``"shared"`` (``tipsim emulator start``).
    """

    def __init__(self, port: int | None = None, role: str = "embedded") -> None:
        prepare_moto_images()
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

        self.port = port or free_loopback_port()
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.identity: dict[str, Any] = {
            "role": role, "pid": os.getpid(), "port": self.port,
            "tipsim_version": tipsim.__version__, "moto_version": moto_version(),
            "started_at": time.time()}
        with _scrubbed_aws_env():
            app = HealthRoute(DomainDispatcherApplication(create_backend_app), self.identity)
            # What moto's ThreadedMotoServer does, with the kit's route in front of moto.
            self._server = make_server("127.0.0.1", self.port, app, threaded=True,
                                       request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"tipsim-moto-{self.port}")
        self._thread.start()
        configure_moto(self.endpoint_url)

    def stop(self) -> None:
        """Stop the server thread and free its port."""
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


def moto_version() -> str:
    """Installed moto version."""
    from importlib.metadata import version

    return version("moto")
