"""Resource instance addresses as Terraform writes them, and lookups that accept both forms.

``aws_instance.example`` names the one instance of a block without ``count``;
``aws_subnet.public[1]`` an instance of a counted block. When ``count`` is added to a block
or taken away, Terraform moves the object between ``x`` and ``x[0]`` by itself (the
"implied move statements" of hashicorp/terraform ``internal/refactoring/
move_statement.go``, ``ImpliedMoveStatements``); :func:`canonical` does the same to the
addresses read back from the emulator's tags, and :class:`Addresses` answers a lookup by
either form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_INSTANCE = re.compile(r"^(?P<block>[a-z0-9_]+\.[A-Za-z0-9_-]+)(?:\[(?P<index>\d+)\])?$")


def make(block: str, index: int | None) -> str:
    """``aws_subnet.public`` + 1 -> ``aws_subnet.public[1]``; + None -> the block itself."""
    return block if index is None else f"{block}[{index}]"


def split(address: str) -> tuple[str, int | None]:
    """``aws_subnet.public[1]`` -> (``aws_subnet.public``, 1); no index -> None."""
    m = _INSTANCE.match(address)
    if not m:
        return address, None
    index = m.group("index")
    return m.group("block"), int(index) if index is not None else None


def canonical(address: str, counted: Mapping[str, bool]) -> str:
    """The address of an instance read back, moved as Terraform's implied moves do."""
    block, index = split(address)
    if block not in counted:
        return address
    if counted[block] and index is None:
        return make(block, 0)
    if not counted[block] and index == 0:
        return block
    return address


def other_form(address: str) -> str | None:
    """The same single instance in the other form (``x`` <-> ``x[0]``), if any."""
    block, index = split(address)
    if index is None and block == address and "." in address:
        return make(block, 0)
    if index == 0:
        return block
    return None


class Addresses(dict[str, Any]):
    """A dict by address that also answers ``x[0]`` for ``x`` and ``x`` for ``x[0]``."""

    def _alias(self, key: str) -> str:
        if not dict.__contains__(self, key):
            alt = other_form(key)
            if alt is not None and dict.__contains__(self, alt):
                return alt
        return key

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(self._alias(key))

    def __contains__(self, key: object) -> bool:
        return super().__contains__(self._alias(key) if isinstance(key, str) else key)

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(self._alias(key), default)
