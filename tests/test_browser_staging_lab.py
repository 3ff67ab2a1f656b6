"""Notebook 05 in JupyterLab: Run All reaches its checks line and a control redraws a chart
(the learner's main path, beside the Voila test in test_browser_notebooks.py)."""

from __future__ import annotations

import re

import pytest
from browser_support import nudge_slider, wait_plot_change, wait_plot_data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUTS_JS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .map(o => (o.getAttribute('data-mime-type') || o.className) + ': ' + o.innerText.slice(0, 200))
  .join(' | ')"""


def test_staging_notebook_runs_all_cells_and_its_chart_answers_in_jupyterlab(jupyterlab, page,
                                                                            tmp_path) -> None:
    """Run All, find the checks cell's success line in an output, then move the defect-rate
    slider and see the cost / error-budget chart redraw."""
    base, token = jupyterlab.split("|")
    page.goto(f"{base}/lab/tree/05_staging_vs_production.ipynb?token={token}&reset")
    page.locator(".jp-Notebook").first.wait_for()
    # the status bar names the kernel and says Idle once it is connected (see 00's test)
    page.locator(".jp-StatusBar-Item", has_text=re.compile(r"\(ipykernel\) \| Idle")).first.wait_for(
        timeout=90_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    scope = ".tipsim-staging-panel"
    try:
        page.locator(".jp-OutputArea-output", has_text="all checks passed").first.wait_for(
            timeout=300_000)
        before = wait_plot_data(page, index=0, scope=scope)
    finally:  # shown only when the test fails: what the notebook's outputs say
        print("[outputs]", page.evaluate(OUTPUTS_JS)[-3000:])
        page.screenshot(path=str(tmp_path / "lab05.png"))
        print(f"[screenshot] {tmp_path / 'lab05.png'}")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, tracebacks
    page.locator(scope).first.scroll_into_view_if_needed()
    nudge_slider(page, "tipsim-svp-defect-rate", presses=10)
    assert wait_plot_change(page, before, index=0, scope=scope) != before
