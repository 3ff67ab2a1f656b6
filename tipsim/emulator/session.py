"""The only place the kit builds boto3 clients.

:class:`EmulatorSession` extends ``localstack_client.session.Session`` so that:

* every client uses dummy credentials (``test``/``test``), never the learner's:
  ``AWS_PROFILE``, ``AWS_ACCESS_KEY_ID``, ``AWS_SESSION_TOKEN``, config and
  credential files and ``AWS_ENDPOINT_URL_*`` are ignored;
* every endpoint passes the never-real-AWS guard before a client exists.
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.configprovider import ConstantProvider
from localstack_client.session import Session as LocalstackSession

from tipsim.emulator.guard import check_endpoint

DUMMY_KEY_ID = "test"
DUMMY_SECRET = "test"
DEFAULT_REGION = "us-east-2"  # the talk's region

# Config variables botocore would otherwise read from the environment or ~/.aws.
_PINNED = {
    "profile": None,
    "config_file": "/nonexistent/tipsim/aws-config",
    "credentials_file": "/nonexistent/tipsim/aws-credentials",
    "ignore_configured_endpoint_urls": True,
    "endpoint_url": None,
    "ca_bundle": None,
    "metadata_service_num_attempts": 0,
}


def isolated_boto3_session(region_name: str) -> boto3.session.Session:
    """A boto3 session that reads nothing from the environment or ``~/.aws``."""
    core = botocore.session.Session()
    store = core.get_component("config_store")
    for name, value in _PINNED.items():
        store.set_config_provider(name, ConstantProvider(value))
    core.set_credentials(DUMMY_KEY_ID, DUMMY_SECRET)
    return boto3.session.Session(
        aws_access_key_id=DUMMY_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET,
        region_name=region_name,
        botocore_session=core,
    )


class EmulatorSession(LocalstackSession):
    """A LocalStack-client session bound to one guarded local endpoint.

    Parameters
    ----------
    endpoint_url
        Where the emulator answers; checked by the guard.
    region_name
        AWS region to emulate (default the talk's ``us-east-2``).
    info
        What answers there (kind, version), for display.
    """

    def __init__(
        self, endpoint_url: str, region_name: str = DEFAULT_REGION, info: Any = None
    ) -> None:
        check_endpoint(endpoint_url)
        host = endpoint_url.split("://", 1)[-1].rstrip("/")
        super().__init__(
            aws_access_key_id=DUMMY_KEY_ID,
            aws_secret_access_key=DUMMY_SECRET,
            aws_session_token=None,
            region_name=region_name,
            localstack_host=host,
        )
        self.endpoint_url = endpoint_url.rstrip("/")
        self.info = info
        self._boto = isolated_boto3_session(region_name)
        self._config = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=3,
                              read_timeout=60)

    def _endpoint_for(self, service_name: str) -> str:
        # One gateway serves every service (LocalStack's edge port, or moto's server).
        # connect() already weighed AWS_ENDPOINT_URL; the guard runs again per client.
        return check_endpoint(self.endpoint_url, source=f"{service_name} endpoint")

    def client(self, service_name: str, **kwargs: Any) -> Any:  # noqa: D401 - boto3-like
        """A boto3 client for ``service_name`` on the emulator."""
        endpoint = self._endpoint_for(service_name)
        kwargs.pop("endpoint_url", None)
        kwargs.setdefault("config", self._config)
        return self._boto.client(service_name, endpoint_url=endpoint, verify=False, **kwargs)

    def resource(self, service_name: str, **kwargs: Any) -> Any:
        """A boto3 resource for ``service_name`` on the emulator."""
        endpoint = self._endpoint_for(service_name)
        kwargs.pop("endpoint_url", None)
        return self._boto.resource(service_name, endpoint_url=endpoint, verify=False, **kwargs)

    def __repr__(self) -> str:
        return f"EmulatorSession({self.info or self.endpoint_url})"
