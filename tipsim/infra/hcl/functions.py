"""The built-in functions the kit's HCL subset evaluates, with Terraform's semantics.

Each follows the Terraform function of the same name (developer.hashicorp.com/terraform/
language/functions/<name>): ``cidrsubnet("10.128.0.0/24", 4, 0)`` is ``"10.128.0.0/28"``,
``element`` wraps around, ``lookup`` without a default fails on a missing key, ``toset``
orders and de-duplicates, ``coalesce`` skips null and empty strings, ``jsonencode`` sorts
object keys. ``can(expr)`` is evaluated by the evaluator itself (it must catch the error of
its argument). Any other name is refused when a stack is read.

A function whose argument is *known after apply* is unknown itself, except the ones that
only look at the shape of a collection (``length``, ``concat``, ``element``, ``lookup``,
``merge``, ``tolist``), as in Terraform.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tipsim.infra.hcl.values import UNKNOWN, contains_unknown, json_text, to_text, type_name


class FunctionError(ValueError):
    """A function was called with arguments it refuses (the message says why)."""


def _net(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(str(prefix), strict=False)
    except ValueError:
        raise FunctionError(f"invalid CIDR address {prefix!r}") from None


def cidrsubnet(prefix: str, newbits: int, netnum: int) -> str:
    """The ``netnum``-th subnet ``newbits`` longer than ``prefix``.

    >>> cidrsubnet("10.128.0.0/24", 4, 1)
    '10.128.0.16/28'
    """
    net = _net(prefix)
    if net.prefixlen + int(newbits) > net.max_prefixlen:
        raise FunctionError(f"cidrsubnet: {prefix} has no room for {newbits} more bits")
    count = 2 ** int(newbits)
    if not 0 <= int(netnum) < count:
        raise FunctionError(f"cidrsubnet: prefix extension of {newbits} bits does not "
                            f"accommodate subnet number {netnum} (0..{count - 1})")
    size = 2 ** (net.max_prefixlen - net.prefixlen - int(newbits))
    first = ipaddress.ip_address(int(net.network_address) + int(netnum) * size)
    return f"{first}/{net.prefixlen + int(newbits)}"


def cidrhost(prefix: str, hostnum: int) -> str:
    """The ``hostnum``-th address of ``prefix`` (negative numbers count from the end)."""
    net = _net(prefix)
    n = int(hostnum)
    if not -net.num_addresses <= n < net.num_addresses:
        raise FunctionError(f"cidrhost: prefix {prefix} has no host number {hostnum}")
    base = int(net.network_address) + (n if n >= 0 else net.num_addresses + n)
    return str(ipaddress.ip_address(base))


def cidrnetmask(prefix: str) -> str:
    net = _net(prefix)
    if net.version != 4:
        raise FunctionError("cidrnetmask: only IPv4 prefixes have a netmask")
    return str(net.netmask)


def element(items: list[Any], index: int) -> Any:
    if not items:
        raise FunctionError("element: cannot use element function with an empty list")
    return items[int(index) % len(items)]


def length(value: Any) -> int:
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise FunctionError(f"length: a {type_name(value)} has no length")


_MISSING = object()


def lookup(mapping: Mapping[str, Any], key: str, default: Any = _MISSING) -> Any:
    if not isinstance(mapping, Mapping):
        raise FunctionError(f"lookup: the first argument must be a map, not a "
                            f"{type_name(mapping)}")
    if key in mapping:
        return mapping[key]
    if default is _MISSING:
        raise FunctionError(f"lookup: the given key {key!r} does not exist in the map")
    return default


def merge(*maps: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, Mapping):
            raise FunctionError(f"merge: arguments must be maps, not a {type_name(m)}")
        out.update(m)
    return out


def concat(*lists: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in lists:
        if not isinstance(item, list | tuple):
            raise FunctionError(f"concat: arguments must be lists, not a {type_name(item)}")
        out.extend(item)
    return out


_VERB = re.compile(r"%(?P<flags>[-+ #0]*)(?P<width>\d*)(?:\.(?P<prec>\d+))?(?P<verb>[%sdvqtfb])")


def format_(spec: str, *args: Any) -> str:
    """Terraform's ``format`` for the verbs ``%s %d %v %q %t %f %b %%`` (with width)."""
    values = list(args)

    def verb(m: re.Match[str]) -> str:
        kind = m.group("verb")
        if kind == "%":
            return "%"
        if not values:
            raise FunctionError(f"format: not enough arguments for {spec!r}")
        v = values.pop(0)
        if kind in "sv":
            text = to_text(v) if not isinstance(v, list | dict) else json_text(v)
        elif kind == "q":
            text = '"' + to_text(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
        elif kind == "t":
            text = to_text(bool(v))
        elif kind == "d":
            text = str(int(v))
        elif kind == "b":
            text = format(int(v), "b")
        else:
            text = f"{float(v):.{int(m.group('prec') or 6)}f}"
        width, flags = int(m.group("width") or 0), m.group("flags")
        if "-" in flags:
            return text.ljust(width)
        return text.rjust(width, "0" if "0" in flags and kind in "dbf" else " ")

    return _VERB.sub(verb, spec)


def tolist(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise FunctionError(f"tolist: cannot convert a {type_name(value)} to a list")
    return list(value)


def toset(value: Any) -> list[Any]:
    """A set as Terraform orders one of strings or numbers: sorted, without duplicates."""
    items = tolist(value)
    try:
        return sorted(set(items), key=lambda v: (isinstance(v, str), v))
    except TypeError:
        raise FunctionError("toset: elements must be strings, numbers or bools") from None


def tonumber(value: Any) -> int | float:
    if isinstance(value, bool):
        raise FunctionError("tonumber: a bool is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FunctionError(f"tonumber: cannot convert {value!r} to a number") from None
    return int(number) if number.is_integer() else number


def regex(pattern: str, text: str) -> Any:
    m = re.search(pattern, str(text))
    if m is None:
        raise FunctionError(f"regex: pattern {pattern!r} did not match {text!r}")
    if m.re.groupindex:
        return m.groupdict()
    return list(m.groups()) if m.re.groups else m.group(0)


def coalesce(*values: Any) -> Any:
    for v in values:
        if v is not None and v != "":
            return v
    raise FunctionError("coalesce: no non-null, non-empty-string arguments")


@dataclass(frozen=True)
class Function:
    """A built-in: its code and whether every part of its arguments must be known."""

    call: Callable[..., Any]
    needs_known: bool = True


FUNCTIONS: dict[str, Function] = {
    "cidrsubnet": Function(cidrsubnet),
    "cidrhost": Function(cidrhost),
    "cidrnetmask": Function(cidrnetmask),
    "element": Function(element, needs_known=False),
    "length": Function(length, needs_known=False),
    "lookup": Function(lookup, needs_known=False),
    "merge": Function(merge, needs_known=False),
    "concat": Function(concat, needs_known=False),
    "format": Function(format_),
    "tolist": Function(tolist, needs_known=False),
    "toset": Function(toset),
    "tonumber": Function(tonumber),
    "tostring": Function(to_text),
    "jsonencode": Function(json_text),
    "lower": Function(lambda s: to_text(s).lower()),
    "upper": Function(lambda s: to_text(s).upper()),
    "join": Function(lambda sep, items: to_text(sep).join(to_text(i) for i in items)),
    "split": Function(lambda sep, s: to_text(s).split(to_text(sep))),
    "regex": Function(regex),
    "coalesce": Function(coalesce),
    "min": Function(lambda *xs: min(xs)),
    "max": Function(lambda *xs: max(xs)),
    "floor": Function(lambda x: math.floor(x)),
    "ceil": Function(lambda x: math.ceil(x)),
    "abs": Function(abs),
    "contains": Function(lambda items, v: v in items),
    "keys": Function(lambda m: sorted(m)),
    "values": Function(lambda m: [m[k] for k in sorted(m)]),
}
SPECIAL = frozenset({"can"})  # evaluated by the evaluator: it catches its argument's error


def call(name: str, args: list[Any]) -> Any:
    """Call the built-in ``name``; unknown arguments make an unknown result (see above)."""
    fn = FUNCTIONS[name]
    if any(a is UNKNOWN for a in args) or (fn.needs_known and contains_unknown(args)):
        return UNKNOWN
    try:
        return fn.call(*args)
    except FunctionError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
        raise FunctionError(f"{name}: {exc}") from None
