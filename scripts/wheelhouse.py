"""``make wheelhouse``: every wheel the kit needs in ``wheelhouse/``, to install with no network.

A workshop host runs it once on good Wi-Fi and hands the folder out on a USB stick;
``make lab`` / ``make test`` then install from it with ``--no-index`` (see the Makefile).

    python scripts/wheelhouse.py [--dest wheelhouse] [--platforms "P1 P2"] [--pythons "3.11 3.12"]

With no platform and no Python it downloads for this machine and this interpreter; a
platform is a wheel platform tag (``macosx_11_0_arm64``, ``manylinux2014_x86_64``,
``win_amd64``), a Python a version (``3.12``). What it downloads: the runtime dependencies
and the ``test`` extra from ``pyproject.toml``, the build backend (``build-system.requires``,
so ``pip install -e .`` builds offline) and pip itself.

Why more than one ``pip download``: for another platform, ``pip download --platform`` picks
the right wheels but evaluates environment markers for *this* machine
(https://github.com/pypa/pip/issues/5453), so a macOS wheelhouse made on Linux would lack
``appnope`` (``ipykernel``: ``platform_system == "Darwin"``) and a Windows one ``pywinpty``
and ``tzdata``. After each download the script reads every wheel's ``Requires-Dist``,
evaluates the markers for the target, and downloads what is still missing, until nothing is.

The download uses pip as configured on this machine (indexes, find-links); the installs in
the Makefile ignore every pip configuration and use only the wheelhouse.
"""

from __future__ import annotations

import argparse
import email.parser
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

try:
    from packaging import tags
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name, parse_wheel_filename
except ImportError:  # a bare interpreter: pip carries the same library
    from pip._vendor.packaging import tags  # type: ignore[no-redef]
    from pip._vendor.packaging.markers import default_environment  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import (  # type: ignore[no-redef]
        canonicalize_name,
        parse_wheel_filename,
    )

REPO = Path(__file__).resolve().parents[1]
EXTRAS = ("test",)
MAX_ROUNDS = 6
_NOT_FOUND = re.compile(r"No matching distribution found for (\S+)")
_MANYLINUX_LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


@dataclass(frozen=True)
class Target:
    """A platform tag and a Python version to download for (None: this machine's)."""

    platform: str | None
    python: str | None

    def describe(self) -> str:
        return (f"{self.platform or 'this platform'} / Python "
                f"{self.python or '.'.join(map(str, sys.version_info[:2]))}")

    def pip_args(self) -> list[str]:
        args = []
        if self.platform:
            args += ["--platform", self.platform]
        if self.python:
            args += ["--python-version", self.python, "--implementation", "cp"]
        return args

    def environment(self) -> dict[str, str]:
        """Marker environment of the target (PEP 508), from this machine's for what is the same."""
        env = dict(default_environment())
        if self.python:
            env.update(python_version=self.python, python_full_version=f"{self.python}.0",
                       implementation_name="cpython", platform_python_implementation="CPython")
        if self.platform:
            p = self.platform
            machine = p.rsplit("_", 1)[-1] if "_" in p else p
            if p.startswith("macosx"):
                env.update(sys_platform="darwin", platform_system="Darwin", os_name="posix",
                           platform_machine=machine)
            elif p.startswith("win"):
                env.update(sys_platform="win32", platform_system="Windows", os_name="nt",
                           platform_machine={"win32": "x86", "win_amd64": "AMD64",
                                             "win_arm64": "ARM64"}.get(p, "AMD64"))
            else:
                env.update(sys_platform="linux", platform_system="Linux", os_name="posix",
                           platform_machine=machine)
        return env

    def supported_tags(self) -> set[tags.Tag]:
        """Wheel tags the target installs (to tell which wheels in the folder are for it)."""
        if not self.platform and not self.python:
            return set(tags.sys_tags())
        version = tuple(int(x) for x in (self.python or
                                         f"{sys.version_info[0]}.{sys.version_info[1]}").split("."))
        platforms = expand_platform(self.platform) if self.platform else None
        return (set(tags.cpython_tags(version, platforms=platforms))
                | set(tags.compatible_tags(version, platforms=platforms)))


def expand_platform(platform: str) -> list[str]:
    """The platform tags a wheel may carry to install on ``platform`` (as pip expands them)."""
    m = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", platform)
    if m:
        return list(tags.mac_platforms((int(m.group(1)), int(m.group(2))), m.group(3)))
    m = re.fullmatch(r"(manylinux\d+|manylinux_(\d+)_(\d+))_(\w+)", platform)
    if m:
        arch = m.group(4)
        glibc = (_MANYLINUX_LEGACY[m.group(1)] if m.group(1) in _MANYLINUX_LEGACY
                 else (int(m.group(2)), int(m.group(3))))
        out = [f"manylinux_{glibc[0]}_{minor}_{arch}" for minor in range(glibc[1], 4, -1)]
        out += [f"{legacy}_{arch}" for legacy, v in _MANYLINUX_LEGACY.items() if v <= glibc]
        return out + [f"linux_{arch}"]
    return [platform]


def requirements(extras: Iterable[str] = EXTRAS) -> list[str]:
    """What the kit installs: runtime, the extras, the build backend and pip."""
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    name = canonicalize_name(data["project"]["name"])
    reqs = list(data["project"]["dependencies"])
    for extra in extras:
        reqs += data["project"]["optional-dependencies"][extra]
    reqs += data["build-system"]["requires"] + ["pip"]
    return [r for r in reqs if canonicalize_name(Requirement(r).name) != name]


def wheels_for(dest: Path, target: Target) -> dict[str, Path]:
    """The wheels in ``dest`` that install on ``target``, by project name."""
    supported = target.supported_tags()
    out = {}
    for path in sorted(dest.glob("*.whl")):
        name, _, _, wheel_tags = parse_wheel_filename(path.name)
        if wheel_tags & supported:
            out[canonicalize_name(name)] = path
    return out


def requires_dist(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.BytesParser().parsebytes(zf.read(meta_name), headersonly=True)
    return meta.get_all("Requires-Dist") or []


def missing(dest: Path, target: Target, top: list[str]) -> list[str]:
    """Requirements that apply on ``target`` and have no wheel for it in ``dest``."""
    env = target.environment()
    have = wheels_for(dest, target)
    wanted: dict[str, Requirement] = {}
    extras: dict[str, set[str]] = {}
    queue = [Requirement(r) for r in top]
    while queue:
        req = queue.pop()
        name = canonicalize_name(req.name)
        extras.setdefault(name, set())
        new_extras = set(req.extras) - extras[name]
        if name in wanted and not new_extras:
            continue
        wanted.setdefault(name, req)
        extras[name] |= new_extras
        if name not in have:
            continue
        for line in requires_dist(have[name]):
            dep = Requirement(line)
            if dep.marker is None or any(dep.marker.evaluate({**env, "extra": e})
                                         for e in extras[name] | {""}):
                queue.append(dep)
    return sorted(str(wanted[n]).split(";")[0] for n in wanted if n not in have)


def download(reqs: list[str], dest: Path, target: Target) -> None:
    """``pip download`` wheels only; a project that publishes no wheel at all gets one built
    here from its source, if it is pure Python (then it installs anywhere)."""
    for _ in range(MAX_ROUNDS * 4):
        cmd = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--dest",
               str(dest), "--find-links", str(dest), "--disable-pip-version-check", "--quiet",
               *target.pip_args(), *reqs]
        done = subprocess.run(cmd, capture_output=True, text=True)  # noqa: S603
        if done.returncode == 0:
            return
        no_wheel = _NOT_FOUND.search(done.stderr)
        if no_wheel is not None and build_pure_wheel(no_wheel.group(1), dest):
            continue
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        hint = ""
        if no_wheel is not None and target.platform:
            hint = (f": {no_wheel.group(1)} has no wheel for {target.platform}; its wheels may "
                    "need a newer platform (macosx_14_0_arm64 / macosx_14_0_x86_64 for recent "
                    "macOS, manylinux_2_28_x86_64 for recent Linux)")
        raise SystemExit(f"[wheelhouse] {target.describe()}: pip download failed{hint}")
    raise SystemExit(f"[wheelhouse] {target.describe()}: too many projects without wheels")


def build_pure_wheel(requirement: str, dest: Path) -> bool:
    """Build ``requirement`` (no dependencies) from its source into ``dest``; False if it
    does not build or is not pure Python (a platform wheel built here fits only here)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",  # noqa: S603
                               "--disable-pip-version-check", "--wheel-dir", tmp, requirement],
                              capture_output=True, text=True)
        built = list(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or len(built) != 1:
            return False
        wheel_tags = parse_wheel_filename(built[0].name)[3]
        if any(t.platform != "any" for t in wheel_tags):
            print(f"[wheelhouse] {requirement} publishes no wheel for this target and is not "
                  "pure Python", flush=True)
            return False
        (dest / built[0].name).write_bytes(built[0].read_bytes())
    print(f"[wheelhouse] built {built[0].name} from source ({requirement} publishes no "
          "wheel; it is pure Python, so it installs anywhere)", flush=True)
    return True


def fill(dest: Path, target: Target, reqs: list[str]) -> int:
    """Download ``reqs`` for ``target``, then whatever the target's markers add; return the
    number of wheels for the target."""
    print(f"[wheelhouse] {target.describe()}: downloading {len(reqs)} requirements and "
          f"their dependencies", flush=True)
    download(reqs, dest, target)
    for _ in range(MAX_ROUNDS):
        still = missing(dest, target, reqs)
        if not still:
            return len(wheels_for(dest, target))
        print(f"[wheelhouse] {target.describe()}: adding what its markers need: "
              + ", ".join(still), flush=True)
        download(still, dest, target)
    raise SystemExit(f"[wheelhouse] {target.describe()}: still missing after {MAX_ROUNDS} "
                     f"rounds: {', '.join(missing(dest, target, reqs))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=REPO / "wheelhouse")
    parser.add_argument("--platforms", default="", help="space-separated wheel platform tags")
    parser.add_argument("--pythons", default="", help="space-separated Python versions")
    args = parser.parse_args(argv)
    platforms = args.platforms.split() or [None]
    pythons = args.pythons.split() or [None]
    args.dest.mkdir(parents=True, exist_ok=True)
    reqs = requirements()
    for platform in platforms:
        for python in pythons:
            target = Target(platform, python)
            count = fill(args.dest, target, reqs)
            print(f"[wheelhouse] {target.describe()}: {count} wheels", flush=True)
    size_mb = sum(p.stat().st_size for p in args.dest.glob("*.whl")) / 1e6
    print(f"[wheelhouse] {args.dest}: {len(list(args.dest.glob('*.whl')))} wheels, "
          f"{size_mb:.0f} MB. `make lab` and `make test` now install from it with no network.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
