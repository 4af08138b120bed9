"""Runs in the kernel: the status line above the figures.

Reads :class:`~jupyter_dashmon.aggregate.models.StatusModel` only and shows,
as plain text (never HTML), whether data is flowing and what is wrong if not.
"""

from __future__ import annotations

from ipywidgets import Label, Layout

from ..aggregate.models import StatusModel

_PREFIX = {
    "connecting": "Connecting to",
    "live": "Live from",
    "disconnected": "Disconnected from",
    "closed": "Closed:",
    "error": "Not available:",
}


class StatusView:
    """A text widget (``.widget``) describing a StatusModel; one line, wrapping when narrow."""

    def __init__(self, model: StatusModel):
        self.model = model
        # "auto", not "100%": the widget's margin would push it past the edge.
        self.widget = Label(layout=Layout(width="auto"))
        self.widget.add_class("dashmon-status")
        model.observe(self._update, names=["state", "message", "scheduler", "workers"])
        self._update()

    def text(self) -> str:
        """The line as shown."""
        m = self.model
        threads = sum(int(w.get("nthreads", 0)) for w in m.workers.values())
        where = m.scheduler or "the scheduler"
        line = f"Dask dashboard \u2014 {_PREFIX[m.state]} {where}"
        if m.state == "live":
            line += f" \u2014 {len(m.workers)} workers, {threads} threads"
        if m.message:
            line += f" \u2014 {m.message}"
        return line

    def _update(self, change: object = None) -> None:
        self.widget.value = self.text()
        classes = [c for c in self.widget._dom_classes if c[len("dashmon-") :] not in _PREFIX]
        classes.append(f"dashmon-{self.model.state}")
        if list(self.widget._dom_classes) != classes:
            self.widget._dom_classes = classes
