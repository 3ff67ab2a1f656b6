"""Every scenario panel has "Share with the room" when the board is configured, and not otherwise.

With ``TIPSIM_BOARD_URL``/``TIPSIM_BOARD_TOKEN`` set, a click posts the panel's current
parameters and the results ``tipsim run NAME --json`` prints for them to a board started on
loopback by the test (stopped by pid). Without them the panel has no such button at all.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from board_support import Board, start_board

from tipsim.scenarios import canary, feature_toggle, node_groups
from tipsim.scenarios import data_lake_ab as dl
from tipsim.scenarios import staging_vs_production as svp
from tipsim.widgets.canary import CanaryPanel
from tipsim.widgets.data_lake import DataLakePanel
from tipsim.widgets.feature_toggle import FeatureTogglePanel
from tipsim.widgets.node_groups import NodeGroupsPanel
from tipsim.widgets.staging import StagingPanel

SMALL_LAKE = dl.Params(duration_s=120, replications=2, rate_per_s=1500)
SMALL_MONTH = svp.Params(months=50)


def _tree(widget: w.Widget) -> Iterator[w.Widget]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _tree(child)


def share_buttons(panel: Any) -> list[w.Button]:
    return [x for x in _tree(panel.widget) if isinstance(x, w.Button)
            and "tipsim-share-button" in x._dom_classes]


def cli_json(run_cli: Callable[..., tuple[int, str, str]], scenario: str, params: Any,
             seed: int) -> dict[str, Any]:
    """What ``tipsim run SCENARIO --json --seed SEED --set ...`` prints for ``params``
    (every field that differs from the defaults is passed with --set)."""
    defaults = type(params)().model_dump(mode="json")
    sets = []
    for name, value in params.model_dump(mode="json").items():
        if value != defaults[name]:
            text = "" if value is None else str(value).lower() if isinstance(value, bool) \
                else str(value)
            sets += ["--set", f"{name}={text}"]
    code, out, err = run_cli("run", scenario, "--json", "--seed", str(seed), *sets)
    assert code == 0, err
    return dict(json.loads(out))


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    b = start_board(tmp_path_factory.mktemp("board") / "board.sqlite3", "room-token")
    try:
        yield b
    finally:
        b.stop()


@pytest.fixture
def configured(board: Board, monkeypatch: pytest.MonkeyPatch) -> Board:
    monkeypatch.setenv("TIPSIM_BOARD_URL", board.url)
    monkeypatch.setenv("TIPSIM_BOARD_TOKEN", board.token)
    monkeypatch.setenv("TIPSIM_ATTENDEE", "alice")
    return board


@pytest.fixture
def unconfigured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIPSIM_BOARD_URL", raising=False)
    monkeypatch.delenv("TIPSIM_BOARD_TOKEN", raising=False)


def _shared(board: Board, scenario: str, before: int) -> dict[str, Any]:
    stored = board.results(scenario)
    assert len(stored) == before + 1, stored
    assert stored[-1]["name"] == "alice"
    return stored[-1]


def test_feature_toggle_panel_shares_its_current_run(configured, run_cli) -> None:
    panel = FeatureTogglePanel(feature_toggle.Params(), seed=3)
    panel.controls["toggle_share"].value = 0.5  # what moving the slider does
    (button,) = share_buttons(panel)
    before = len(configured.results("feature-toggle"))
    button.click()
    stored = _shared(configured, "feature-toggle", before)
    assert stored["params"] == panel.params.model_dump(mode="json")
    assert stored["params"]["toggle_share"] == 0.5
    assert stored["results"] == cli_json(run_cli, "feature-toggle", panel.params, 3)
    assert "shared with the room as alice" in panel.share.message.value


def test_canary_panel_shares_the_strategy_it_shows(configured, run_cli) -> None:
    panel = CanaryPanel(canary.Params(defect="blocked-port"), seed=2)
    panel.ttl.value = 300.0
    panel.show.value = "blue-green"
    (button,) = share_buttons(panel)
    before = len(configured.results("canary"))
    button.click()
    stored = _shared(configured, "canary", before)
    expected = panel.params.replace(strategy="blue-green")
    assert stored["params"] == expected.model_dump(mode="json")
    assert stored["params"]["dns_ttl_s"] == 300.0
    assert stored["results"] == cli_json(run_cli, "canary", expected, 2)
    assert stored["results"]["strategy"] == "blue-green"


def test_node_groups_panel_shares_its_controls_run(configured, run_cli) -> None:
    panel = NodeGroupsPanel(node_groups.Params(), seed=4, replications=1)
    panel.strategy.value = "node-by-node"
    (button,) = share_buttons(panel)
    before = len(configured.results("node-groups"))
    button.click()
    stored = _shared(configured, "node-groups", before)
    assert stored["params"] == panel.params().model_dump(mode="json")
    assert stored["params"]["strategy"] == "node-by-node"
    assert stored["results"] == cli_json(run_cli, "node-groups", panel.params(), 4)


def test_data_lake_panel_shares_its_last_ab_run(configured, run_cli, tmp_path) -> None:
    panel = DataLakePanel(SMALL_LAKE, seed=5, crossover_rates=(500,), crossover_replications=2,
                          sweep_out=tmp_path)
    try:
        (button,) = share_buttons(panel)
        before = len(configured.results("data-lake-ab"))
        button.click()
        stored = _shared(configured, "data-lake-ab", before)
    finally:
        panel.close()
    assert stored["params"] == SMALL_LAKE.model_dump(mode="json")
    assert stored["results"] == cli_json(run_cli, "data-lake-ab", SMALL_LAKE, 5)
    assert stored["results"]["faster"]["text"] in html.unescape(panel.verdict.value)


def test_staging_panel_shares_its_current_month(configured, run_cli) -> None:
    panel = StagingPanel(SMALL_MONTH, seed=6)
    panel.controls["defect_rate"].value = 0.3
    (button,) = share_buttons(panel)
    before = len(configured.results("staging-vs-production"))
    button.click()
    stored = _shared(configured, "staging-vs-production", before)
    assert stored["params"] == panel.params.model_dump(mode="json")
    assert stored["params"]["defect_rate"] == 0.3
    assert stored["results"] == cli_json(run_cli, "staging-vs-production", panel.params, 6)


def test_a_board_error_is_one_short_line_in_the_panel(board, monkeypatch) -> None:
    """A wrong token: the panel says 401 in one line; nothing is stored, nothing raised."""
    monkeypatch.setenv("TIPSIM_BOARD_URL", board.url)
    monkeypatch.setenv("TIPSIM_BOARD_TOKEN", "not-the-room-token")
    panel = FeatureTogglePanel(feature_toggle.Params(), seed=1)
    before = len(board.results())
    share_buttons(panel)[0].click()
    message = panel.share.message.value
    assert "tipsim-error" in message and "401" in message and "Traceback" not in message
    assert len(board.results()) == before


@pytest.mark.parametrize("make", [
    lambda: FeatureTogglePanel(feature_toggle.Params()),
    lambda: CanaryPanel(canary.Params()),
    lambda: NodeGroupsPanel(node_groups.Params(), replications=1),
    lambda: DataLakePanel(SMALL_LAKE, crossover_rates=(500,), crossover_replications=2),
    lambda: StagingPanel(SMALL_MONTH),
], ids=["feature-toggle", "canary", "node-groups", "data-lake-ab", "staging-vs-production"])
def test_without_a_board_no_panel_has_the_button(unconfigured, make) -> None:
    panel = make()
    try:
        assert share_buttons(panel) == [] and not panel.share.visible
        assert not any(x is panel.share.widget for x in _tree(panel.widget))
    finally:
        getattr(panel, "close", lambda: None)()


def test_the_panels_that_share_are_the_ones_tested_here() -> None:
    """A panel module that adds the button (a new scenario's panel), itself or as a
    LivePanel, gets a test above."""
    root = Path(__file__).resolve().parents[1] / "tipsim" / "widgets"
    sharing = {p.stem for p in root.glob("*.py") if p.stem not in ("share", "live_panel")
               and ("ShareButton(" in p.read_text() or "(LivePanel[" in p.read_text())}
    tested = Path(__file__).read_text()
    assert {"feature_toggle", "canary", "node_groups", "data_lake", "staging"} <= sharing
    for module in sharing:
        assert f"tipsim.widgets.{module} import" in tested, module
