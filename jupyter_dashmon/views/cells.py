"""Runs in the kernel: the Cells page, one row per cell run that did Dask work.

Reads :class:`~jupyter_dashmon.aggregate.models.WorkModel` (and the kernel's
run labels) only.  Newest run first; a cell run again shows how its duration
changed against its previous run.  Choosing a run in the list above the
table writes ``WorkModel.selected``, which the Tasks page follows, and shows
that run's card (its functions' progress) between list and table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from ipywidgets import HTML, Layout, VBox

from ..aggregate import ticks as tk
from ..aggregate.models import WorkModel
from ..aggregate.throttle import Throttle
from ..aggregate.transforms import format_bytes, format_seconds
from ..aggregate.work import (
    ACTIVITIES,
    RUN_LABELS,
    cell_rows,
    first_error,
    previous_runs,
    run_choices,
)
from .base import chooser
from .card import card_html
from .tables import Cell, Column, list_html

#: Runs the table lists at most (the model keeps ``runs_kept``).
MAX_ROWS = 100

COLUMNS = (
    Column("cell", "execution count, or the name given to track()", "text"),
    Column("code", "first line of the cell", "code"),
    Column("start", "clock time the first task arrived"),
    Column("duration", "first task in to last task out; change against the cell's last run"),
    Column("tasks", "tasks done / submitted"),
    Column("erred", "tasks that failed, or whose inputs failed"),
    *(Column(a, f"worker seconds spent on {a}") for a in ACTIVITIES),
    Column("bytes", "size of the results made"),
)


def duration_cell(row: Mapping[str, Any], before: Mapping[str, Any] | None, now: float) -> Cell:
    """The run's duration, with the change against ``before`` (the cell's last run)."""
    if row["stop"] is None:
        return Cell(f"running {format_seconds(max(now - row['start'], 0.0))}")
    took = max(row["stop"] - row["start"], 0.0)
    if before is None:
        return Cell(format_seconds(took))
    was = max(before["stop"] - before["start"], 0.0)
    change = took - was
    share = f" ({change / was:+.0%})" if was > 0 else ""
    sign = "+" if change >= 0 else "\u2212"
    text = f"{format_seconds(took)} {sign}{format_seconds(abs(change))}{share}"
    css = "slower" if change > 0.1 * was else "faster" if change < -0.1 * was else ""
    return Cell(text, title=f"last run of this cell: {format_seconds(was)}", css=css)


def table_html(rows: list[dict[str, Any]], selected: str, now: float) -> str:
    """The Cells table for ``rows`` (newest first), escaped."""
    before = previous_runs(rows)
    lines = []
    for row in rows[:MAX_ROWS]:
        cells: list[Cell | str] = [
            row["name"],
            Cell(row["code"], title=row["code"]),
            tk.clock_text(row["start"]),
            duration_cell(row, before.get(row["run"]), now),
            f"{row['done']:,} / {row['total']:,}",
            f"{row['erred']:,}" if row["erred"] else "",
            *(format_seconds(row["cpu"][a]) if row["cpu"][a] else "" for a in ACTIVITIES),
            format_bytes(row["bytes"]),
        ]
        lines.append((cells, "selected" if row["run"] == selected else ""))
    return list_html(COLUMNS, lines, empty="No cell has run Dask work yet.")


class CellsView:
    """The Cells page (``.widget``): a run chooser above the table."""

    def __init__(
        self, model: WorkModel, colors: Callable[[], Mapping[str, str]] = dict, every: float = 1.0
    ):
        self.model = model
        self.colors = colors
        self.choose = chooser("Show tasks of")
        self.table = HTML(layout=Layout(width="100%", min_width="0"))
        self.chosen = HTML(layout=Layout(width="auto"))
        self.widget = VBox([self.choose, self.chosen, self.table], layout=Layout(width="100%"))
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=["runs", "selected", "errors"])
        self.choose.observe(self._chosen, names=["value"])
        self._update()

    def rows(self) -> list[dict[str, Any]]:
        return cell_rows(self.model.runs, RUN_LABELS)

    def _chosen(self, change: dict) -> None:
        self.model.selected = change["new"] or ""

    def _update(self, change: object = None) -> None:
        rows = self.rows()
        now = time.time()
        html = table_html(rows, self.model.selected, now)
        if self.table.value != html:
            self.table.value = html
        chosen = next((r for r in rows if r["run"] == self.model.selected), None)
        card = ""
        if chosen is not None:
            error = first_error(self.model.errors, chosen["run"])
            card = card_html(chosen, self.colors(), error, now)
        if self.chosen.value != card:
            self.chosen.value = card
        options = [("all work", "")] + run_choices(rows, MAX_ROWS)
        if list(self.choose.options) != options:
            with self.choose.hold_trait_notifications():
                self.choose.options = options
                self.choose.value = (
                    self.model.selected if self.model.selected in dict(options).values() else ""
                )
