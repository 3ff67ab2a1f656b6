"""Turn a resource block into the attributes one instance wants, in a :class:`Scope`.

Arguments become values; nested blocks (``ingress { }``, ``alias { }``) become lists of
objects, as ``terraform show -json`` writes them. ``tags`` and ``labels`` are maps of
strings in every AWS resource, so their values are converted the way Terraform converts
``true`` to ``"true"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tipsim.infra.hcl.config import Body, Config
from tipsim.infra.hcl.evaluate import Evaluator, Instances, Scope
from tipsim.infra.hcl.values import UNKNOWN, to_text

STRING_MAPS = ("tags", "labels")


def body_value(body: Body, scope: Scope) -> dict[str, Any]:
    """The value of every argument and nested block of ``body``."""
    out: dict[str, Any] = {k: Evaluator(scope, e.file).value(e.tree)
                           for k, e in body.attributes.items()}
    for kind, nested in body.blocks:
        out.setdefault(kind, []).append(body_value(nested, scope))
    for key in STRING_MAPS:
        if isinstance(out.get(key), Mapping):
            out[key] = {str(k): (v if v is UNKNOWN else to_text(v))
                        for k, v in out[key].items()}
    return out


def scope_for(config: Config, variables: Mapping[str, Any], data: Mapping[str, Any],
              view: Mapping[str, Instances], index: int | None = None) -> Scope:
    """What an instance's expressions see."""
    return Scope(variables=variables,
                 locals={k: (e.tree, e.file) for k, e in config.locals.items()},
                 data=data, resources=view, index=index)


def planned(n: int, counted: bool, values: list[Mapping[str, Any]] | None = None) -> Instances:
    """``n`` instances still to be made (every attribute they do not set is unknown)."""
    return Instances(counted, list(values or [{} for _ in range(n)]), [True] * n)
