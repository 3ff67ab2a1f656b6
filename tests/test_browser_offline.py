"""Every notebook's Voila page, as a workshop room sees it with no internet: it asks only the
laptop (no font or script from a CDN), renders to its checks line, shows its icons, cuts no
label short ("green wei...", "Run the three strate...") and logs no error in the console.
(Voila drops stderr; that information lines are not red boxes in JupyterLab is checked in
test_browser_start_here.)"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from browser_support import NOTEBOOKS, wait_notebook_done, wait_plot_data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAMES = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
LAST_PANEL = {"00": ".tipsim-start-here", "01": ".tipsim-feature-toggle-panel",
              "02": ".tipsim-canary-panel", "03": ".tipsim-node-groups",
              "04": ".tipsim-data-lake", "05": ".tipsim-staging-panel",
              "06": ".tipsim-canary-power"}
"""The last panel of each notebook: once its chart is drawn, every widget has rendered."""
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

CUT_JS = """() => Array.from(document.querySelectorAll(
    '.widget-label, .widget-label-basic, .jupyter-button, .widget-toggle-button'))
  .filter(e => e.offsetParent !== null && e.innerText.trim() !== ''
          && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.innerText.trim())"""
"""Visible labels and buttons whose text is wider than their box (shown with an ellipsis)."""

ICONS_JS = """() => Array.from(document.querySelectorAll('i.fa'))
  .filter(e => e.offsetParent !== null)
  .map(e => [e.className, getComputedStyle(e, '::before').content,
             getComputedStyle(e).fontFamily])"""


def test_every_notebook_has_its_last_panel_named() -> None:
    assert sorted(LAST_PANEL) == sorted(n[:2] for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_voila_page_asks_only_loopback_and_renders_every_label(voila, page, name: str) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.on("websocket", lambda ws: asked.append(ws.url))
    page.goto(voila(name), wait_until="commit")
    wait_notebook_done(page)
    page.wait_for_load_state("load")
    wait_plot_data(page, 0, LAST_PANEL[name[:2]])
    # 00 and 05 are sliders only (every control redraws at once): no button to show
    assert page.locator(".jupyter-button").count() > 0 or name.startswith(("00", "05"))
    hosts = {urlparse(u).hostname for u in asked if urlparse(u).scheme not in ("data", "blob")}
    assert hosts <= LOOPBACK, sorted(u for u in asked if urlparse(u).hostname not in LOOPBACK)
    assert page.evaluate(CUT_JS) == []
    # no widget that failed to render, no extension that failed to load
    assert page.tipsim_console_errors == [], page.tipsim_console_errors
    for cls, before, family in page.evaluate(ICONS_JS):  # icons from Voila's own bundle
        assert before not in ("none", "normal", "") and "Font Awesome" in family, (cls, family)
