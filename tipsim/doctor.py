"""``tipsim doctor``: is everything the kit needs in place? A table, and a fix for each failure.

Checks Python, package versions, the AWS emulator (which one, where, which services
answer), the JupyterLab widget extensions, and Chromium for the browser tests. The exit
code is non-zero only when something the kit *needs* is missing; optional pieces
(Chromium, a shared emulator) are reported as warnings.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tipsim.errors import TipsimError

REQUIRED_PACKAGES = ("simpy", "numpy", "pandas", "scipy", "plotly", "ipywidgets", "jupyterlab",
                     "boto3", "moto", "localstack-client", "networkx", "pydantic")
LAB_EXTENSIONS = {
    "@jupyter-widgets/jupyterlab-manager": "pip install -e . in the kit's folder (make lab "
                                           "does it): the widget versions the kit pins",
    # Draws the kit's charts (plotly's mime bundle inside widget panels); ships with plotly.
    "jupyterlab-plotly": "pip install --upgrade plotly",
}


@dataclass
class Check:
    """One line of the doctor's table."""

    name: str
    status: str  # "ok", "warn" or "fail"
    detail: str
    fix: str = ""


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    ver = ".".join(map(str, sys.version_info[:3]))
    return Check("python", "ok" if ok else "fail", f"{ver} at {sys.executable}",
                 "" if ok else "install Python >= 3.11 and re-run `make lab`")


def check_packages() -> list[Check]:
    out = []
    for name in REQUIRED_PACKAGES:
        try:
            out.append(Check(f"package {name}", "ok", version(name)))
        except PackageNotFoundError:
            out.append(Check(f"package {name}", "fail", "not installed",
                             "run `make lab` (or `pip install -e .`) to install the kit"))
    return out


BAD_WIDGETS = "3.0.17"
"""jupyterlab_widgets 3.0.17 (with ipywidgets 8.1.9) waits at most 2 s for a widget's model and
then gives up for good if the kernel's widget state arrived during its last 100 ms wait: on a
busy laptop about 1 Voila page in 5 showed "Error displaying widget: model not found"
(ipywidgets PR 4033; the kit's pyproject.toml keeps it below 3.0.17)."""


def check_widgets() -> Check:
    """Warn about the one jupyterlab_widgets release known to break Voila pages."""
    try:
        found = version("jupyterlab_widgets")
    except PackageNotFoundError:
        return Check("package jupyterlab_widgets", "fail", "not installed",
                     "run `make lab` (or `pip install -e .`) to install the kit")
    if found == BAD_WIDGETS:
        return Check("package jupyterlab_widgets", "warn",
                     f"{found}: Voila pages may show 'model not found' on a busy laptop",
                     'pip install "jupyterlab_widgets<3.0.17" "ipywidgets<8.1.9"')
    return Check("package jupyterlab_widgets", "ok", found)


def check_emulator() -> list[Check]:
    from tipsim.emulator import EmulatorSession, find
    from tipsim.emulator.status import service_counts

    try:
        info = find(allow_embedded=True)
    except TipsimError as exc:
        return [Check("aws emulator", "fail", str(exc).splitlines()[0],
                      "unset AWS_ENDPOINT_URL / LOCALSTACK_HOST, or start `tipsim emulator start`")]
    checks = [Check("aws emulator", "ok", info.describe())]
    if info.kind == "embedded":
        checks.append(Check("shared emulator", "warn",
                            f"{info.note}; notebooks each get their own",
                            "`tipsim emulator start` (make lab does it) to share state"))
    elif info.note:  # the kit's emulator, known by its state file but slow to answer
        checks.append(Check("shared emulator", "warn", info.note,
                            "wait for it, or restart it: `tipsim emulator stop`, then start"))
    counts = service_counts(EmulatorSession(info.endpoint_url, info=info))
    answering = [k for k, v in counts.items() if isinstance(v, int) and k != "ec2_instances"]
    missing = [k for k, v in counts.items() if not isinstance(v, int)]
    status = "ok" if {"ec2", "route53"} <= set(answering) else "fail"
    detail = "answer: " + ", ".join(answering)
    if missing:
        detail += "; simulated only: " + ", ".join(missing)
    checks.append(Check("emulator services", status, detail,
                        "" if status == "ok" else "the emulator must serve EC2 and Route53"))
    return checks


def check_namespace() -> Check:
    """Which attendee namespace the stacks use (``TIPSIM_ATTENDEE``, else the user name);
    on a room's shared emulator (not on this machine) a name left to the user name warns:
    two laptops with the same user name would share one namespace."""
    from urllib.parse import urlsplit

    from tipsim.emulator.guard import is_loopback
    from tipsim.errors import ParameterError
    from tipsim.infra.namespace import ATTENDEE_ENV, Namespace

    try:
        ns = Namespace.from_env()
    except ParameterError as exc:
        return Check("attendee namespace", "fail", exc.line,
                     f"export {ATTENDEE_ENV}=<your name>, e.g. {ATTENDEE_ENV}=alice")
    room = (os.environ.get("AWS_ENDPOINT_URL", "").strip()
            or os.environ.get("LOCALSTACK_HOST", "").strip())
    host = urlsplit(room if "://" in room else f"http://{room}").hostname or ""
    shared = bool(host) and not is_loopback(host)
    if shared and ns.source != ATTENDEE_ENV:
        return Check("attendee namespace", "warn",
                     f"{ns.describe()}; the emulator at {room} is shared by the room",
                     f"export {ATTENDEE_ENV}=<a name unique in the room>")
    return Check("attendee namespace", "ok", ns.describe())


def check_lab_extensions() -> list[Check]:
    from jupyter_core.paths import jupyter_path

    roots = [Path(p) for p in jupyter_path("labextensions")]
    out = []
    for ext, fix in LAB_EXTENSIONS.items():
        found = next((r / ext for r in roots if (r / ext / "package.json").exists()), None)
        if found:
            ver = json.loads((found / "package.json").read_text()).get("version", "")
            out.append(Check(f"lab extension {ext}", "ok", ver))
        else:
            out.append(Check(f"lab extension {ext}", "fail", "not found", fix))
    return out


def check_chromium() -> Check:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return Check("chromium (browser tests)", "ok", path)
    return Check("chromium (browser tests)", "warn", "not found; browser tests will be skipped",
                 "apt-get install -y chromium (make test does it when run as root)")


def run_checks() -> list[Check]:
    """All checks, in the order they are shown."""
    checks = [check_python(), *check_packages(), check_widgets()]
    checks += check_emulator()
    checks.append(check_namespace())
    checks += check_lab_extensions()
    checks.append(check_chromium())
    return checks


def format_table(checks: list[Check]) -> str:
    mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        lines.append(f"{mark[c.status]}  {c.name:<{width}}  {c.detail}")
        if c.fix and c.status != "ok":
            lines.append(f"{'':6}{'':<{width}}  fix: {c.fix}")
    return "\n".join(lines)


def run_doctor(as_json: bool = False) -> int:
    """Print the table (or JSON); return 1 if anything needed failed, else 0."""
    checks = run_checks()
    failed = [c for c in checks if c.status == "fail"]
    if as_json:
        print(json.dumps({"ok": not failed, "checks": [asdict(c) for c in checks]}, indent=2))
    else:
        print(format_table(checks))
        print(f"\n{len(failed)} problem(s) found." if failed else "\nAll set: the kit is ready.")
    return 1 if failed else 0
