"""Print a plan the way ``terraform plan`` does, and as ``terraform show -json`` writes it.

The text follows hashicorp/terraform ``internal/command/jsonformat/plan.go``
(``renderHuman``, ``resourceChangeComment``: ``# aws_instance.example must be replaced``,
``will be created``, ``will be updated in-place``, ``will be destroyed``; the summary
``Plan: N to add, M to change, K to destroy.``, where a replacement counts once in each of
add and destroy), ``internal/command/format/diff.go`` (``DiffActionSymbol``: ``  +``,
``  ~``, ``  -``, ``-/+``) and ``internal/command/jsonformat/computed/renderers``
(attributes aligned by name, ``# forces replacement``, ``(known after apply)``,
``-> null``, ``# (N unchanged attributes hidden)``; nested blocks as ``name { ... }``).
The JSON follows "JSON Output Format" (developer.hashicorp.com/terraform/internals/
json-format): ``address``, ``mode``, ``type``, ``name``, ``index``, ``change.actions``
(``["delete", "create"]`` for a replacement), ``before``, ``after``, ``after_unknown``,
``replace_paths`` and ``action_reason``. What Terraform has no word for, resources the
emulator cannot hold (simulated only), is listed after the plan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tipsim.infra.hcl.values import UNKNOWN, number_text, unknown_mask, without_unknown
from tipsim.infra.registry import HANDLERS

if TYPE_CHECKING:
    from tipsim.infra.plan import Change, Plan

SYMBOL = {"create": "  +", "update": "  ~", "delete": "  -", "replace": "-/+", "no-op": "   "}
HEADER = {"create": "will be created", "update": "will be updated in-place",
          "replace": "must be replaced", "delete": "will be destroyed"}
LEGEND = {"create": "  + create", "update": "  ~ update in-place", "delete": "  - destroy",
          "replace": "-/+ destroy and then create replacement"}
ACTIONS = {"create": ["create"], "update": ["update"], "delete": ["delete"],
           "replace": ["delete", "create"], "no-op": ["no-op"]}
DELETE_WHY = {"delete_because_no_resource_config": "because {block} is not in configuration",
              "delete_because_count_index": "because index [{index}] is out of range for count"}
PROVIDER = "registry.terraform.io/hashicorp/aws"
IMPORTANT = ("id", "name", "tags")


def _pad(indent: int) -> str:
    return "    " * indent


def _scalar(value: Any) -> str:
    if value is UNKNOWN:
        return "(known after apply)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    return json.dumps(str(value), ensure_ascii=False)


def _value(value: Any, sym: str, indent: int) -> str:
    """A value whose every part has the action ``sym`` (a creation or a destruction)."""
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        width = max(len(json.dumps(str(k))) for k in value)
        lines = [f"{_pad(indent + 1)}{sym} {json.dumps(str(k)):<{width}} = "
                 f"{_value(v, sym, indent + 1)}" for k, v in sorted(value.items())]
        return "{\n" + "\n".join(lines) + f"\n{_pad(indent)}    }}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        lines = [f"{_pad(indent + 1)}{sym} {_value(v, sym, indent + 1)}," for v in value]
        return "[\n" + "\n".join(lines) + f"\n{_pad(indent)}    ]"
    return _scalar(value)


def _is_blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping)
                                                          for v in value)


def _block_lines(name: str, items: list[Mapping[str, Any]], sym: str, indent: int) -> list[str]:
    out = []
    for item in items:
        body = _attributes({k: (sym, None if sym.strip() == "+" else v,
                                v if sym.strip() != "-" else None) for k, v in item.items()},
                           indent + 1, set())
        out.append(f"{_pad(indent)}{sym} {name} {{\n{body}\n{_pad(indent)}    }}")
    return out


def _attributes(rows: Mapping[str, tuple[str, Any, Any]], indent: int, forced: set[str],
                hidden: int = 0) -> str:
    """Rows ``name -> (symbol, before, after)`` as Terraform's block renderer writes them."""
    plain = {k: r for k, r in rows.items() if not (_is_blocks(r[2]) or _is_blocks(r[1]))}
    width = max((len(k) for k in plain), default=0)
    lines = []
    for key in sorted(plain):
        sym, before, after = plain[key]
        force = " # forces replacement" if key in forced else ""
        if sym.strip() == "~":
            if isinstance(before, Mapping) and isinstance(after, Mapping):
                text = _map_diff(before, after, indent)
            elif isinstance(before, list) and isinstance(after, list) and after is not UNKNOWN:
                text = _list_diff(before, after, indent)
            else:
                text = f"{_value(before, '  -', indent)} -> {_value(after, '  +', indent)}"
        elif sym.strip() == "-":
            text = f"{_value(before, sym, indent)} -> null"
        else:
            text = _value(after, sym, indent)
        lines.append(f"{_pad(indent)}{sym} {key:<{width}} = {text}{force}")
    if hidden:
        noun = "attribute" if hidden == 1 else "attributes"
        lines.append(f"{_pad(indent)}    # ({hidden} unchanged {noun} hidden)")
    for key in sorted(set(rows) - set(plain)):
        sym, before, after = rows[key]
        if sym.strip() == "~":
            gone = [b for b in before or [] if b not in (after or [])]
            new = [a for a in after or [] if a not in (before or [])]
            lines += _block_lines(key, gone, "  -", indent) + _block_lines(key, new, "  +",
                                                                             indent)
        else:
            lines += _block_lines(key, after if sym.strip() == "+" else before, sym, indent)
    return "\n".join(lines)


def _map_diff(before: Mapping[str, Any], after: Mapping[str, Any], indent: int) -> str:
    keys = sorted(set(before) | set(after))
    width = max(len(json.dumps(str(k))) for k in keys)
    lines, same = [], 0
    for k in keys:
        name = f"{json.dumps(str(k)):<{width}}"
        if k not in after:
            lines.append(f"{_pad(indent + 1)}  - {name} = {_scalar(before[k])} -> null")
        elif k not in before:
            lines.append(f"{_pad(indent + 1)}  + {name} = {_scalar(after[k])}")
        elif before[k] != after[k]:
            lines.append(f"{_pad(indent + 1)}  ~ {name} = {_scalar(before[k])} -> "
                         f"{_scalar(after[k])}")
        else:
            same += 1
    if same:
        lines.append(f"{_pad(indent + 1)}    # ({same} unchanged element"
                     f"{'' if same == 1 else 's'} hidden)")
    return "{\n" + "\n".join(lines) + f"\n{_pad(indent)}    }}"


def _list_diff(before: list[Any], after: list[Any], indent: int) -> str:
    lines = [f"{_pad(indent + 1)}  - {_value(b, '  -', indent + 1)}," for b in before
             if b not in after]
    lines += [f"{_pad(indent + 1)}  + {_value(a, '  +', indent + 1)}," for a in after
              if a not in before]
    same = sum(1 for b in before if b in after)
    if same:
        lines.append(f"{_pad(indent + 1)}    # ({same} unchanged element"
                     f"{'' if same == 1 else 's'} hidden)")
    return "[\n" + "\n".join(lines) + f"\n{_pad(indent)}    ]"


def _visible(attrs: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (attrs or {}).items() if not str(k).startswith("_")}


def render_change(c: Change) -> str:
    """One resource's change: the comment line, then ``resource "TYPE" "NAME" { ... }``."""
    type_name, name = c.block.split(".", 1)
    head = f"  # {c.address} {HEADER[c.action]}"
    if c.action == "delete" and c.action_reason in DELETE_WHY:
        head += "\n  # (" + DELETE_WHY[c.action_reason].format(block=c.block,
                                                             index=c.index) + ")"
    before, after = _visible(c.before), _visible(c.after)
    rows: dict[str, tuple[str, Any, Any]] = {}
    hidden = 0
    if c.action == "create":
        rows = {k: ("  +", None, v) for k, v in after.items()}
    elif c.action == "delete":
        rows = {k: ("  -", v, None) for k, v in before.items()}
    else:
        computed = set(HANDLERS[c.type].reference_keys) if c.action == "replace" else set()
        for k in sorted(set(before) | set(after)):
            b, a = before.get(k), after.get(k, UNKNOWN if k in computed else None)
            if k in c.changed or (k in computed and a is UNKNOWN):
                rows[k] = ("  ~", b, a)
            elif k in IMPORTANT and k in before:
                rows[k] = ("   ", b, b)
            elif k in after or k in before:
                hidden += 1
    body = _attributes(rows, 1, set(c.forced), hidden)
    return (f"{head}\n{SYMBOL[c.action]} resource \"{type_name}\" \"{name}\" {{\n"
            f"{body}\n    }}")


def render_plan(plan: Plan) -> str:
    """The whole plan, as ``terraform plan`` prints it."""
    changing = sorted((c for c in plan.changes if c.action in HEADER), key=lambda c: c.address)
    out: list[str] = [f"emulator: {plan.capabilities.emulator}", ""]
    if not changing:
        out.append("No changes. Your infrastructure matches the configuration.")
    else:
        out.append("Resource actions are indicated with the following symbols:")
        present = {c.action for c in changing}
        out += [LEGEND[a] for a in ("create", "update", "delete", "replace") if a in present]
        out += ["", "tipsim will perform the following actions:"]
        for c in changing:
            out += ["", render_change(c)]
        add, change, destroy = plan.terraform_counts()
        out += ["", f"Plan: {add} to add, {change} to change, {destroy} to destroy."]
    skipped = [c for c in plan.changes if c.action == "skip"]
    if skipped:
        out += ["", "Simulated only (this emulator cannot hold them; the simulation models "
                    "them):"]
        out += [f"  ! {c.address}: {c.reason}" for c in skipped]
    return "\n".join(out)


def resource_change(c: Change) -> dict[str, Any]:
    """One entry of ``resource_changes``, in ``terraform show -json``'s shape."""
    type_name, name = c.block.split(".", 1)
    before = _visible(c.before) if c.action != "create" else None
    after = _visible(c.after) if c.action != "delete" else None
    change: dict[str, Any] = {
        "actions": ACTIONS[c.action], "before": before,
        "after": without_unknown(after) if after is not None else None,
        "after_unknown": unknown_mask(after) if after is not None else {},
        "before_sensitive": {} if before is not None else False,
        "after_sensitive": {} if after is not None else False}
    if c.forced:
        change["replace_paths"] = [[k] for k in c.forced]
    out: dict[str, Any] = {"address": c.address, "mode": "managed", "type": type_name,
                           "name": name}
    if c.index is not None:
        out["index"] = c.index
    out.update(provider_name=PROVIDER, change=change)
    if c.action_reason:
        out["action_reason"] = c.action_reason
    out["tipsim"] = {"action": c.action, "changed": list(c.changed), "reason": c.reason,
                     "depends_on": list(c.depends_on)}
    return out
