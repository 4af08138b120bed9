"""Runs in the kernel: the selected worker's recent task stream (Workers page).

Reads :class:`~jupyter_dashmon.aggregate.models.WorkersModel` (which worker
is selected), :class:`~jupyter_dashmon.aggregate.models.TaskHistoryModel` and
the colours of :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only:
the worker's threads over its last ``span`` seconds of retained history.
"""

from __future__ import annotations

from ..aggregate.history import aggregate_window
from ..aggregate.models import ProgressModel, TaskHistoryModel, WorkersModel
from .base import Throttle, fit_rows, rect_mark, set_segments, stream_figure, stream_scales


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
        self.scales = stream_scales()
        self.time, self.rows = self.scales["x"], self.scales["y"]
        self.rects = rect_mark(self.scales)
        self.figure = stream_figure(
            "Recent tasks", height, self.scales, [self.rects], "seconds ago"
        )
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
        segs = aggregate_window(
            history, self.progress.colors, t0, latest, 600, 2000, worker=address
        )
        with self.figure.hold_sync():
            fit_rows(
                self.figure, self.scales, [self.rects], max(segs["row"], default=0) + 1, cap=30.0
            )
            self.time.min, self.time.max = -self.span, 0.0
            set_segments(
                self.rects,
                [x - self.span for x in segs["x0"]],
                [x - self.span for x in segs["x1"]],
                segs["row"],
                segs["color"],
                labels=segs["label"],
            )
            self.figure.title = (
                f"Recent tasks on this worker: {segs['tasks']:,} in the last {self.span:.0f} s"
            )
        self.tasks = segs["tasks"]
