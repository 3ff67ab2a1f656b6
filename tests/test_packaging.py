"""pyproject.toml and environment.yml list the same runtime dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """Normalised distribution name: no extras, no version, - and _ alike (PEP 503)."""
    name = re.split(r"[\[<>=!~ ;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_runtime() -> set[str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    return {_name(r) for r in data["project"]["dependencies"]}


def environment_runtime() -> set[str]:
    """Conda and pip entries of environment.yml, without python, pip and the kit itself."""
    names: set[str] = set()
    for line in (REPO / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s+([^#\s][^#]*?)\s*(#.*)?$", line)
        if not m or m.group(1).endswith(":"):
            continue
        entry = m.group(1)
        if entry.startswith("-e") or entry in {"conda-forge", "defaults"}:
            continue
        names.add(_name(entry))
    return names - {"python", "pip"}


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject() -> None:
    pp, env = pyproject_runtime(), environment_runtime()
    assert pp == env, f"only in pyproject: {sorted(pp - env)}; only in environment.yml: {sorted(env - pp)}"


def test_the_comparison_would_catch_a_missing_dependency() -> None:
    """The parser really reads names (guards against a check that cannot fail)."""
    env = environment_runtime()
    assert {"simpy", "plotly", "moto", "localstack-client", "boto3"} <= env
    assert _name("moto[server]>=5.1") == "moto"
    assert _name("localstack_client>=2") == "localstack-client"


def test_environment_yml_installs_the_kit_itself() -> None:
    text = (REPO / "environment.yml").read_text()
    assert re.search(r"^\s+- -e \.\s*$", text, re.M)
    assert "conda-forge" in text
