"""The facilitator guide's minutes come from the measured ``docs/timings.csv``.

The guide's agenda tables are generated (``scripts/guide_tables.py``); this regenerates them
from the CSV and compares, so an edited number or a re-measured CSV without a regenerated
guide fails. The CSV itself is ``make timings``'s output: one row per notebook section.
"""

from __future__ import annotations

import csv
import importlib.util
import math
import re
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "facilitator-guide.md"
CSV = ROOT / "docs" / "timings.csv"


def _script(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"tipsim_scripts_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tables() -> ModuleType:
    return _script("guide_tables")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with CSV.open(newline="") as f:
        return list(csv.DictReader(f))


def test_the_guides_agendas_are_what_timings_csv_gives(tables, rows) -> None:
    text = GUIDE.read_text()
    assert tables.generate(text, rows) == text, "run `python scripts/guide_tables.py`"


def test_each_agenda_fits_its_slot_and_every_section_at_least_its_computation(
        tables, rows) -> None:
    for agenda, limit in ((tables.NINETY, 90), (tables.THREE_HOURS, 180)):
        lines = tables.agenda_rows(agenda, rows)
        assert lines[-1][3] == "**total**" and int(lines[-1][1]) <= limit, (agenda.key, lines[-1])
        timed = [line for line in lines if line[6]]
        assert len(timed) == len(rows)  # every measured section is in every agenda
        for line in timed:
            assert float(line[1]) >= float(line[6]) / 60
        assert math.ceil(sum(float(line[1]) for line in lines[:-1]) - 1e-9) == int(lines[-1][1])


def test_a_section_minute_adds_the_stated_allowances(tables) -> None:
    row = {"notebook": "01_feature_toggles", "section": "Is the difference more than luck?",
           "code_cells": "2", "words": "300", "seconds": "90"}
    allowance = tables.Allowance(wpm=150, cell_min=1.0, discussion_min=5)
    assert tables.section_minutes(row, allowance, True) == pytest.approx(1.5 + 2 + 2 + 5)
    assert tables.section_minutes(row, allowance, False) == pytest.approx(1.5)


def test_timings_csv_has_one_row_per_section_of_the_timed_notebooks(rows) -> None:
    """The sections are the notebooks' markdown headings, in order (no stale or lost rows)."""
    timings = _script("timings")
    by_nb: dict[str, list[str]] = {}
    for r in rows:
        by_nb.setdefault(r["notebook"], []).append(r["section"])
        assert float(r["seconds"]) >= 0 and int(r["cpus"]) >= 1 and r["machine"]
    assert {"00_start_here", "01_feature_toggles", "02_canary_blue_green",
            "03_node_group_taints", "04_ab_data_lake"} <= set(by_nb)
    for name, sections in by_nb.items():
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        assert [s["section"] for s in timings.sections(nb)] == sections, name


def test_the_guide_names_the_room_settings_and_links_the_doctor() -> None:
    text = GUIDE.read_text()
    for needed in ("LOCALSTACK_HOST", "TIPSIM_ALLOW_HOSTS", "TIPSIM_ATTENDEE", "make check",
                   "tipsim doctor", "TIPSIM_BOARD_URL", "make timings"):
        assert needed in text, needed
    assert re.search(r"^## .*90-minute", text, re.MULTILINE)
    assert re.search(r"^## .*3-hour", text, re.MULTILINE)
