"""Runs in the kernel: the selected worker's recent task stream (Workers page).

Draws the :class:`~jupyter_dashmon.aggregate.models.TaskWindowModel` that
:class:`~jupyter_dashmon.aggregate.task_windows.WorkerWindow` keeps over the
task store: the selected worker's threads over its last ``span`` seconds.
"""

from __future__ import annotations

from ..aggregate import ticks as tk
from ..aggregate.models import ProgressModel, TaskHistoryModel, WorkersModel
from ..aggregate.segments import no_segments
from ..aggregate.task_windows import WorkerWindow
from .base import Throttle
from .canvas import TaskCanvas


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
        self.span = span
        self.window = WorkerWindow(history, workers, progress, span=span, every=every).out
        self.figure = TaskCanvas(
            title="Recent tasks", height=height, row_cap=30.0, span=(-span, 0.0)
        )
        self.figure.set_ticks(tk.ago_ticks(span))
        self.tasks = 0
        self._drawn = -1
        self.redraw = Throttle(self._update, 0.0, on_active=self._set_active)
        self.window.observe(self.redraw, names=["revision"])
        self._update()

    def _set_active(self, active: bool) -> None:
        self.window.active = active

    def _update(self, change: object = None) -> None:
        w = self.window
        segs = w.segments
        if not segs or w.revision == self._drawn:
            return
        self._drawn = w.revision
        if not w.rows:  # no worker chosen (or no task yet): an empty figure, as built
            with self.figure.hold_sync():
                if self.figure.count:
                    self.figure.replace(no_segments())
                self.figure.rows = 0
                self.figure.title = "Recent tasks"
            self.tasks = 0
            return
        with self.figure.hold_sync():
            self.figure.rows = w.rows
            self.figure.span = w.span
            self.figure.set_ticks(tk.ago_ticks(-w.span[0]))
            self.figure.replace(segs)  # type: ignore[arg-type]
            self.figure.title = (
                f"Recent tasks on this worker: {segs['tasks']:,} in the last {self.span:.0f} s"
            )
        self.tasks = segs["tasks"]
