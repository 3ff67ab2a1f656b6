"""A sweep's progress in a notebook: a bar, the runs done and the time left.

The widget is the progress callback itself: pass it to :func:`tipsim.sweep.run`.

Example
-------
>>> from tipsim.sweep import SweepProgress
>>> bar = SweepProgressBar()
>>> bar(SweepProgress(total=32, computed=6, skipped=8, failed=0, elapsed_s=3.0, eta_s=9.0))
>>> bar.bar.value, bar.bar.max
(14, 32)
>>> bar.label.value
'14/32 runs (8 skipped), 0:03 elapsed, ETA 0:09'

In a notebook: ``bar = SweepProgressBar(); display(bar.widget);
frame = tipsim.sweep.run("canary", grid, replications=8, progress=bar)``.
"""

from __future__ import annotations

import ipywidgets as w

from tipsim.sweep.progress import SweepProgress, describe


class SweepProgressBar:
    """An ``IntProgress`` and a line of text, updated by each call with a progress snapshot.

    The bar turns red when a run failed (the sweep then lists the failures) and green when
    every run is done.
    """

    def __init__(self, description: str = "sweep") -> None:
        self.bar = w.IntProgress(value=0, description=description,  # max: the task count
                                 bar_style="info")
        self.label = w.Label(value="waiting for the first task")
        self.widget = w.HBox([self.bar, self.label])
        self.widget.add_class("tipsim-sweep-progress")

    def __call__(self, p: SweepProgress) -> None:
        self.bar.max = max(p.total, 1)
        self.bar.value = p.done
        self.label.value = describe(p)
        if p.failed:
            self.bar.bar_style = "danger"
        elif p.done >= p.total:
            self.bar.bar_style = "success"
