"""The feature-toggle panel marks the first burn-rate page on its timelines."""

from __future__ import annotations

from tipsim.scenarios.feature_toggle import Params
from tipsim.widgets.feature_toggle import FeatureTogglePanel


def _page_marks(fig) -> list[float]:
    return [a.x for a in fig.layout.annotations if a.text == "first page"]


def test_a_paging_run_shows_first_page_on_both_timelines_and_a_quiet_one_none() -> None:
    """In place, an image failing every request is caught late by a slow monitor: the
    burn-rate page fires, and both timelines (minutes) carry it. Switching to the toggle,
    which turns the image off within two checks, removes the marker."""
    panel = FeatureTogglePanel(Params.create(strategy="in-place", defect_error_rate=1.0,
                                             alarm_checks=20, duration_s=1800.0))
    page = panel.runs["in-place"].summary()["first_page_s"]
    assert page is not None
    for name in ("success", "latency"):
        assert _page_marks(panel.figures[name].figure) == [page / 60.0]
    panel.controls["strategy"].value = "toggle"
    assert panel.message.value == ""
    assert panel.runs["toggle"].summary()["first_page_s"] is None
    assert _page_marks(panel.figures["success"].figure) == []
