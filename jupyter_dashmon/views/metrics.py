"""Runs in the kernel: the Metrics tab, fine performance metrics and transfer bandwidth.

Reads :class:`~jupyter_dashmon.aggregate.models.MetricsModel` (and the
bytes in memory per function of the progress model): where the workers'
time went per activity (compute on the CPU and off it, the executor, disk,
(de)serialisation, transfers) for one function or all work, the bytes read
per activity, compute time by function, each function's share of the
memory held now, and the measured bandwidth by data type and by pair of
workers.  Each is a row chart (``bar_rows.py``): one bar per row with its
name and value written in it, its tooltip on the whole row.
"""

from __future__ import annotations

from collections.abc import Callable

from ipywidgets import HBox, Layout, VBox

from ..aggregate import fine_metrics as fm
from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.models import MetricsModel, ProgressModel, WorkModel
from ..aggregate.work import RUN_LABELS, cell_rows, run_choices
from ..collect.messages import OTHER_RUN
from .bar_rows import BarRows, axis_of, note_row, value_row
from .base import Throttle, chooser, side_by_side

#: Bars per chart at most.
MOST_ROWS = 12
#: Runs offered in the cell chooser at most (the newest).
MOST_RUNS = 100
TIME_COLOR, BYTES_COLOR, BANDWIDTH_COLOR = "#3d80d7", "#12909f", "#e41a1c"


def _share(share: float) -> str:
    return f"{share:.0%}"


def _share_ticks(peak: float) -> tk.Ticks:
    """Shares always on the whole 0 to 100 % range, so bars compare across redraws."""
    values = [0.0, 0.25, 0.5, 0.75, 1.0]
    return tk.Ticks(0.0, 1.0, values, {tk.js_key(v): f"{v:.0%}" for v in values})


def _rate(bps: float) -> str:
    return f"{tf.format_bytes(bps)}/s"


class RowChart:
    """A titled bar chart, one labelled row per value (``.figure``)."""

    def __init__(
        self,
        title: str,
        color: str,
        fmt: Callable[[float], str],
        ticks: Callable,
        total: bool = True,
    ):
        self.title, self.color, self.fmt, self.ticks = title, color, fmt, ticks
        self.total = total  # whether the title gives the sum (not of rates)
        self.figure = BarRows(title=title, layout=Layout(width="100%"))
        self.names: list[str] = []
        self.values: list[float] = []

    def set(self, values: dict[str, float], empty: str) -> None:
        shown = list(values)[:MOST_ROWS]
        nums = [float(values[k]) for k in shown]
        ticks = self.ticks(max(nums, default=0.0))
        rows = [
            value_row(
                f"{tf.short_name(k, 24)}  {self.fmt(v)}",
                f"{k}: {self.fmt(v)}",
                v / ticks.hi,
                self.color,
            )
            for k, v in zip(shown, nums)
        ]
        total = sum(values.values())
        with self.figure.hold_sync():
            self.figure.rows = rows or [note_row(empty)]
            self.figure.axis = axis_of(ticks) if shown else []
            self.figure.title = (
                f"{self.title}: {self.fmt(total)}" if shown and self.total else self.title
            )
        self.names, self.values = shown, nums


class MetricsView:
    """The Metrics tab (``.widget``): cell and function choosers over six row charts.

    ``time``, ``bytes``, ``types`` and ``pairs`` are :class:`RowChart` s:
    seconds and bytes per activity, bandwidth per data type and per pair of
    workers (fastest first).  ``cell`` offers the runs of ``work`` (cell
    executions, ``track`` blocks) by their label; the time and bytes by
    activity and compute by function then count that run's tasks only.
    """

    def __init__(
        self,
        model: MetricsModel,
        progress: ProgressModel | None = None,
        work: WorkModel | None = None,
        every: float = 0.5,
    ):
        self.model = model
        self.progress = progress
        self.work = work
        self.cell = chooser("Cell")
        self.function = chooser("Function")
        self.time = RowChart("Time by activity", TIME_COLOR, tf.format_seconds, self._second_ticks)
        self.bytes = RowChart("Bytes by activity", BYTES_COLOR, tf.format_bytes, tk.byte_ticks)
        rate_ticks = lambda peak: tk.byte_ticks(peak, per_second=True)  # noqa: E731
        self.types = RowChart("Bandwidth by type", BANDWIDTH_COLOR, _rate, rate_ticks, False)
        self.pairs = RowChart("Bandwidth by worker pair", BANDWIDTH_COLOR, _rate, rate_ticks, False)
        self.compute = RowChart(
            "Compute time by function", TIME_COLOR, tf.format_seconds, self._second_ticks
        )
        self.memory = RowChart("Memory by function now", BYTES_COLOR, _share, _share_ticks, False)
        self.widget = VBox(
            [
                HBox([self.cell, self.function], layout=Layout(flex_flow="row wrap")),
                side_by_side(self.time.figure, self.bytes.figure),
                side_by_side(self.compute.figure, self.memory.figure),
                side_by_side(self.types.figure, self.pairs.figure),
            ],
            layout=Layout(width="100%"),
        )
        self.function.observe(self._chosen, names=["value"])
        self._syncing = False
        self.cell.observe(self._cell_chosen, names=["value"])
        self.redraw = Throttle(self._draw, every, on_active=self._set_active)
        model.observe(
            self.redraw,
            names=["run", "summary", "functions", "bandwidth_types", "bandwidth_workers"],
        )
        if progress is not None:
            progress.observe(self.redraw, names=["prefixes"])
        if work is not None:
            work.observe(self.redraw, names=["runs"])
        self._draw()

    @staticmethod
    def _second_ticks(peak: float) -> tk.Ticks:
        return tk.quantity_ticks(peak, floor=0.001, unit="s")

    def _set_active(self, active: bool) -> None:
        self.model.active = active

    def _chosen(self, change: dict) -> None:
        self.model.function = change["new"] or ""

    def _cell_chosen(self, change: dict) -> None:
        if not self._syncing:
            self.model.run = change["new"] or ""

    def _cell_options(self) -> list[tuple[str, str]]:
        # Work with no run annotation has no span of its own to split out.
        runs = self.work.runs if self.work is not None else {}
        rows = [r for r in cell_rows(runs, RUN_LABELS) if r["run"] != OTHER_RUN]
        options = [("all work", "")] + run_choices(rows, MOST_RUNS)
        chosen = self.model.run
        if chosen and chosen not in dict(options).values():
            # Chosen before its first task was counted (or after it left the
            # list): still offered, so the chooser says what is shown.
            options.append((RUN_LABELS.get(chosen)["name"], chosen))
        return options

    def _draw(self) -> None:
        m = self.model
        cells = self._cell_options()
        self._syncing = True  # the chooser follows the model here, not the other way
        try:
            if list(self.cell.options) != cells:
                self.cell.options = cells
            if self.cell.value != m.run:
                self.cell.value = m.run
        finally:
            self._syncing = False
        options = [("all work", "")] + [(f, f) for f in m.functions]
        if list(self.function.options) != options:
            with self.function.hold_trait_notifications():
                self.function.options = options
                self.function.value = m.function if m.function in m.functions else ""
        self.time.set(m.summary.get("seconds", {}), "no task has run yet")
        self.compute.set(fm.compute_by_function(m.rows), "no task has run yet")
        # These three are the cluster's whatever the cell: their titles say so then.
        whole = " (all work)" if m.run else ""
        self.types.title = f"Bandwidth by type{whole}"
        self.pairs.title = f"Bandwidth by worker pair{whole}"
        self.memory.title = f"Memory by function now{whole}"
        prefixes = self.progress.prefixes if self.progress is not None else {}
        self.memory.set(fm.memory_shares(prefixes), "no results in memory")
        self.bytes.set(m.summary.get("bytes", {}), "no bytes read yet")
        self.types.set(dict(m.bandwidth_types), "no transfer yet")
        self.pairs.set({f"{a} \u2192 {b}": v for a, b, v in m.bandwidth_workers}, "no transfer yet")
