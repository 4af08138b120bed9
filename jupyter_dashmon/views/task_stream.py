"""Runs in the kernel: the Task Stream figure, what every worker thread ran.

Reads :class:`~jupyter_dashmon.aggregate.models.TaskStreamModel` (records)
and :class:`~jupyter_dashmon.aggregate.models.ProgressModel` (colours) only.
One row per worker thread, time on the x-axis (seconds since the stream's
origin), one rectangle per record coloured by function; transfers red,
erred tasks black.  Hovering a rectangle shows key, worker and duration.
"""

from __future__ import annotations

from bqplot import Axis, LinearScale, Lines, Tooltip

from ..aggregate import transforms as tf
from ..aggregate.models import ProgressModel, TaskStreamModel
from .base import plot_height, set_segments, tile_figure


class TaskStreamView:
    """The Task Stream figure (``.figure``), kept in step with the models."""

    def __init__(self, tasks: TaskStreamModel, progress: ProgressModel, height: int = 260):
        self.tasks = tasks
        self.progress = progress
        self.time = LinearScale()
        self.rows = LinearScale(min=-0.5, max=0.5, reverse=True)
        self.rects = Lines(
            scales={"x": self.time, "y": self.rows}, stroke_width=10,
            tooltip=Tooltip(fields=["name"], show_labels=False),
        )  # fmt: skip
        self.figure = tile_figure(
            "Task Stream", height, margin={"bottom": 36, "left": 24}, marks=[self.rects],
            axes=[Axis(scale=self.time, label="seconds", num_ticks=6, grid_lines="none")],
        )  # fmt: skip
        self.rectangles = 0
        tasks.observe(self._update, names=["records", "now"])
        progress.observe(self._update, names=["colors"])
        self._update()

    def _update(self, change: object = None) -> None:
        records = self.tasks.records
        origin = self.tasks.origin
        rows = tf.thread_rows(records)
        rects = tf.stream_rectangles(records, rows, self.progress.colors, origin)
        n_rows = max(len(rows), 1)
        with self.figure.hold_sync():
            self.rows.max = n_rows - 0.5
            self.rects.stroke_width = min(plot_height(self.figure) / n_rows * 0.8, 40.0)
            right = max(self.tasks.now - origin, max(rects["x1"], default=0.0))
            left = min(rects["x0"], default=0.0)
            self.time.min, self.time.max = left, max(right, left + 1.0)
            set_segments(self.rects, rects["x0"], rects["x1"], rects["row"], rects["color"],
                         labels=rects["label"])  # fmt: skip
            self.figure.title = f"Task Stream \u2014 {len(records):,} tasks, {len(rows)} threads"
        self.rectangles = len(rects["x0"])
