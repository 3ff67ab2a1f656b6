"""The facilitator guide's agendas, generated from the measured ``docs/timings.csv``.

Minutes of a notebook section = measured computation + reading + working the cells +
discussion, each allowance stated here and printed in the guide:

* **computation**: the seconds ``make timings`` measured for the section on the host's
  machine (the CSV names the machine and its load);
* **reading**: the section's markdown words at ``wpm`` words a minute. Adults read English
  non-fiction silently at about 238 words a minute on average (Brysbaert 2019, "How many
  words do we read per minute?", Journal of Memory and Language 109); the agendas allow
  less, for text with code and numbers, and for attendees reading in a second language;
* **cells**: minutes per code cell to look at its output and move its controls;
* **discussion**: minutes for the section's discussion prompt, where it has one.

A section is **hands-on** (all four), **run only** (its cells run with "Run all" and it is
left to read at home: computation only) or a fixed row (talk slides, break).

``python scripts/guide_tables.py`` rewrites the tables between the guide's markers;
``--check`` exits 1 when the guide differs from what the CSV gives (the test runs it).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "docs" / "timings.csv"
GUIDE = ROOT / "docs" / "facilitator-guide.md"


@dataclass(frozen=True)
class Allowance:
    wpm: float
    cell_min: float
    discussion_min: float


@dataclass(frozen=True)
class Agenda:
    key: str
    title: str
    allowance: Allowance
    talk: dict[str, float]  # notebook -> minutes of its slides, presented before it
    hands_on: dict[str, tuple[str, ...]] | None  # notebook -> sections (None: all)
    run_only: tuple[str, ...] = ()  # sections left to "Run All" in every notebook
    selected: dict[str, tuple[str, ...]] = field(default_factory=dict)  # with hands_on None:
    # notebooks of which only these sections are hands-on
    breaks_after: tuple[str, ...] = ()
    break_min: float = 10.0


SLIDES: dict[str, str] = {"00": "1-6", "01": "7-8", "02": "9-11", "03": "12", "04": "13-14",
                          "05": "4-6, 15", "06": "9-11"}
"""The talk's slides each notebook stands for (its first markdown cell says so)."""

PROMPTS: dict[tuple[str, str], str] = {
    ("01", "Part 2 · The users: one run of each strategy"): "P1",
    ("01", "Is the difference more than luck?"): "P2",
    ("02", "Three strategies on the same seed"): "P3",
    ("02", "The TTL at work"): "P4",
    ("03", "The comparison in numbers"): "P5",
    ("04", "The verdicts"): "P6",
    ("04", "An A/A test"): "P7",
    ("05", "Part 3 · A month of changes, six ways to ship them"): "P8",
}
"""Sections with a discussion prompt (the guide's "Discussion prompts" gives each one's answer)."""

NINETY = Agenda(
    "90", "90-minute agenda (meetup)", Allowance(wpm=200, cell_min=0.5, discussion_min=3),
    talk={"00": 5, "01": 2, "02": 3, "03": 2, "04": 3, "05": 2},
    hands_on={
        "00": ("1. Is your laptop ready?", "2. Which AWS emulator are we talking to?",
               "3. Do widgets work in your browser?"),
        "01": ("Part 1 · The infrastructure: what would flipping `enable_new_ami` do?",
               "Part 2 · The users: one run of each strategy", "The panel",
               "Is the difference more than luck?", "Advice 1: preserve state"),
        "02": ("Part 1 · In the emulator: a green network, its smoke test, and the weights",
               "Part 2 · In simulation: one strategy, one run", "The judge's reasoning",
               "Three strategies on the same seed", "The TTL at work"),
        "03": ("The rules, on a cluster of two nodes", "The cluster in the emulator",
               "The panel", "The comparison in numbers"),
        "04": ("Part 1 · Both arms in the emulator, from the same spec",
               "Part 2 · One A/B test, in simulation", "The verdicts", "Explore: the panel",
               "An A/A test"),
    })
THREE_HOURS = Agenda(
    "180", "3-hour agenda (workshop)", Allowance(wpm=160, cell_min=0.75, discussion_min=4),
    talk={"00": 7, "01": 4, "02": 5, "03": 3, "04": 3, "05": 3},
    hands_on=None, run_only=("Parameters", "Checks"), breaks_after=("02",),
    selected={"06": ("The map", "Against production, or against a fresh baseline?")})
AGENDAS = (NINETY, THREE_HOURS)


def read_rows(path: Path = CSV) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def section_minutes(row: dict[str, str], allowance: Allowance, hands_on: bool) -> float:
    """Minutes of one section (not rounded): see the module docstring."""
    minutes = float(row["seconds"]) / 60
    if hands_on:
        minutes += int(row["words"]) / allowance.wpm + int(row["code_cells"]) * allowance.cell_min
        if (row["notebook"][:2], row["section"]) in PROMPTS:
            minutes += allowance.discussion_min
    return minutes


def _clock(minutes: float) -> str:
    whole = int(round(minutes))
    return f"{whole // 60}:{whole % 60:02d}"


def _shown(minutes: float, hands_on: bool) -> tuple[float, str]:
    """Hands-on sections in whole minutes (rounded up); run-only ones, which are mostly
    a few seconds of computation, in tenths (rounded up)."""
    if hands_on:
        whole = math.ceil(minutes - 1e-9)
        return float(whole), str(whole)
    tenths = math.ceil(minutes * 10 - 1e-9) / 10
    return tenths, f"{tenths:.1f}"


def agenda_rows(agenda: Agenda, rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """(start, minutes, slides, notebook, section, how, measured s) per agenda line; the last
    line is the total, in whole minutes."""
    out: list[tuple[str, ...]] = []
    t = 0.0
    notebooks = sorted({r["notebook"] for r in rows})
    for nb in notebooks:
        key = nb[:2]
        slides = SLIDES.get(key, "")
        if key in agenda.talk:
            minutes = agenda.talk[key]
            out.append((_clock(t), f"{minutes:g}", slides, "talk", f"slides {slides}",
                        "talk", ""))
            t += minutes
        chosen = agenda.selected.get(key) if agenda.hands_on is None \
            else agenda.hands_on.get(key, ())
        wanted = None if chosen is None else set(chosen)
        if wanted is not None:
            known = {r["section"] for r in rows if r["notebook"] == nb}
            missing = sorted(wanted - known)
            if missing:
                raise SystemExit(f"{agenda.key}-minute agenda names sections not in the CSV "
                                 f"for {nb}: {missing}; run make timings or fix the agenda")
        for r in (r for r in rows if r["notebook"] == nb):
            hands = ((wanted is None or r["section"] in wanted)
                     and r["section"] not in agenda.run_only)
            minutes, text = _shown(section_minutes(r, agenda.allowance, hands), hands)
            prompt = PROMPTS.get((key, r["section"]))
            how = ("hands-on" + (f", {prompt}" if prompt else "")) if hands else "run only"
            out.append((_clock(t), text, slides, nb,
                        r["section"].replace("|", "/"), how, r["seconds"]))
            t += minutes
        if key in agenda.breaks_after:
            out.append((_clock(t), f"{agenda.break_min:g}", "", "break", "break", "", ""))
            t += agenda.break_min
    out.append(("", str(math.ceil(t - 1e-9)), "", "**total**", "", "", ""))
    return out


def render(agenda: Agenda, rows: list[dict[str, str]]) -> str:
    a = agenda.allowance
    head = (f"Allowances: reading {a.wpm:g} words/min, {a.cell_min:g} min per code cell, "
            f"{a.discussion_min:g} min per discussion prompt; computation as measured.\n\n"
            "| start | min | slides | notebook | section | how | measured s |\n"
            "|---|---:|---|---|---|---|---:|\n")
    return head + "\n".join("| " + " | ".join(cells) + " |"
                            for cells in agenda_rows(agenda, rows)) + "\n"


def machine_line(rows: list[dict[str, str]]) -> str:
    loads = sorted(float(r["load_1m"]) for r in rows)
    first = rows[0]
    busy = loads[-1] >= 0.5 * float(first["cpus"])  # the load average counts runnable tasks
    note = "other jobs were running; an idle laptop is faster" if busy else "a quiet machine"
    return (f"Measured by `make timings` on {first['machine']}, {first['cpus']} CPUs, Python "
            f"{first['python']}, {first['measured_utc'][:10]}, 1-minute load "
            f"{loads[0]:g}-{loads[-1]:g} ({note}). "
            f"Sum of all sections' computation: "
            f"{sum(float(r['seconds']) for r in rows) / 60:.1f} min.\n")


def generate(guide: str, rows: list[dict[str, str]]) -> str:
    """``guide`` with every generated block replaced from ``rows``."""
    bodies = {"timings-machine": machine_line(rows),
              **{f"agenda-{a.key}": render(a, rows) for a in AGENDAS}}
    for name, body in bodies.items():
        pattern = re.compile(rf"(<!-- {name}:begin -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        if not pattern.search(guide):
            raise SystemExit(f"the guide has no <!-- {name}:begin/end --> markers")
        guide = pattern.sub(lambda m, b=body: m.group(1) + b + m.group(2), guide)
    return guide


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="regenerate the guide's agenda tables")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the guide differs from what timings.csv gives")
    args = parser.parse_args(argv)
    text = GUIDE.read_text()
    new = generate(text, read_rows())
    if args.check:
        if new != text:
            print("docs/facilitator-guide.md disagrees with docs/timings.csv: run "
                  "`python scripts/guide_tables.py`", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(new)
    print(f"updated {GUIDE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
