"""Runs in the kernel: the Task Stream figure, what every worker thread ran.

Draws the :class:`~jupyter_dashmon.aggregate.models.TaskWindowModel` that
:class:`~jupyter_dashmon.aggregate.task_windows.StreamWindow` keeps over the
task store for a :class:`~jupyter_dashmon.aggregate.models.TaskStreamModel`,
and writes the user's choice of mode and window back into that model.  One
row per worker thread, time on the x-axis (seconds since the stream's
origin, labelled with the clock time), one rectangle per record coloured by
function; transfers red, erred tasks black.  Hovering a rectangle shows key,
worker and duration.

Live mode follows the last tasks; panning or zooming (switched on by the
"Pan/zoom" button, since bqplot's pan/zoom layer hides the tooltips) or the
"Fixed window" button switches to a fixed window, which stays put through
updates until "Live" is chosen again.
"""

from __future__ import annotations

from ipywidgets import HBox, Layout, ToggleButtons, VBox

from ..aggregate.models import ProgressModel, TaskHistoryModel, TaskStreamModel
from ..aggregate.task_windows import StreamWindow
from .base import (
    ChunkedSegments,
    Throttle,
    fit_rows,
    pan_toggle,
    rect_mark,
    set_segments,
    set_stream_ticks,
    stream_figure,
    stream_scales,
)


class TaskStreamView:
    """The Task Stream (``.figure`` inside ``.widget``), kept in step with the models.

    Live mode appends only the segments that are new since the last redraw
    to a ring of chunked marks; a fixed window is one mark, redrawn whole.
    ``history`` is the store ``tasks`` reads (``tasks.source``), accepted for
    the callers that pass it.
    """

    def __init__(
        self,
        tasks: TaskStreamModel,
        progress: ProgressModel,
        history: TaskHistoryModel | None = None,
        height: int = 260,
        every: float = 0.2,
    ):
        if history is not None and history is not tasks.source:
            raise ValueError("the task stream must read the store it is given")
        self.tasks = tasks
        self.window = StreamWindow(tasks, progress, every=every).out
        self.scales = stream_scales()
        self.time, self.rows = self.scales["x"], self.scales["y"]
        self.fixed = rect_mark(self.scales)
        self.live = ChunkedSegments(self.scales, tasks.length, tooltip=self.fixed.tooltip)
        # Every mark is in the figure from the start; live and fixed mode show
        # one set or the other (see ChunkedSegments on why marks are not added later).
        self.figure = stream_figure(
            "Task Stream", height, self.scales, [*self.live.marks, self.fixed]
        )
        self.pan, self.panzoom = pan_toggle(self.figure, self.scales)
        # A small segmented control sized to its words (styled by the
        # ``dashmon-compact-toggle`` rule of placement/layout.py), not two slabs.
        self.mode = ToggleButtons(
            options=[("Live", "live"), ("Fixed window", "fixed")],
            value=tasks.mode,
            tooltips=["Follow the last tasks", "Keep the current time window"],
            style={"button_width": "auto"},
            layout=Layout(width="auto", margin="2px 0 0 16px"),
        )
        self.mode.add_class("dashmon-compact-toggle")
        # The controls wrap under one another in a narrow side panel rather than cut.
        controls = HBox([self.mode, self.pan], layout=Layout(flex_flow="row wrap"))
        controls.add_class("dashmon-compact-toggle")
        self.widget = VBox([controls, self.figure], layout=Layout(width="100%"))
        self.rectangles = 0
        self._drawing = False
        self._epoch = -1
        self._seen = 0
        self._rows = -1
        self.redraw = Throttle(self._update, 0.0, on_active=self._set_active)
        self.mode.observe(self._on_button, names=["value"])
        self.time.observe(self._on_zoom, names=["min", "max"])
        tasks.observe(self._on_mode, names=["mode"])
        self.window.observe(self.redraw, names=["revision"])
        self._update()

    def _set_active(self, active: bool) -> None:
        self.window.active = active

    # -- user choices --------------------------------------------------------

    def _on_button(self, change: dict) -> None:
        if change["new"] == "fixed" and self.tasks.mode == "live":
            self._freeze(self.time.min, self.time.max)
        self.tasks.mode = change["new"]

    def _on_zoom(self, change: object = None) -> None:
        if self._drawing or self.time.min is None or self.time.max is None:
            return
        set_stream_ticks(self.figure, self.time.min, self.time.max, self.window.origin)
        self._freeze(self.time.min, self.time.max)
        self.tasks.mode = "fixed"

    def _freeze(self, lo: float | None, hi: float | None) -> None:
        if lo is None or hi is None or not hi > lo:
            return
        self.tasks.window = (self.tasks.origin + lo, self.tasks.origin + hi)

    def _on_mode(self, change: object = None) -> None:
        self.mode.value = self.tasks.mode

    def drawn(self) -> dict[str, list]:
        """What the figure shows now, in columns (x0, x1, row, color, label)."""
        if self.fixed.visible:
            m = self.fixed
            if not m.labels or m.labels == [""]:
                return {k: [] for k in ("x0", "x1", "row", "color", "label")}
            return {
                "x0": list(m.x[:, 0]),
                "x1": list(m.x[:, 1]),
                "row": list(m.y[:, 0]),
                "color": list(m.colors),
                "label": list(m.labels),
            }
        return self.live.data()

    # -- drawing -------------------------------------------------------------

    def _update(self, change: object = None) -> None:
        w = self.window
        segs = w.segments
        if not segs:
            return
        self._drawing = True
        try:
            with self.figure.hold_sync():
                if w.incremental:
                    self._draw_live()
                else:
                    self._draw_fixed()
                if w.rows != self._rows:
                    marks = self.live.marks if w.incremental else [self.fixed]
                    fit_rows(self.figure, self.scales, marks, w.rows)
                    self._rows = w.rows
                self.time.min, self.time.max = w.span
                set_stream_ticks(self.figure, w.span[0], w.span[1], w.origin)
        finally:
            self._drawing = False

    def _draw_live(self) -> None:
        w = self.window
        segs = w.segments
        held = len(segs["x0"])
        fresh = w.epoch != self._epoch or w.total - self._seen > held
        if fresh:
            first = 0
            self._rows = -1  # the marks to size may have changed
        else:
            first = held - (w.total - self._seen)
        if fresh or first < held:
            draw = self.live.replace if fresh else self.live.append
            draw(*(segs[k][first:] for k in ("x0", "x1", "row", "color", "label")))
        self._epoch, self._seen = w.epoch, w.total
        for mark in self.live.marks:
            mark.visible = True
        if self.fixed.visible:
            self.fixed.visible = False
            set_segments(self.fixed, [], [], [], [])
        self.figure.title = f"Task Stream \u2014 last {held:,} tasks, {w.rows} threads"
        self.rectangles = held

    def _draw_fixed(self) -> None:
        w = self.window
        segs = w.segments
        if w.epoch != self._epoch:
            for mark in self.live.marks:
                mark.visible = False
            self.fixed.visible = True
            self._rows = -1
            set_segments(
                self.fixed, segs["x0"], segs["x1"], segs["row"], segs["color"], labels=segs["label"]
            )
            self._epoch = w.epoch
        self.figure.title = f"Task Stream \u2014 fixed window, {segs['tasks']:,} tasks"
        self.rectangles = len(segs["x0"])
