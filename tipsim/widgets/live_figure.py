"""A plotly chart inside a widget panel that redraws whole when its figure changes.

Why not ``plotly.graph_objects.FigureWidget``: in Voila (0.5, plotly 7, anywidget 0.11) a
page with several FigureWidgets often leaves some of them deaf: the kernel sends the update,
the browser never applies it, and every later change is lost too. Measured on this kit's
machine: a four-chart panel updated 0 of 6 page loads with FigureWidgets and 6 of 6 with
this class; notebook 02's canary panel updated on 3 of 8 loads. A chart that stops
answering in front of a workshop room is worse than a redraw, so a panel chart here is an
``ipywidgets.Output`` holding the figure as plotly's own mime bundle
(``application/vnd.plotly.v1+json``, drawn by the ``jupyterlab-plotly`` renderer that ships
with plotly). Each change replaces the output in one message; nothing depends on the order
in which the browser loads chart code.

>>> live = LiveFigure(go.Figure(go.Scatter(y=[1, 2])))
>>> with live.edit() as fig:           # change the figure like any go.Figure ...
...     fig.data[0].y = [2, 1]         # ... and it is redrawn once, when the block ends
>>> live.data[0].y
(2, 1)
>>> live.show(go.Figure(go.Bar(y=[3])))  # or replace it whole
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go
import plotly.io as pio

MIME_TYPE = "application/vnd.plotly.v1+json"
CONFIG = {"displaylogo": False, "responsive": True}


def mime_bundle(figure: go.Figure) -> dict[str, Any]:
    """``figure`` as the display data JupyterLab and Voila draw with plotly.js."""
    spec = json.loads(pio.to_json(figure, validate=False))
    spec["config"] = dict(CONFIG)
    title = figure.layout.title.text or "plotly figure"
    return {MIME_TYPE: spec, "text/plain": f"<chart: {title}>"}


class LiveFigure(w.Output):
    """An ``Output`` widget showing one plotly figure; :meth:`edit` or :meth:`show` redraw it.

    The figure is a plain ``go.Figure`` (``.figure``), so the kit's ``update_*`` functions
    and tests read and change it without a browser. ``.data`` is the figure's traces.
    """

    def __init__(self, figure: go.Figure, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("tipsim-chart")
        self.figure = go.Figure(figure)
        self.redraw()

    @property
    def data(self) -> tuple[Any, ...]:
        """The figure's traces (read them; change them inside :meth:`edit`)."""
        return self.figure.data

    @contextmanager
    def edit(self) -> Iterator[go.Figure]:
        """Change the figure in the block; it is redrawn once, when the block ends."""
        with self.figure.batch_update():
            yield self.figure
        self.redraw()

    def show(self, figure: go.Figure) -> None:
        """Replace the figure and redraw."""
        self.figure = go.Figure(figure)
        self.redraw()

    def redraw(self) -> None:
        """Send the current figure to the browser (one message replacing the old chart)."""
        self.outputs = ({"output_type": "display_data", "data": mime_bundle(self.figure),
                         "metadata": {}},)
