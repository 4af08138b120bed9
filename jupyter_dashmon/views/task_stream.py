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

from ipywidgets import Layout, ToggleButtons, VBox

from ..aggregate import transforms as tf
from ..aggregate.history import aggregate_window
from ..aggregate.models import ProgressModel, TaskHistoryModel, TaskStreamModel
from .base import (
    ChunkedSegments,
    Throttle,
    fit_rows,
    rect_mark,
    set_segments,
    stream_figure,
    stream_scales,
)

#: Most rectangles drawn for a fixed window (older history is aggregated beyond it).
FIXED_MAX_EXACT = 1000


class TaskStreamView:
    """The Task Stream (``.figure`` inside ``.widget``), kept in step with the models.

    Live mode draws only the records that are new since the last redraw,
    into a ring of chunked marks, and redraws at most every ``every`` seconds.
    """

    def __init__(
        self,
        tasks: TaskStreamModel,
        progress: ProgressModel,
        history: TaskHistoryModel | None = None,
        height: int = 260,
        every: float = 0.2,
    ):
        self.tasks = tasks
        self.progress = progress
        self.history = history or TaskHistoryModel()
        self.scales = stream_scales()
        self.time, self.rows = self.scales["x"], self.scales["y"]
        self.fixed = rect_mark(self.scales)
        self.live = ChunkedSegments(self.scales, tasks.length, tooltip=self.fixed.tooltip)
        # Every mark is in the figure from the start; live and fixed mode show
        # one set or the other (see ChunkedSegments on why marks are not added later).
        self.figure = stream_figure(
            "Task Stream", height, self.scales, [*self.live.marks, self.fixed], "seconds", pan=True
        )
        self.mode = ToggleButtons(
            options=[("Live", "live"), ("Fixed window", "fixed")],
            value=tasks.mode,
            tooltips=["Follow the last tasks", "Keep the current time window"],
            style={"button_width": "110px"},
        )
        self.widget = VBox([self.mode, self.figure], layout=Layout(width="100%"))
        self.rectangles = 0
        self._drawing = False
        self._generation = -1
        self._seen = 0
        self._row_of: dict[tuple[str, int], int] = {}
        self._colors = dict(progress.colors)
        self.redraw = Throttle(self._update, every)
        self.mode.observe(self._on_button, names=["value"])
        self.time.observe(self._on_zoom, names=["min", "max"])
        tasks.observe(self._on_mode, names=["mode", "window"])
        tasks.observe(self.redraw, names=["records"])
        progress.observe(self._on_colors, names=["colors"])
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
        self._generation = -1  # coming back to live redraws it whole
        self._update()

    def _on_colors(self, change: dict) -> None:
        # Records already drawn keep their colour: a prefix gets it on first sight.
        self._colors = dict(change["new"])

    def _show(self, live: bool) -> None:
        for mark in self.live.marks:
            mark.visible = live
        self.fixed.visible = not live
        if live:
            set_segments(self.fixed, [], [], [], [])

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
        if self.tasks.mode == "fixed" and self.tasks.window[1] > self.tasks.window[0]:
            self._draw_fixed()
        else:
            self._draw_live()

    def _draw_live(self) -> None:
        t = self.tasks
        records = t.records
        fresh = (
            t.generation != self._generation
            or t.received - self._seen > len(records)
            or t.received < len(records)  # records set without counting them: draw all
        )
        if fresh:
            self._row_of = {}
            new = records
            self._generation = t.generation
        else:
            new = (
                records[len(records) - (t.received - self._seen) :]
                if t.received > self._seen
                else []
            )
        self._seen = t.received
        rows_before = len(self._row_of)
        for r in new:
            self._row_of.setdefault((r["worker"], r["thread"]), len(self._row_of))
        rects = tf.stream_rectangles(new, self._row_of, self._colors, t.origin)
        draw = self.live.replace if fresh else self.live.append
        draw(rects["x0"], rects["x1"], rects["row"], rects["color"], rects["label"])
        left = records[0]["start"] - t.origin if records else 0.0
        right = max(
            (records[-1]["stop"] - t.origin) if records else 0.0, t.now - t.origin, left + 1.0
        )
        n_rows = max(len(self._row_of), 1)
        self._drawing = True
        try:
            with self.figure.hold_sync():
                self._show(live=True)
                if fresh or len(self._row_of) != rows_before:
                    fit_rows(self.figure, self.scales, self.live.marks, n_rows)
                self.time.min, self.time.max = left, right
                self.figure.title = (
                    f"Task Stream \u2014 last {len(records):,} tasks, {len(self._row_of)} threads"
                )
        finally:
            self._drawing = False
        self.rectangles = len(records)

    def _draw_fixed(self) -> None:
        t0, t1 = self.tasks.window
        history = self.history.history
        segs = aggregate_window(history, self.progress.colors, t0, t1, 1000, FIXED_MAX_EXACT)
        shift = t0 - self.tasks.origin
        n_rows = max(len(history.threads), 1)
        self._drawing = True
        try:
            with self.figure.hold_sync():
                self._show(live=False)
                fit_rows(self.figure, self.scales, [self.fixed], n_rows)
                self.time.min, self.time.max = shift, shift + (t1 - t0)
                set_segments(
                    self.fixed,
                    [x + shift for x in segs["x0"]],
                    [x + shift for x in segs["x1"]],
                    segs["row"],
                    segs["color"],
                    labels=segs["label"],
                )
                self.figure.title = f"Task Stream \u2014 fixed window, {segs['tasks']:,} tasks"
        finally:
            self._drawing = False
        self.rectangles = len(segs["x0"])
