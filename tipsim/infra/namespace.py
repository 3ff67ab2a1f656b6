"""Attendee namespaces: one emulator for a room, each attendee's stacks kept apart.

A workshop may run one LocalStack for thirty laptops (``LOCALSTACK_HOST`` pointing at the
host's machine). Every attendee applies the same stacks, so without a namespace attendee
B's ``apply({})`` would plan to delete what attendee A built. A namespace gives each
attendee two things:

* an **owner tag** (``tipsim:owner``) on everything their stacks create, beside the stack
  tag; plans, applies, destroys and read-backs find resources by both tags, so nobody
  sees or touches anyone else's resources;
* a **name prefix** (the stacks' ``prefix`` input, unless given explicitly), because some
  names must be unique in one account whoever owns them (S3 buckets, load balancers, IAM
  roles, Lambda functions, EKS clusters: see the AWS docs "Bucket naming rules" and
  "Elastic Load Balancing quotas": a name is unique per account and region).

The attendee name comes from ``TIPSIM_ATTENDEE``, else the operating-system user name.
It has the stacks' prefix rule: a lower-case letter, then lower-case letters, digits or
``-``, at most 20 characters (an S3 bucket name allows lower case only; a classic load
balancer name ``<prefix>-green-elb`` must stay within 32 characters).

Example
-------
>>> Namespace.from_env({"TIPSIM_ATTENDEE": "alice"}).attendee
'alice'
>>> Namespace.from_env({"TIPSIM_ATTENDEE": "Alice Smith"})
Traceback (most recent call last):
...
tipsim.errors.ParameterError: TIPSIM_ATTENDEE='Alice Smith' is not allowed: ...
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tipsim.errors import ParameterError
from tipsim.infra.handler import OWNER_TAG

ATTENDEE_ENV = "TIPSIM_ATTENDEE"
MAX_LENGTH = 20
ALLOWED = (f"1-{MAX_LENGTH} lower-case letters, digits or '-', starting with a letter "
           "(a name unique in the room, e.g. alice)")
_VALID = re.compile(rf"^[a-z][a-z0-9-]{{0,{MAX_LENGTH - 1}}}$")
FALLBACK = "attendee"
"""The name when the user name has no usable letter (e.g. a numeric uid with no entry)."""


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER in a container
        return ""


def from_user_name(user: str) -> str:
    """An attendee name made from an operating-system user name: lower case, other
    characters turned into ``-``, starting at the first letter, cut to the length limit.

    >>> from_user_name("Jane.Doe"), from_user_name("123"), from_user_name("build_agent_01")
    ('jane-doe', 'attendee', 'build-agent-01')
    """
    text = re.sub(r"[^a-z0-9-]+", "-", user.lower())
    text = re.sub(r"^[^a-z]+", "", text)[:MAX_LENGTH].rstrip("-")
    return text if _VALID.match(text) else FALLBACK


@dataclass(frozen=True)
class Namespace:
    """Whose resources a stack sees and touches: the attendee's owner tag and name prefix.

    ``source`` says where the name came from (``TIPSIM_ATTENDEE``, the user name, or given).
    """

    attendee: str
    source: str = "given"

    def __post_init__(self) -> None:
        if not _VALID.match(self.attendee):
            field = ATTENDEE_ENV if self.source == ATTENDEE_ENV else "attendee"
            raise ParameterError(field, self.attendee, ALLOWED)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Namespace:
        """The namespace ``TIPSIM_ATTENDEE`` names, else the one of the user name.

        Raises :class:`ParameterError` naming ``TIPSIM_ATTENDEE`` when it is set but invalid.
        """
        env = os.environ if environ is None else environ
        given = env.get(ATTENDEE_ENV, "").strip()
        if given:
            return cls(given, ATTENDEE_ENV)
        return cls(from_user_name(_user_name()), "user name")

    @property
    def prefix(self) -> str:
        """The stacks' name prefix in this namespace."""
        return self.attendee

    def describe(self) -> str:
        """One line for people: whose resources, and where the name came from."""
        how = {ATTENDEE_ENV: f"from {ATTENDEE_ENV}",
               "user name": f"your user name; set {ATTENDEE_ENV} to choose another"}
        return (f"namespace {self.attendee!r} ({how.get(self.source, self.source)}): "
                f"resources tagged {OWNER_TAG}={self.attendee}, names prefixed {self.prefix}-")


def current() -> Namespace:
    """The namespace of this process (``TIPSIM_ATTENDEE`` or the user name), read now."""
    return Namespace.from_env()
