"""Runs in the kernel: the Tasks page, the whole retained task history.

Reads :class:`~jupyter_dashmon.aggregate.models.TaskHistoryModel` and the
colours of :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only.
The history (100,000 tasks by default) is drawn through
:func:`~jupyter_dashmon.aggregate.history.aggregate_window`: one segment per
task when few are visible, else one per run of pixels of one colour, so the
page stays a few thousand SVG elements.  Pan and zoom happen in the browser
at once; the kernel then redraws the new window at full detail.
"""

from __future__ import annotations

from ipywidgets import Button, HBox, Label, Layout, VBox

from ..aggregate.history import aggregate_window
from ..aggregate.models import ProgressModel, TaskHistoryModel
from .base import Throttle, fit_rows, rect_mark, set_segments, stream_figure, stream_scales

#: Columns of the pixel grid the history is aggregated on.
PIXELS = 1200
#: Seconds between redraws caused by new tasks (a pan or zoom redraws at once).
REDRAW_EVERY = 1.0


class TasksView:
    """The Tasks page (``.widget``): pan, zoom and hover over the retained history."""

    def __init__(self, model: TaskHistoryModel, progress: ProgressModel, height: int = 420):
        self.model = model
        self.progress = progress
        self.scales = stream_scales()
        self.time, self.rows = self.scales["x"], self.scales["y"]
        self.rects = rect_mark(self.scales)
        self.figure = stream_figure(
            "Tasks",
            height,
            self.scales,
            [self.rects],
            "seconds since the first retained task",
            pan=True,
        )
        self.follow = Button(description="Show all", tooltip="Show the whole history and follow it")
        self.follow.on_click(lambda _: self.show_all())
        self.info = Label()
        self.widget = VBox(
            [HBox([self.follow, self.info]), self.figure], layout=Layout(width="100%")
        )
        self.origin = 0.0
        self.following = True
        self.segments = 0
        self.aggregated = False
        self._drawing = False
        self.redraw = Throttle(self._draw, REDRAW_EVERY)
        model.observe(self._on_history, names=["revision"])
        self.time.observe(self._on_zoom, names=["min", "max"])
        self._draw()

    def show_all(self) -> None:
        """Zoom out to the whole history and follow new tasks."""
        self.following = True
        self._draw()

    def _on_history(self, change: object = None) -> None:
        if self.following:
            self.redraw()

    def _on_zoom(self, change: object = None) -> None:
        if self._drawing or self.time.min is None or self.time.max is None:
            return
        # The user panned or zoomed: stop following and draw that window in detail.
        self.following = False
        self._draw(self.origin + self.time.min, self.origin + self.time.max)

    def _draw(self, t0: float | None = None, t1: float | None = None) -> None:
        history = self.model.history
        lo, hi = history.span()
        if not len(history):
            self.origin = 0.0
        elif self.origin == 0.0 or self.origin > lo:
            self.origin = lo
        if t0 is None or t1 is None:
            t0, t1 = lo, max(hi, lo + 1.0)
        segs = aggregate_window(history, self.progress.colors, t0, t1, PIXELS)
        n_rows = max(len(history.threads), 1)
        shift = t0 - self.origin
        self._drawing = True
        try:
            with self.figure.hold_sync():
                fit_rows(self.figure, self.scales, [self.rects], n_rows, cap=30.0)
                set_segments(
                    self.rects,
                    [x + shift for x in segs["x0"]],
                    [x + shift for x in segs["x1"]],
                    segs["row"],
                    segs["color"],
                    labels=segs["label"],
                )
                if self.following:
                    self.time.min, self.time.max = t0 - self.origin, t1 - self.origin
                how = "aggregated by pixel" if segs["aggregated"] else "one rectangle per task"
                self.figure.title = (
                    f"Tasks \u2014 {len(history):,} retained, {segs['tasks']:,} in view ({how})"
                )
        finally:
            self._drawing = False
        self.info.value = "following new tasks" if self.following else "fixed window (pan/zoom)"
        self.segments, self.aggregated = len(segs["x0"]), segs["aggregated"]
