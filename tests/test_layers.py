"""The house's layering: simulation code never imports boto3, plotly or ipywidgets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_SIM = ("boto3", "botocore", "plotly", "ipywidgets", "moto")


def _sim_modules() -> list[str]:
    return sorted(f"tipsim.sim.{p.stem}" for p in (REPO / "tipsim" / "sim").glob("*.py")
                  if p.stem != "__init__")


def test_importing_every_sim_module_loads_no_aws_or_plotting_library() -> None:
    modules = _sim_modules()
    assert "tipsim.sim.rng" in modules
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
