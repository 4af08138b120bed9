"""Runs in the kernel: the Task Stream figure, what every worker thread ran.

Draws the :class:`~jupyter_dashmon.aggregate.models.TaskWindowModel` that
:class:`~jupyter_dashmon.aggregate.task_windows.StreamWindow` keeps over the
task store for a :class:`~jupyter_dashmon.aggregate.models.TaskStreamModel`,
and writes the user's choice of mode and window back into that model.  One
row per worker thread, time on the x-axis (seconds since the stream's
origin, labelled with the clock time), one rectangle per record coloured by
function; transfers red, erred tasks black.  Hovering a rectangle shows key,
worker and duration.

Live mode follows the last tasks; panning or zooming (on the "Pan/zoom"
button; hover works either way) or the "Fixed window" button switches to a
fixed window, which stays put through updates until "Live" is chosen again.
The rectangles are drawn by a :class:`~.canvas.TaskCanvas`.
"""

from __future__ import annotations

from ipywidgets import HBox, Layout, ToggleButtons, VBox

from ..aggregate.models import ProgressModel, TaskHistoryModel, TaskStreamModel
from ..aggregate.task_windows import STREAM_EVERY, StreamWindow
from .base import Throttle
from .canvas import TaskCanvas, pan_toggle


class TaskStreamView:
    """The Task Stream (``.figure`` inside ``.widget``), kept in step with the models.

    Live mode sends the canvas only the segments that are new since the last
    redraw (it keeps the last ``tasks.length``); a fixed window is sent whole.
    ``history`` is the store ``tasks`` reads (``tasks.source``), accepted for
    the callers that pass it.
    """

    def __init__(
        self,
        tasks: TaskStreamModel,
        progress: ProgressModel,
        history: TaskHistoryModel | None = None,
        height: int = 260,
        every: float = STREAM_EVERY,
    ):
        if history is not None and history is not tasks.source:
            raise ValueError("the task stream must read the store it is given")
        self.tasks = tasks
        self.window = StreamWindow(tasks, progress, every=every).out
        self.figure = TaskCanvas(title="Task Stream", height=height, capacity=tasks.length)
        self.pan = pan_toggle(self.figure)
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
        self._epoch = -1
        self._seen = 0
        self.redraw = Throttle(self._update, 0.0, on_active=self._set_active)
        self.mode.observe(self._on_button, names=["value"])
        self.figure.on_user_span(self._on_zoom)
        tasks.observe(self._on_mode, names=["mode"])
        tasks.observe(self._on_length, names=["length"])
        self.window.observe(self.redraw, names=["revision"])
        self._update()

    def _set_active(self, active: bool) -> None:
        self.window.active = active

    # -- user choices --------------------------------------------------------

    def _on_button(self, change: dict) -> None:
        if change["new"] == "fixed" and self.tasks.mode == "live":
            self._freeze(*self.figure.span)
        self.tasks.mode = change["new"]

    def _on_zoom(self, span: tuple[float, float]) -> None:
        # The user panned or zoomed in the browser: keep that window.
        lo, hi = span
        self.figure.set_clock(self.window.origin)
        self._freeze(lo, hi)
        self.tasks.mode = "fixed"

    def _on_length(self, change: dict) -> None:
        self.figure.capacity = change["new"]

    def _freeze(self, lo: float, hi: float) -> None:
        if not hi > lo:
            return
        self.tasks.window = (self.tasks.origin + lo, self.tasks.origin + hi)

    def _on_mode(self, change: object = None) -> None:
        self.mode.value = self.tasks.mode

    def drawn(self) -> dict[str, list]:
        """What the figure shows now, in columns (x0, x1, row, color, label)."""
        return self.figure.drawn()

    # -- drawing -------------------------------------------------------------

    def _update(self, change: object = None) -> None:
        w = self.window
        if not w.segments:
            return
        with self.figure.hold_sync():
            if w.incremental:
                self._draw_live()
            else:
                self._draw_fixed()
            self.figure.rows = w.rows
            lo, hi = w.span
            if hi > lo:
                self.figure.span = (lo, hi)
                self.figure.set_clock(w.origin)

    def _draw_live(self) -> None:
        w = self.window
        segs = w.segments
        held = len(segs["x0"])
        fresh = w.epoch != self._epoch or w.total - self._seen > held
        first = 0 if fresh else held - (w.total - self._seen)
        if fresh or first < held:
            if fresh:
                self.figure.replace(segs)  # type: ignore[arg-type]
            else:
                self.figure.grow(segs, first)  # type: ignore[arg-type]
        self._epoch, self._seen = w.epoch, w.total
        self.figure.title = f"Task Stream \u2014 last {held:,} tasks, {w.rows} threads"
        self.rectangles = held

    def _draw_fixed(self) -> None:
        w = self.window
        segs = w.segments
        if w.epoch != self._epoch:
            self.figure.replace(segs)  # type: ignore[arg-type]
            self._epoch = w.epoch
            self._seen = -1  # coming back to live starts afresh
        self.figure.title = f"Task Stream \u2014 fixed window, {segs['tasks']:,} tasks"
        self.rectangles = len(segs["x0"])
