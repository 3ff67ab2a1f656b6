"""The house's layering, checked: what each layer may import, what notebooks may reach, and
rooms small enough to hold one idea (import-linter checks the package's own layers)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_SIM = ("boto3", "botocore", "plotly", "ipywidgets", "moto")


def _sim_modules() -> list[str]:
    sim = REPO / "tipsim" / "sim"
    return sorted("tipsim.sim." + ".".join(p.relative_to(sim).with_suffix("").parts)
                  for p in sim.rglob("*.py") if p.stem != "__init__")


def test_importing_every_sim_module_loads_no_aws_or_plotting_library() -> None:
    modules = _sim_modules()
    assert {"tipsim.sim.rng", "tipsim.sim.web.dns", "tipsim.sim.k8s.scheduler",
            "tipsim.sim.data_lake.faas"} <= set(modules)
    code = (
        "import sys, importlib\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = [m for m in {FORBIDDEN_IN_SIM!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"tipsim.sim imports {out.stdout.strip()}"


def test_importing_tipsim_is_cheap() -> None:
    out = subprocess.run([sys.executable, "-c", "import sys, tipsim, tipsim.params, tipsim.errors;"
                          "print(sorted(m for m in ('boto3','plotly','pandas','moto') if m in sys.modules))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_only_the_emulator_package_builds_boto3_sessions() -> None:
    offenders = []
    for path in (REPO / "tipsim").rglob("*.py"):
        if "emulator" in path.parts:
            continue
        text = path.read_text()
        if "boto3.client(" in text or "boto3.Session(" in text or "boto3.session.Session(" in text:
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


NOTEBOOK_FORBIDDEN = re.compile(
    r"^\s*(from|import)\s+(tipsim\.(infra|sim|analysis|emulator|doctor)|simpy)\b", re.M)


def test_notebooks_reach_only_scenarios_widgets_and_charts() -> None:
    """Issue 9: notebooks are thin; the logic lives in tipsim.scenarios, shown by widgets
    and viz. No notebook imports the layers below, nor simpy."""
    offenders = {p.name: NOTEBOOK_FORBIDDEN.findall(p.read_text())
                 for p in sorted((REPO / "notebooks").glob("*.py"))}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_module_holds_more_than_350_lines() -> None:
    big = {str(p.relative_to(REPO)): n for p in (REPO / "tipsim").rglob("*.py")
           if (n := len(p.read_text().splitlines())) > 350}
    assert big == {}


def test_widgets_take_ranges_only_from_fields() -> None:
    """Only widgets/controls.py writes a numeric min=/max=: every other panel builds its
    controls from the parameter's one definition."""
    literal = re.compile(r"\b(min|max)\s*=\s*-?\d")
    offenders = [f"{p.name}:{i}" for p in (REPO / "tipsim" / "widgets").glob("*.py")
                 if p.name != "controls.py"
                 for i, line in enumerate(p.read_text().splitlines(), 1) if literal.search(line)]
    assert offenders == []
