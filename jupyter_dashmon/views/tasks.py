"""Runs in the kernel: the Tasks page, the whole retained task history.

Draws the :class:`~jupyter_dashmon.aggregate.models.TaskWindowModel` that
:class:`~jupyter_dashmon.aggregate.task_windows.HistoryWindow` keeps over the
task store: one segment per task when few are visible, else one per run of
pixels of one colour, so the page stays a few thousand SVG elements.  Pan
and zoom happen in the browser at once; the view writes the new window into
the model, and the kernel's window then recomputes it at full detail.
"Latest run" zooms to the newest run of work (idle gaps between runs would
squeeze each run of a long history into a sliver); "Show all" goes back.
"""

from __future__ import annotations

from ipywidgets import Button, HBox, Label, Layout, VBox

from ..aggregate.models import ProgressModel, TaskHistoryModel
from ..aggregate.runs import latest_run
from ..aggregate.task_windows import HistoryWindow
from .base import (
    Throttle,
    fit_rows,
    pan_toggle,
    rect_mark,
    set_segments,
    set_stream_ticks,
    stream_figure,
    stream_scales,
)

#: Seconds between recomputations caused by new tasks (a pan or zoom is taken at once).
REDRAW_EVERY = 1.0


class TasksView:
    """The Tasks page (``.widget``): pan, zoom and hover over the retained history."""

    def __init__(self, model: TaskHistoryModel, progress: ProgressModel, height: int = 420):
        self.model = model
        self.window = HistoryWindow(model, progress, every=REDRAW_EVERY).out
        self.scales = stream_scales()
        self.time, self.rows = self.scales["x"], self.scales["y"]
        self.rects = rect_mark(self.scales)
        self.figure = stream_figure("Tasks", height, self.scales, [self.rects])
        self.pan, self.panzoom = pan_toggle(self.figure, self.scales)
        self.follow = Button(description="Show all", tooltip="Show the whole history and follow it")
        self.follow.on_click(lambda _: self.show_all())
        self.latest = Button(description="Latest run", tooltip="Zoom to the newest run of tasks")
        self.latest.on_click(lambda _: self.show_latest_run())
        self.info = Label()
        self.widget = VBox(
            [
                HBox(
                    [self.follow, self.latest, self.pan, self.info],
                    layout=Layout(flex_flow="row wrap", align_items="center"),
                ),
                self.figure,
            ],
            layout=Layout(width="100%"),
        )
        self.segments = 0
        self.aggregated = False
        self._drawing = False
        self._drawn = -1
        self.redraw = Throttle(self._draw, 0.0, on_active=self._set_active)
        self.window.observe(self.redraw, names=["revision"])
        self.time.observe(self._on_zoom, names=["min", "max"])
        self._draw()

    @property
    def following(self) -> bool:
        """Whether the page shows the whole history and follows new tasks."""
        return self.window.follow

    def _set_active(self, active: bool) -> None:
        self.window.active = active

    def show_all(self) -> None:
        """Zoom out to the whole history and follow new tasks."""
        self.window.follow = True

    def show_latest_run(self) -> None:
        """Zoom to the newest run of tasks (stops following)."""
        history = self.model.history
        with history.lock:
            idx = history.order()
            t0, t1 = latest_run(history.start[idx], history.stop[idx])
        if not t1 > t0:
            return
        margin = (t1 - t0) * 0.02
        w = self.window
        with w.hold_trait_notifications():
            w.follow = False
            w.window = (t0 - margin, t1 + margin)
        with self.time.hold_trait_notifications():
            self._drawing = True
            try:
                self.time.min, self.time.max = t0 - margin - w.origin, t1 + margin - w.origin
            finally:
                self._drawing = False
        set_stream_ticks(self.figure, self.time.min, self.time.max, w.origin)

    def _on_zoom(self, change: object = None) -> None:
        if self._drawing or self.time.min is None or self.time.max is None:
            return
        # The user panned or zoomed: stop following and have that window drawn in detail.
        w = self.window
        set_stream_ticks(self.figure, self.time.min, self.time.max, w.origin)
        with w.hold_trait_notifications():
            w.follow = False
            w.window = (w.origin + self.time.min, w.origin + self.time.max)

    def _draw(self, change: object = None) -> None:
        w = self.window
        segs = w.segments
        if not segs or w.revision == self._drawn:
            return
        self._drawn = w.revision
        self._drawing = True
        try:
            with self.figure.hold_sync():
                fit_rows(self.figure, self.scales, [self.rects], w.rows, cap=30.0)
                set_segments(
                    self.rects,
                    segs["x0"],
                    segs["x1"],
                    segs["row"],
                    segs["color"],
                    labels=segs["label"],
                )
                if w.follow:
                    self.time.min, self.time.max = w.span
                    set_stream_ticks(self.figure, w.span[0], w.span[1], w.origin)
                how = "aggregated by pixel" if segs["aggregated"] else "one rectangle per task"
                self.figure.title = (
                    f"Tasks \u2014 {w.retained:,} retained, {segs['tasks']:,} in view ({how})"
                )
        finally:
            self._drawing = False
        self.info.value = "following new tasks" if w.follow else "fixed window (pan/zoom)"
        self.segments, self.aggregated = len(segs["x0"]), segs["aggregated"]
