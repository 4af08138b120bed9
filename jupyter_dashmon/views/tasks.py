"""Runs in the kernel: the Tasks page, the whole retained task history.

Draws the :class:`~jupyter_dashmon.aggregate.models.TaskWindowModel` that
:class:`~jupyter_dashmon.aggregate.task_windows.HistoryWindow` keeps over the
task store: one segment per task when few are visible, else one per run of
pixels of one colour, so a message stays a few thousand rectangles.  Pan
and zoom happen in the browser at once (on a :class:`~.canvas.TaskCanvas`);
the view writes the new window into the model, and the kernel's window then
recomputes it at full detail.
"Latest run" zooms to the newest run of work (idle gaps between runs would
squeeze each run of a long history into a sliver); "Show all" goes back.
"""

from __future__ import annotations

from ipywidgets import Button, HBox, Label, Layout, VBox

from ..aggregate.models import ProgressModel, TaskHistoryModel, WorkModel
from ..aggregate.runs import latest_run
from ..aggregate.task_windows import HistoryWindow
from ..aggregate.work import RUN_LABELS
from .base import Throttle
from .canvas import TaskCanvas, pan_toggle

#: Seconds between recomputations caused by new tasks (a pan or zoom is taken at once).
REDRAW_EVERY = 1.0


class TasksView:
    """The Tasks page (``.widget``): pan, zoom and hover over the retained history."""

    def __init__(
        self,
        model: TaskHistoryModel,
        progress: ProgressModel,
        height: int = 420,
        work: WorkModel | None = None,
    ):
        self.model = model
        self.work = work
        self.window = HistoryWindow(model, progress, every=REDRAW_EVERY).out
        self.figure = TaskCanvas(title="Tasks", height=height, row_cap=30.0)
        self.pan = pan_toggle(self.figure)
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
        self._drawn = -1
        self.redraw = Throttle(self._draw, 0.0, on_active=self._set_active)
        self.window.observe(self.redraw, names=["revision"])
        self.figure.on_user_span(self._on_zoom)
        if work is not None:
            work.observe(self._on_run_chosen, names=["selected"])
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
        lo, hi = t0 - margin - w.origin, t1 + margin - w.origin
        self.figure.span = (lo, hi)
        self.figure.set_clock(w.origin)

    def _on_run_chosen(self, change: object = None) -> None:
        """A run chosen on the Cells page: show only its tasks, zoomed to its time."""
        work = self.work
        run = work.runs.get(work.selected) if work is not None and work.selected else None
        w = self.window
        if run is None:
            with w.hold_trait_notifications():
                w.run = 0
                w.follow = True
            return
        t0, t1 = run["start"], max(run["stop"], run["start"] + 0.1)
        margin = (t1 - t0) * 0.02
        with w.hold_trait_notifications():
            w.run = int(run["index"])
            w.follow = False
            w.window = (t0 - margin, t1 + margin)
        lo, hi = t0 - margin - w.origin, t1 + margin - w.origin
        self.figure.span = (lo, hi)
        self.figure.set_clock(w.origin)

    def _on_zoom(self, span: tuple[float, float]) -> None:
        # The user panned or zoomed: stop following and have that window drawn in detail.
        w = self.window
        lo, hi = span
        self.figure.set_clock(w.origin)
        with w.hold_trait_notifications():
            w.follow = False
            w.window = (w.origin + lo, w.origin + hi)

    def _draw(self, change: object = None) -> None:
        w = self.window
        segs = w.segments
        if not segs or w.revision == self._drawn:
            return
        self._drawn = w.revision
        with self.figure.hold_sync():
            self.figure.rows = w.rows
            self.figure.replace(segs)  # type: ignore[arg-type]
            if w.follow and w.span[1] > w.span[0]:
                self.figure.span = w.span
                self.figure.set_clock(w.origin)
            how = "aggregated by pixel" if segs["aggregated"] else "one rectangle per task"
            only = ""
            if w.run and self.work is not None and self.work.selected:
                only = f" of {RUN_LABELS.get(self.work.selected)['name']}"
            self.figure.title = (
                f"Tasks \u2014 {w.retained:,} retained, {segs['tasks']:,}{only} in view ({how})"
            )
        self.info.value = "following new tasks" if w.follow else "fixed window (pan/zoom)"
        self.segments, self.aggregated = len(segs["x0"]), segs["aggregated"]
