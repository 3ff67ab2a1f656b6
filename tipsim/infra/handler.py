"""What every resource type handler knows: read what a stack owns, create, update, delete.

One handler per resource TYPE (not per resource): ``aws_instance`` knows how to run,
read back and terminate any instance, and which attributes force a replacement
(a new image: destroy, then create). Ownership is by tags, never by guesswork:

* taggable resources carry ``tipsim:stack`` (the stack name), ``tipsim:owner`` (the
  attendee's namespace, :mod:`tipsim.infra.namespace`) and ``tipsim:address``
  (e.g. ``aws_instance.example:0`` for ``aws_instance.example[0]``: S3, IAM, Lambda,
  Route53 and ELB allow only letters, digits, spaces and ``_ . : / = + - @`` in tag
  values, and LocalStack's S3 refuses brackets), set in the create call itself where
  the API allows;
* resources AWS cannot tag (route table associations, DNS records, event source
  mappings) are owned through a tagged parent (the route table, the zone, the
  function), which records their address under ``tipsim:child:<id>``. A child found
  in an owned parent without that record is still reported, as ``<type>.orphan[...]``,
  and deleted by the next apply or destroy.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from botocore.exceptions import ClientError

STACK_TAG = "tipsim:stack"
OWNER_TAG = "tipsim:owner"
ADDRESS_TAG = "tipsim:address"
CHILD_TAG_PREFIX = "tipsim:child:"


@dataclass
class Actual:
    """A resource as read back from the emulator."""

    address: str
    type: str
    id: str
    attrs: dict[str, Any]
    parent_id: str = ""  # for untaggable children: the owning parent's id

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "type": self.type, "id": self.id, "attrs": self.attrs}


@dataclass
class Context:
    """Clients (made once per service), the stack name and its owner, for handlers.

    ``owner`` is the attendee's namespace: a stack owns what carries both its name and
    this owner in its tags, so two attendees on one emulator never see each other's.
    """

    session: Any
    stack: str
    owner: str
    region: str = "us-east-2"
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, name: str) -> Any:
        if name not in self._clients:
            self._clients[name] = self.session.client(name)
        return self._clients[name]

    @property
    def key(self) -> str:
        """``owner/stack``: where a single string must say whose stack (a zone's reference)."""
        return f"{self.owner}/{self.stack}"

    def owner_tags(self, address: str) -> dict[str, str]:
        return {STACK_TAG: self.stack, OWNER_TAG: self.owner, ADDRESS_TAG: address_tag(address)}


_INSTANCE = re.compile(r"^(?P<block>[a-z0-9_]+\.[A-Za-z0-9_-]+)\[(?P<index>\d+)\]$")
_TAGGED = re.compile(r"^(?P<block>[a-z0-9_]+\.[A-Za-z0-9_-]+):(?P<index>\d+)$")


def address_tag(address: str) -> str:
    """An address as a tag value every AWS service accepts: ``type.name[0]`` -> ``type.name:0``.

    >>> address_tag("aws_s3_bucket.lake[0]")
    'aws_s3_bucket.lake:0'
    """
    m = _INSTANCE.match(address)
    return f"{m.group('block')}:{m.group('index')}" if m else address


def decode_address(value: str) -> str:
    """The address back from a tag value (the bracket form, as older kits wrote it, too).

    >>> decode_address("aws_s3_bucket.lake:0"), decode_address("aws_vpc.app_vpc[1]")
    ('aws_s3_bucket.lake[0]', 'aws_vpc.app_vpc[1]')
    """
    m = _TAGGED.match(value or "")
    return f"{m.group('block')}[{m.group('index')}]" if m else (value or "")


def address_of(tags: Mapping[str, str]) -> str:
    """The address an owned resource's tags record ("" when none)."""
    return decode_address(tags.get(ADDRESS_TAG, ""))


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """``{"k": "v"}`` -> ``[{"Key": "k", "Value": "v"}]`` (the EC2/ELB form)."""
    return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]


def tag_dict(tags: list[Mapping[str, str]] | None) -> dict[str, str]:
    """``[{"Key": "k", "Value": "v"}]`` -> ``{"k": "v"}``."""
    return {t["Key"]: t.get("Value", "") for t in tags or []}


def user_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags without the kit's ownership keys."""
    return {k: v for k, v in tags.items() if not k.startswith("tipsim:")}


def child_key(child_id: str) -> str:
    """Parent tag key that records an untaggable child's address (short, stable)."""
    return CHILD_TAG_PREFIX + hashlib.sha1(child_id.encode()).hexdigest()[:16]


def orphan_address(type_name: str, child_id: str) -> str:
    return f'{type_name}.orphan["{child_id}"]'


def child_address(tags: Mapping[str, str], type_name: str, child_id: str) -> str:
    """The address a parent's ``tags`` record for its untaggable child ``child_id`` (an
    orphan's address when they record none)."""
    return (decode_address(tags.get(child_key(child_id), ""))
            or orphan_address(type_name, child_id))


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def http_status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


class Handler:
    """Base class of resource-type handlers.

    Class attributes
    ----------------
    type_name
        Resource type, e.g. ``aws_vpc``.
    service
        Capability the emulator must offer (``ec2``, ``elb``, ``eks``...) to create,
        update or delete the resource. Without it the engine never calls the handler:
        the plan reports the resource as simulated only.
    read_service
        Capability needed to *read* what the stack owns (default: ``service``). Differs
        for a resource read through its parent of another service (a Lambda's event
        source mappings are listed through Lambda, even where Kafka is missing).
    force_new
        Attributes whose change needs destroy-then-create.
    updatable
        Attributes changed in place. Attributes in neither set are not compared.
    delete_rank
        Higher ranks are deleted first (DNS records before load balancers before
        instances before subnets before VPCs).
    reference_keys
        Attributes other resources may point at (``id``, ``arn``, ``dns_name``...):
        the inventory draws an edge wherever one resource holds another's value.
    """

    type_name: ClassVar[str] = ""
    service: ClassVar[str] = "ec2"
    read_service: ClassVar[str] = ""  # "" means the same as ``service``
    force_new: ClassVar[frozenset[str]] = frozenset()
    updatable: ClassVar[frozenset[str]] = frozenset()
    delete_rank: ClassVar[int] = 0
    reference_keys: ClassVar[tuple[str, ...]] = ("id",)
    label_key: ClassVar[str] = "id"  # shown on graph nodes

    # ----------------------------------------------------------- to implement
    def read_owned(self, ctx: Context) -> list[Actual]:
        """Every resource of this type the stack owns, read back from the emulator."""
        raise NotImplementedError

    def create(self, ctx: Context, address: str, attrs: dict[str, Any]) -> Actual:
        raise NotImplementedError

    def update(self, ctx: Context, actual: Actual, attrs: dict[str, Any],
               changed: set[str]) -> Actual:
        raise NotImplementedError(f"{self.type_name} has no in-place update")

    def delete(self, ctx: Context, actual: Actual) -> None:
        raise NotImplementedError

    # ----------------------------------------------------------- shared
    @property
    def reads_with(self) -> str:
        """The capability :meth:`read_owned` calls (``read_service`` or ``service``)."""
        return self.read_service or self.service

    unordered_keys: tuple[str, ...] = ()
    """List attributes whose order means nothing to AWS (ids, subnets): compared sorted."""
    count_keys: tuple[str, ...] = ()
    """Whole-number attributes that may arrive as strings or floats: compared as ``int``."""

    def normalize(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        """Put desired and actual attributes in one comparable form: the lists of
        :attr:`unordered_keys` sorted, the values of :attr:`count_keys` as ``int``. Handlers
        with more to align call this first."""
        out = dict(attrs)
        for key in self.unordered_keys:
            if isinstance(out.get(key), list):
                out[key] = sorted(out[key])
        for key in self.count_keys:
            if out.get(key) is not None:
                out[key] = int(out[key])
        return out

    def differences(self, desired: Mapping[str, Any], actual: Mapping[str, Any]) -> set[str]:
        """Names of compared attributes whose desired value differs from the actual one."""
        from tipsim.infra.hcl.values import contains_unknown

        want = self.normalize(desired)
        have = self.normalize(actual)
        changed = set()
        for key in (self.force_new | self.updatable) & set(want):
            if contains_unknown(want[key]) or want[key] != have.get(key):
                changed.add(key)
        return changed


def owned_by(tags: Mapping[str, str], ctx: Context) -> bool:
    """True when a resource's tags say it belongs to this context's stack and owner."""
    return tags.get(STACK_TAG) == ctx.stack and tags.get(OWNER_TAG) == ctx.owner
