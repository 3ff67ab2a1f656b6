"""Every notebook teaches the same way: paired with its .py, no outputs, slide named, parameters,
"Try this" prompts, a recap and a final checks cell."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks() -> None:
    assert any(nb.name.startswith("00_") for nb in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_paired_and_in_sync(path: Path) -> None:
    py = path.with_suffix(".py")
    assert py.exists(), f"{py.name} missing: run jupytext --sync {path.name}"
    nb = nbformat.read(path, as_version=4)
    paired = jupytext.read(py)
    src = [(c.cell_type, c.source.strip()) for c in nb.cells]
    src_py = [(c.cell_type, c.source.strip()) for c in paired.cells]
    assert src == src_py, f"{path.name} and {py.name} differ: run jupytext --sync"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert not [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_teaching_structure(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "slide" in first.source.lower()
    assert "find out" in first.source.lower()
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Try this" in text
    assert "Recap" in text
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "assert " in code[-1].source, "the last code cell is the checks cell"
    assert "sys.path" not in "\n".join(c.source for c in code)
    assert "../data" not in "\n".join(c.source for c in code)
