"""LiveFigure: a panel chart sent to the browser as plotly's mime bundle, redrawn once per change."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go

from tipsim.widgets.live_figure import MIME_TYPE, LiveFigure


def _sent_traces(live: LiveFigure) -> list[dict]:
    """The traces the browser receives (the widget's synced ``outputs``)."""
    (output,) = live.outputs
    assert output["output_type"] == "display_data"
    return output["data"][MIME_TYPE]["data"]


def _decode(values: object) -> list[float]:
    """Plotly's JSON: a list, or a base64 typed array {"dtype", "bdata"}."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)  # type: ignore[call-overload]


def test_the_browser_gets_the_figures_data_including_numpy_arrays() -> None:
    y = np.linspace(0.0, 1.0, 50)
    live = LiveFigure(go.Figure(go.Scatter(x=np.arange(50.0), y=y), layout={"title": "t"}))
    (trace,) = _sent_traces(live)
    assert _decode(trace["y"]) == y.tolist()
    bundle = live.outputs[0]["data"]
    assert bundle[MIME_TYPE]["layout"]["title"]["text"] == "t"
    assert bundle["text/plain"] == "<chart: t>"


def test_an_edit_changes_the_chart_once_when_the_block_ends() -> None:
    live = LiveFigure(go.Figure([go.Scatter(y=[1, 2]), go.Bar(y=[3])]))
    sent: list[object] = []
    live.observe(lambda change: sent.append(change["new"]), names="outputs")
    with live.edit() as fig:
        fig.data[0].y = [5, 6]
        fig.data[1].y = [7]
        fig.layout.title = "after"
        assert sent == []  # nothing goes to the browser half-way through
    assert len(sent) == 1
    first, second = _sent_traces(live)
    assert (_decode(first["y"]), _decode(second["y"])) == ([5, 6], [7])
    assert live.data[0].y == (5, 6)


def test_show_replaces_the_figure_and_leaves_the_callers_figure_alone() -> None:
    original = go.Figure(go.Scatter(y=[1]))
    live = LiveFigure(original)
    with live.edit() as fig:
        fig.data[0].y = [9]
    assert original.data[0].y == (1,)  # the chart holds its own copy
    live.show(go.Figure([go.Bar(y=[1, 2, 3]), go.Bar(y=[4])]))
    assert [t["type"] for t in _sent_traces(live)] == ["bar", "bar"]
