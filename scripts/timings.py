"""``make timings``: run every notebook section headless on this machine and time it.

Each notebook (``notebooks/NN_*.ipynb``, 00 onwards) runs top to bottom in a fresh kernel,
as nbmake runs it in ``make test``; the code cells under each markdown heading (``#`` or
``##``) make one section, timed from the first cell's start to the last cell's end. The
kernel's start is counted in the notebook's first section, as an attendee waits for it too.
Like the test run, the kernel gets a loopback ``LOCALSTACK_HOST`` where nothing listens, so
each notebook starts its own embedded emulator (it never reaches a LocalStack on 4566).

Writes ``docs/timings.csv``: one row per section with the notebook, the section's heading,
its code cells, the markdown words under it (for the guide's reading allowance), the
seconds measured, and the machine and load it ran on. Then regenerates the facilitator
guide's tables from it (``scripts/guide_tables.py``).

    python scripts/timings.py [--notebooks 01 02] [--out docs/timings.csv]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "docs" / "timings.csv"
COLUMNS = ("notebook", "section", "code_cells", "words", "seconds", "machine", "cpus",
           "load_1m", "python", "measured_utc")
CELL_TIMEOUT_S = 900
_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*$", re.MULTILINE)


def sections(nb: Any) -> list[dict[str, Any]]:
    """The notebook's sections in order: heading, code cell indices, markdown words."""
    out: list[dict[str, Any]] = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            heads = _HEADING.findall(cell.source)
            if heads or not out:
                out.append({"section": heads[0][1] if heads else "(top)", "cells": [],
                            "words": 0})
            out[-1]["words"] += len(re.findall(r"[A-Za-z0-9]+", cell.source))
        elif cell.cell_type == "code":
            if not out:
                out.append({"section": "(top)", "cells": [], "words": 0})
            out[-1]["cells"].append(i)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kernel_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("AWS_ENDPOINT_URL", "TIPSIM_BOARD_URL", "TIPSIM_BOARD_TOKEN")}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(tmp / name.lower())
    env["LOCALSTACK_HOST"] = f"127.0.0.1:{_free_port()}"
    env["TIPSIM_STATE_DIR"] = str(tmp / "state")
    env["MPLBACKEND"] = "Agg"
    return env


def time_notebook(path: Path) -> list[dict[str, Any]]:
    """Run ``path`` in a fresh kernel; one row per section with its measured seconds."""
    nb = nbformat.read(path, as_version=4)
    parts = sections(nb)
    with tempfile.TemporaryDirectory(prefix="tipsim-timings-") as tmp:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(_kernel_env(Path(tmp)))
        try:
            client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}})
            t_start = time.perf_counter()
            with client.setup_kernel():
                rows = []
                for part in parts:
                    t0 = t_start if not rows else time.perf_counter()
                    for index in part["cells"]:
                        client.execute_cell(nb.cells[index], index)
                    rows.append({"notebook": path.stem, "section": part["section"],
                                 "code_cells": len(part["cells"]), "words": part["words"],
                                 "seconds": round(time.perf_counter() - t0, 1)})
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return rows


def machine() -> dict[str, Any]:
    """Where the numbers were measured: CPU, cores, load, Python, when."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"machine": f"{platform.system()} {cpu}", "cpus": os.cpu_count() or 0,
            "python": platform.python_version(),
            "measured_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", nargs="*", default=None,
                        help="notebook numbers to (re)time, e.g. 01 02 (default: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.notebooks:
        paths = [p for p in paths if p.name[:2] in set(args.notebooks)]
    kept: list[dict[str, Any]] = []
    if args.notebooks and args.out.exists():  # keep the other notebooks' rows
        with args.out.open(newline="") as f:
            kept = [r for r in csv.DictReader(f) if r["notebook"][:2] not in args.notebooks]
    rows = []
    t0 = time.perf_counter()
    for path in paths:
        where = {**machine(), "load_1m": round(os.getloadavg()[0], 2)}
        print(f"[timings] {path.name} (load {where['load_1m']})", file=sys.stderr, flush=True)
        for row in time_notebook(path):
            rows.append({**row, **where})
            print(f"  {row['seconds']:7.1f} s  {row['section']}", file=sys.stderr)
    rows = sorted(kept + rows, key=lambda r: (r["notebook"], 0))  # stable: sections in order
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"[timings] wrote {args.out} ({len(rows)} sections) in "
          f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
