"""Runs in the kernel: the selected worker's recent task stream (Workers page).

Reads :class:`~jupyter_dashmon.aggregate.models.WorkersModel` (which worker
is selected), :class:`~jupyter_dashmon.aggregate.models.TaskHistoryModel` and
the colours of :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only:
the worker's threads over its last ``span`` seconds of retained history.
"""

from __future__ import annotations

from bqplot import Axis, LinearScale, Lines, Tooltip

from ..aggregate.history import aggregate_window
from ..aggregate.models import ProgressModel, TaskHistoryModel, WorkersModel
from .base import Throttle, plot_height, set_segments, tile_figure


class WorkerStreamView:
    """A small task stream (``.figure``) of the selected worker."""

    def __init__(
        self,
        workers: WorkersModel,
        history: TaskHistoryModel,
        progress: ProgressModel,
        span: float = 60.0,
        height: int = 180,
        every: float = 1.0,
    ):
        self.workers, self.history, self.progress, self.span = workers, history, progress, span
        self.time = LinearScale()
        self.rows = LinearScale(min=-0.5, max=0.5, reverse=True)
        self.rects = Lines(
            scales={"x": self.time, "y": self.rows}, stroke_width=10,
            tooltip=Tooltip(fields=["name"], show_labels=False),
        )  # fmt: skip
        self.figure = tile_figure(
            "Recent tasks", height, margin={"bottom": 32, "left": 24}, marks=[self.rects],
            axes=[Axis(scale=self.time, label="seconds ago", num_ticks=5, grid_lines="none")],
        )  # fmt: skip
        self.tasks = 0
        self.redraw = Throttle(self._update, every)
        workers.observe(self._update, names=["selected"])
        history.observe(self.redraw, names=["revision"])
        self._update()

    def _update(self, change: object = None) -> None:
        address = self.workers.selected
        history = self.history.history
        if not address or not len(history):
            set_segments(self.rects, [], [], [], [])
            self.tasks = 0
            return
        _, latest = history.span()
        t0 = latest - self.span
        segs = aggregate_window(history, self.progress.colors, t0, latest, 600, 2000, worker=address)
        n_rows = max(len({r for r in segs["row"]}), 1)
        with self.figure.hold_sync():
            self.rows.max = max(segs["row"], default=0) + 0.5
            self.rects.stroke_width = min(plot_height(self.figure) / n_rows * 0.8, 30.0)
            self.time.min, self.time.max = -self.span, 0.0
            set_segments(
                self.rects, [x - self.span for x in segs["x0"]], [x - self.span for x in segs["x1"]],
                segs["row"], segs["color"], labels=segs["label"],
            )  # fmt: skip
            self.figure.title = f"Recent tasks on this worker: {segs['tasks']:,} in the last {self.span:.0f} s"
        self.tasks = segs["tasks"]
