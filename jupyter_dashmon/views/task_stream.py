"""Runs in the kernel: the Task Stream figure, what every worker thread ran.

Reads :class:`~jupyter_dashmon.aggregate.models.TaskStreamModel` (records,
mode, window), :class:`~jupyter_dashmon.aggregate.models.TaskHistoryModel`
(for a fixed window older than the live records) and the colours of
:class:`~jupyter_dashmon.aggregate.models.ProgressModel` only.  One row per
worker thread, time on the x-axis (seconds since the stream's origin), one
rectangle per record coloured by function; transfers red, erred tasks black.
Hovering a rectangle shows key, worker and duration.

Live mode follows the last tasks; panning or zooming (or the "Fixed window"
button) switches to a fixed window, which stays put through updates until
"Live" is chosen again.
"""

from __future__ import annotations

from bqplot import Axis, LinearScale, Lines, PanZoom, Tooltip
from ipywidgets import Layout, ToggleButtons, VBox

from ..aggregate import transforms as tf
from ..aggregate.history import aggregate_window
from ..aggregate.models import ProgressModel, TaskHistoryModel, TaskStreamModel
from .base import plot_height, set_segments, tile_figure

#: Most rectangles drawn for a fixed window (older history is aggregated beyond it).
FIXED_MAX_EXACT = 1000


class TaskStreamView:
    """The Task Stream (``.figure`` inside ``.widget``), kept in step with the models."""

    def __init__(
        self,
        tasks: TaskStreamModel,
        progress: ProgressModel,
        history: TaskHistoryModel | None = None,
        height: int = 260,
    ):
        self.tasks = tasks
        self.progress = progress
        self.history = history or TaskHistoryModel()
        self.time = LinearScale()
        self.rows = LinearScale(min=-0.5, max=0.5, reverse=True)
        self.rects = Lines(
            scales={"x": self.time, "y": self.rows}, stroke_width=10,
            tooltip=Tooltip(fields=["name"], show_labels=False),
        )  # fmt: skip
        self.figure = tile_figure(
            "Task Stream", height, margin={"bottom": 36, "left": 24}, marks=[self.rects],
            axes=[Axis(scale=self.time, label="seconds", num_ticks=6, grid_lines="none")],
            interaction=PanZoom(scales={"x": [self.time]}),
        )  # fmt: skip
        self.mode = ToggleButtons(
            options=[("Live", "live"), ("Fixed window", "fixed")], value=tasks.mode,
            tooltips=["Follow the last tasks", "Keep the current time window"],
            style={"button_width": "110px"},
        )  # fmt: skip
        self.widget = VBox([self.mode, self.figure], layout=Layout(width="100%"))
        self.rectangles = 0
        self._drawing = False
        self.mode.observe(self._on_button, names=["value"])
        self.time.observe(self._on_zoom, names=["min", "max"])
        tasks.observe(self._on_mode, names=["mode", "window"])
        tasks.observe(self._update, names=["records", "now"])
        progress.observe(self._update, names=["colors"])
        self._update()

    # -- user choices --------------------------------------------------------

    def _on_button(self, change: dict) -> None:
        if change["new"] == "fixed" and self.tasks.mode == "live":
            self._freeze(self.time.min, self.time.max)
        self.tasks.mode = change["new"]

    def _on_zoom(self, change: object = None) -> None:
        if self._drawing or self.time.min is None or self.time.max is None:
            return
        self._freeze(self.time.min, self.time.max)
        self.tasks.mode = "fixed"

    def _freeze(self, lo: float | None, hi: float | None) -> None:
        if lo is None or hi is None or not hi > lo:
            return
        self.tasks.window = (self.tasks.origin + lo, self.tasks.origin + hi)

    def _on_mode(self, change: object = None) -> None:
        self.mode.value = self.tasks.mode
        self._update()

    # -- drawing -------------------------------------------------------------

    def _update(self, change: object = None) -> None:
        if self.tasks.mode == "fixed" and self.tasks.window[1] > self.tasks.window[0]:
            self._draw_fixed()
        else:
            self._draw_live()

    def _draw_live(self) -> None:
        records = self.tasks.records
        origin = self.tasks.origin
        rows = tf.thread_rows(records)
        rects = tf.stream_rectangles(records, rows, self.progress.colors, origin)
        right = max(self.tasks.now - origin, max(rects["x1"], default=0.0))
        left = min(rects["x0"], default=0.0)
        self._draw(rects, len(rows), left, max(right, left + 1.0))
        self.figure.title = f"Task Stream \u2014 last {len(records):,} tasks, {len(rows)} threads"

    def _draw_fixed(self) -> None:
        t0, t1 = self.tasks.window
        history = self.history.history
        segs = aggregate_window(history, self.progress.colors, t0, t1, 1000, FIXED_MAX_EXACT)
        shift = t0 - self.tasks.origin
        segs["x0"] = [x + shift for x in segs["x0"]]
        segs["x1"] = [x + shift for x in segs["x1"]]
        self._draw(segs, len(history.threads), shift, shift + (t1 - t0))
        self.figure.title = f"Task Stream \u2014 fixed window, {segs['tasks']:,} tasks"

    def _draw(self, rects: dict, n_rows: int, left: float, right: float) -> None:
        n_rows = max(n_rows, 1)
        self._drawing = True
        try:
            with self.figure.hold_sync():
                self.rows.max = n_rows - 0.5
                self.rects.stroke_width = min(plot_height(self.figure) / n_rows * 0.8, 40.0)
                self.time.min, self.time.max = left, right
                set_segments(self.rects, rects["x0"], rects["x1"], rects["row"], rects["color"],
                             labels=rects["label"])  # fmt: skip
        finally:
            self._drawing = False
        self.rectangles = len(rects["x0"])
