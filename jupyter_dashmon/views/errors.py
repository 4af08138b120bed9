"""Runs in the kernel: the Errors page, failed tasks grouped by function and exception.

Reads :class:`~jupyter_dashmon.aggregate.models.WorkModel` only.  One row per
group, most recent failure first; under it, the traceback and a few keys in
a fold.  Messages and tracebacks are text: escaped, never markup.
:class:`ErrorBanner` is the Status page's one-line pointer to this page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from ipywidgets import HTML, Layout

from ..aggregate import ticks as tk
from ..aggregate.models import WorkModel
from ..aggregate.throttle import Throttle
from ..aggregate.work import RUN_LABELS, error_rows
from .tables import Cell, Column, list_html

COLUMNS = (
    Column("function", "task prefix", "text"),
    Column("exception", "type of the exception raised", "text"),
    Column("count", "tasks that raised it"),
    Column("first", "clock time of the first failure"),
    Column("last", "clock time of the latest failure"),
    Column("cell", "the cell that submitted the first failing task", "text"),
    Column("workers", "workers it happened on (the first few)", "text"),
    Column("message", "the first failure's exception", "code"),
)


def _detail(group: Mapping[str, Any]) -> str:
    keys = ", ".join(html.escape(k) for k in group["keys"])
    more = group["count"] - len(group["keys"])
    if more > 0:
        keys += f" and {more:,} more"
    return (
        "<details><summary>traceback and keys</summary>"
        f"<pre>{html.escape(group['traceback'] or '(no traceback)')}</pre>"
        f"<div>keys: {keys}</div></details>"
    )


def errors_html(groups: list[dict[str, Any]]) -> str:
    """The Errors table (most recent first), escaped."""
    rows = []
    for g in groups:
        cell = "other" if g["cell"] is None else f"In [{g['cell']}]"
        rows.append(
            (
                [
                    g["prefix"],
                    g["exception"],
                    f"{g['count']:,}",
                    tk.clock_text(g["first"]),
                    tk.clock_text(g["last"]),
                    cell,
                    ", ".join(g["workers"]),
                    Cell(g["message"].splitlines()[0] if g["message"] else "", title=g["message"]),
                ],
                "",
            )
        )
    return list_html(COLUMNS, rows, [_detail(g) for g in groups], empty="No task has failed.")


def banner_text(groups: list[dict[str, Any]]) -> str:
    """One line for the Status page: how many tasks failed, and where to look."""
    if not groups:
        return ""
    failed = sum(g["count"] for g in groups)
    kinds = len(groups)
    return (
        f"\u26a0 {failed:,} task{'s' * (failed != 1)} failed "
        f"({kinds} kind{'s' * (kinds != 1)}): see the Errors tab"
    )


class ErrorsView:
    """The Errors page (``.widget``)."""

    def __init__(self, model: WorkModel, every: float = 1.0):
        self.model = model
        self.widget = HTML(layout=Layout(width="100%", min_width="0"))
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=["errors"])
        self._update()

    def rows(self) -> list[dict[str, Any]]:
        return error_rows(self.model.errors, RUN_LABELS)

    def _update(self, change: object = None) -> None:
        page = errors_html(self.rows())
        if self.widget.value != page:
            self.widget.value = page


class ErrorBanner:
    """One line over the Status page (``.widget``) when tasks failed, naming the Errors tab."""

    def __init__(self, model: WorkModel, every: float = 1.0):
        self.model = model
        self.widget = HTML(layout=Layout(width="auto", display="none"))
        self.widget.add_class("dashmon-errors-banner")
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=["errors"])
        self._update()

    def _update(self, change: object = None) -> None:
        text = banner_text(error_rows(self.model.errors, RUN_LABELS))
        value = f'<span style="color: var(--jp-error-color1, #d32f2f)">{html.escape(text)}</span>'
        self.widget.value = value if text else ""
        self.widget.layout.display = "" if text else "none"
