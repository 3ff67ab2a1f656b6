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


def _code_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


SHOWN_OK = ("learner_table", "metric_table", "_figure", "widget", "infra")
"""What a cell may end with: a formatted table, a figure, or a panel."""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_tables_shown_to_learners_are_formatted(path: Path) -> None:
    """A cell's last expression is what the learner sees: never a raw DataFrame (internal
    column names, fractions, six decimals), a column selection, a ``.round()`` or a bare
    variable; tables go through ``tipsim.viz.tables``."""
    import ast

    for src in _code_cells(path)[:-1]:
        body = ast.parse(src).body
        if not body or not isinstance(body[-1], ast.Expr):
            continue
        shown = ast.unparse(body[-1].value)
        if isinstance(body[-1].value, ast.Call) and ast.unparse(body[-1].value.func) == "print":
            continue
        assert any(ok in shown.split("(")[0] for ok in SHOWN_OK), \
            f"{path.name}: a cell ends with {shown[:80]!r}"
        assert "pd.DataFrame" not in shown and ".round(" not in shown


WORDS = {"text", "answer", "decision", "description", "reason", "same_input"}
"""Result keys that hold a word or a sentence (a printed subscript must end in one)."""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_printed_results_are_sentences_not_dicts(path: Path) -> None:
    """No cell prints a whole result record (the rank test once printed
    ``{'statistic': 0.0, 'p_value': 0.25, ...}``): a printed ``x["key"]`` is a sentence's key."""
    import ast

    for src in _code_cells(path):
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "print":
                for arg in node.args:
                    if isinstance(arg, ast.Subscript) and isinstance(arg.slice, ast.Constant):
                        assert arg.slice.value in WORDS, \
                            f"{path.name}: prints {ast.unparse(arg)}, which may be a record"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_checks_cell_moves_no_widget_the_learner_was_told_to_move(path: Path) -> None:
    """The checks cell may drive a panel of its own, never one shown earlier (notebook 00's
    checks once set the learner's slider to 20)."""
    import ast

    cells = _code_cells(path)
    checks = ast.parse(cells[-1])
    own = {t.id for node in ast.walk(checks) if isinstance(node, ast.Assign)
           for t in node.targets if isinstance(t, ast.Name)}
    for node in ast.walk(checks):
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for leaf in ast.walk(t):
                    if isinstance(leaf, ast.Attribute) and leaf.attr == "value":
                        root = leaf
                        while isinstance(root, ast.Attribute | ast.Subscript):
                            root = root.value  # type: ignore[assignment]
                        assert isinstance(root, ast.Name) and root.id in own, \
                            f"{path.name}: the checks cell sets {ast.unparse(t)}"
