"""Runs in the kernel: the Workers page, a sortable table and per-worker plots.

Reads :class:`~jupyter_dashmon.aggregate.models.WorkersModel` only.  The table
shows every worker's latest reading (at most :data:`MAX_ROWS` rows, the totals
row always covering all of them), sorted by the column chosen above it.  Its
header cells are in the same ``<table>`` as its rows, so they cannot drift
from their columns; headers are short, with the full name as their tooltip,
and a narrow page scrolls the table sideways.  Below it, CPU % and memory %
per worker as bars, which become histograms from ``summary_threshold``
workers on so that a large cluster stays readable.  Choosing a worker shows
its CPU, memory and network over time and what it runs now.  Every value
taken from the cluster is HTML-escaped before it reaches an ``HTML`` widget:
worker names and task keys are user data.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from bqplot import Axis, LinearScale, Lines
from ipywidgets import HTML, Dropdown, HBox, Layout, ToggleButtons, VBox

from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.models import WorkersModel
from ..aggregate.workers import bar_names, sorted_rows
from ..collect.messages import DETAIL_KEYS
from .base import (
    EndLabels,
    RectBars,
    Throttle,
    clock_axis,
    clock_scale,
    datetimes,
    quantity_scale,
    set_clock,
    set_ticks,
    side_by_side,
    tile_figure,
    value_axis,
)
from .hover import TimeHover, themed

#: Table rows shown at most; the totals row is always computed over all workers.
MAX_ROWS = 50
#: Running task keys listed at most for the chosen worker: all the collector sends.
MAX_KEYS = DETAIL_KEYS
#: Per-worker bars are named under the axis up to this many workers (hover names them all).
MAX_NAMED_BARS = 16

CPU_COLOR, MEMORY_COLOR, LIMIT_COLOR = "#1f77b4", "#2ca02c", "#8c8c8c"
READ_COLOR, WRITE_COLOR = "#9467bd", "#ff7f0e"


def _text(v: Any) -> str:
    return str(v)


def _count(v: Any) -> str:
    return f"{int(v):,}"


def _pct(v: Any) -> str:
    return f"{float(v):.1f}"


def _bytes(v: Any) -> str:
    return tf.format_bytes(v)


def _rate(v: Any) -> str:
    return f"{tf.format_bytes(v)}/s"


def _ago(v: Any) -> str:
    return f"{float(v):.1f} s"


#: Table columns: (key in the row dicts, short header, full name, formatter).
#: ``memory_pct`` and ``seen_ago`` are derived on the aggregate side (``WorkersModel.derived``).
COLUMNS: tuple[tuple[str, str, str, Callable[[Any], str]], ...] = (
    ("name", "name", "worker name", _text),
    ("address", "address", "worker address", _text),
    ("nthreads", "thr", "threads", _count),
    ("cpu", "CPU %", "CPU % (100 per busy core)", _pct),
    ("memory", "mem", "memory used by the process", _bytes),
    ("memory_limit", "limit", "memory limit", _bytes),
    ("memory_pct", "mem %", "memory as % of the limit", _pct),
    ("managed", "managed", "managed memory: results held by Dask", _bytes),
    ("unmanaged", "unmgd", "unmanaged memory: the process beyond Dask's results", _bytes),
    (
        "unmanaged_recent",
        "recent",
        "of the unmanaged memory, what appeared recently (30 s by default; often freed soon)",
        _bytes,
    ),
    ("spilled", "spilled", "bytes spilled to disk", _bytes),
    ("processing", "proc", "tasks processing", _count),
    ("in_memory", "in mem", "results in memory", _count),
    ("network_read", "net in", "network read per second", _rate),
    ("network_write", "net out", "network write per second", _rate),
    ("disk_read", "disk in", "disk read per second", _rate),
    ("disk_write", "disk out", "disk write per second", _rate),
    ("seen_ago", "seen", "seconds since the worker last reported", _ago),
)

#: Columns sorted ascending when chosen; the others (numbers) largest first.
TEXT_COLUMNS = ("name", "address")


#: Scoped to the table's class, so cells need no inline style.  The table sizes
#: its columns to their widest cell, header included, so no header is cut; the
#: box around it scrolls sideways when the page is narrower than the table.
TABLE_STYLE = """<style>
.dashmon-workers-table > .widget-html-content {min-width: 0}
.dashmon-workers-scroll {overflow-x: auto; max-width: 100%}
.dashmon-workers {border-collapse: collapse; font-size: 12px; line-height: 1.5;
                  white-space: nowrap}
.dashmon-workers th, .dashmon-workers td {padding: 1px 8px; text-align: right}
.dashmon-workers th {font-weight: 600; border-bottom: 1px solid var(--jp-border-color1, #ccc)}
.dashmon-workers th.sorted {text-decoration: underline}
.dashmon-workers .text {text-align: left}
.dashmon-workers tr.total {font-weight: bold}
</style>"""


def table_html(
    rows: Sequence[Mapping[str, Any]],
    total: Mapping[str, Any],
    n: int,
    sort_by: str = "",
    ascending: bool = True,
) -> str:
    """The whole table: header, totals row, then at most :data:`MAX_ROWS` rows, escaped.

    The header of the ``sort_by`` column carries an arrow for the direction.
    """
    lines = [
        TABLE_STYLE,
        '<div class="dashmon-workers-scroll"><table class="dashmon-workers">',
        f"<thead>{_header_html(sort_by, ascending)}</thead>",
        "<tbody>",
        _row_html(total, css="total"),
        *(_row_html(r) for r in rows[:MAX_ROWS]),
        "</tbody></table></div>",
    ]
    if n > MAX_ROWS:
        lines.append(f'<div class="dashmon-workers-more">showing {MAX_ROWS} of {n} workers</div>')
    return "\n".join(lines)


def _header_html(sort_by: str, ascending: bool) -> str:
    cells = []
    for key, label, full, _ in COLUMNS:
        classes = ["text"] if key in TEXT_COLUMNS else []
        text = label
        if key == sort_by:
            classes.append("sorted")
            text += " \u25b2" if ascending else " \u25bc"
        css = f' class="{" ".join(classes)}"' if classes else ""
        cells.append(
            f'<th{css} data-key="{key}" title="{html.escape(full)}">{html.escape(text)}</th>'
        )
    return f"<tr>{''.join(cells)}</tr>"


def _row_html(row: Mapping[str, Any], css: str = "") -> str:
    cells = []
    for key, _, _, fmt in COLUMNS:
        value = row.get(key)
        text = html.escape("" if value is None or value == "" else fmt(value))
        cells.append(f'<td class="text">{text}</td>' if key in TEXT_COLUMNS else f"<td>{text}</td>")
    row_class = f' class="{css}"' if css else ""
    return f"<tr{row_class}>{''.join(cells)}</tr>"


def running_html(detail: Mapping[str, Any]) -> str:
    """What a worker runs now, its keys escaped, at most :data:`MAX_KEYS` of them."""
    keys = [str(k) for k in detail.get("processing", [])][:MAX_KEYS]
    total = max(int(detail.get("n_processing", len(keys))), len(keys))
    if not keys:
        return "<div>Processing: nothing</div>"
    items = "".join(f"<li><code>{html.escape(k)}</code></li>" for k in keys)
    more = f"<div>and {total - len(keys):,} more</div>" if total > len(keys) else ""
    return f"<div>Processing {total:,} tasks:</div><ul>{items}</ul>{more}"


# -- the view --------------------------------------------------------------------


class WorkersView:
    """The Workers page (``.widget``), kept in step with a WorkersModel.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole page.
    sort_key : ipywidgets.Dropdown
        The column the table is sorted by (bound to ``model.sort_by``).
    sort_order : ipywidgets.ToggleButtons
        Ascending (True) or descending (False), bound to ``model.ascending``.
    table : ipywidgets.HTML
        One ``<table>``: header, totals row and the first :data:`MAX_ROWS`
        workers in the sort order.
    cpu_figure, memory_figure : bqplot.Figure
        CPU % and memory % per worker (``cpu_bars``, ``memory_bars``), or their
        histograms over workers (``cpu_hist``, ``memory_hist``) from
        ``summary_threshold`` workers on; each of the four is a
        :class:`~jupyter_dashmon.views.base.RectBars` whose ``.mark`` the
        figure shows.
    chooser : ipywidgets.Dropdown
        The worker whose detail is shown, bound to ``model.selected``.
    detail_cpu, detail_memory, detail_network : bqplot.Figure
        The chosen worker's series over time.
    running : ipywidgets.HTML
        The keys the chosen worker is processing now.
    stream_slot : ipywidgets.VBox
        Left empty for the chosen worker's task stream, filled by the page.
    """

    def __init__(self, model: WorkersModel, height: int = 220, every: float = 1.0):
        self.model = model
        self._syncing = False
        self._choices: tuple = ()
        self.sort_key = Dropdown(
            options=[(full, key) for key, _, full, _ in COLUMNS],
            value=model.sort_by if model.sort_by in {c[0] for c in COLUMNS} else "name",
            description="Sort by",
            layout=Layout(width="340px", max_width="100%"),
            style={"description_width": "auto"},
        )
        self.sort_order = ToggleButtons(
            options=[("\u25b2 ascending", True), ("\u25bc descending", False)],
            value=model.ascending,
            tooltips=["Smallest (or A) first", "Largest (or Z) first"],
            style={"button_width": "auto"},
            layout=Layout(width="auto"),
        )
        # The JupyterLab extension finds these by class to sort on header clicks.
        self.sort_key.add_class("dashmon-sort-key")
        self.sort_order.add_class("dashmon-sort-order")
        self.sort_order.add_class("dashmon-compact-toggle")
        self.sort_key.observe(self._key_chosen, names="value")
        self.sort_order.observe(self._order_chosen, names="value")
        self.table = HTML(layout=Layout(width="100%", min_width="0"))
        self.table.add_class("dashmon-workers-table")
        sort_bar = HBox(
            [self.sort_key, self.sort_order],
            layout=Layout(flex_flow="row wrap", align_items="center", width="100%"),
        )
        table_box = VBox([sort_bar, self.table], layout=Layout(width="100%", min_width="0"))
        self._build_per_worker(height)
        self.chooser = Dropdown(
            options=[("", "")],
            value="",
            description="Worker",
            layout=Layout(width="420px", max_width="100%"),
        )
        self.chooser.add_class("dashmon-worker-chooser")
        self.chooser.observe(self._chosen, names="value")
        self._build_detail(height)
        self.running = HTML()
        self.stream_slot = VBox()
        # The detail is attached only while a worker is chosen: figures laid out
        # hidden have no size, and bqplot draws them with negative rectangles.
        self._detail_children = [
            side_by_side(self.detail_cpu, self.detail_memory, self.detail_network),
            self.running,
            self.stream_slot,
        ]
        self.detail_box = VBox()
        self.widget = VBox(
            [
                table_box,
                side_by_side(self.cpu_figure, self.memory_figure),
                self.chooser,
                self.detail_box,
            ],
            layout=Layout(width="100%", min_width="0"),
        )
        self.widget.add_class("dashmon-workers-page")
        # New readings redraw at most once a second; the user's own clicks at once.
        self.redraw = Throttle(self._refresh, every)
        model.observe(self.redraw, names=["derived", "revision", "detail"])
        model.observe(self._update_table, names=["sort_by", "ascending"])
        model.observe(self._update_bars, names=["summary_threshold"])
        model.observe(self._update_choices, names=["selected"])
        model.observe(self._update_detail, names=["selected"])
        self._refresh()

    def _refresh(self) -> None:
        self._update_table()
        self._update_bars()
        self._update_choices()
        self._update_detail()

    # -- construction --------------------------------------------------------

    def _build_per_worker(self, height: int) -> None:
        def figure(title: str, color: str) -> tuple:
            # Worker i's bar spans [i - 0.4, i + 0.4]; the x range follows the count.
            workers = LinearScale(min=-0.5, max=0.5, allow_padding=False)
            pct, edges, counts = quantity_scale(), quantity_scale(), quantity_scale()
            bars = RectBars({"x": workers, "y": pct}, horizontal=False, color=color)
            hist = RectBars({"x": edges, "y": counts}, horizontal=False, color=color)
            themed(bars.mark), themed(hist.mark)
            # Worker names stand under their bars while they fit; hovering names every bar.
            per_worker_axes = [
                Axis(scale=workers, grid_lines="none", tick_values=[], tick_rotate=0),
                value_axis(pct),
            ]
            summary_axes = [value_axis(edges, "bottom", label="%"), value_axis(counts)]
            set_ticks(summary_axes[0], tk.quantity_ticks(100.0 / (1 + tk.HEADROOM), unit="%"))
            fig = tile_figure(
                title,
                height,
                margin={"top": 44, "left": 56, "bottom": 36, "right": 24},
                marks=[bars.mark],
                axes=per_worker_axes,
            )
            return fig, bars, hist, per_worker_axes, summary_axes

        (self.cpu_figure, self.cpu_bars, self.cpu_hist, *self._cpu_axes) = figure(
            "CPU % per worker", CPU_COLOR
        )
        (self.memory_figure, self.memory_bars, self.memory_hist, *self._memory_axes) = figure(
            "Memory % per worker", MEMORY_COLOR
        )

    def _build_detail(self, height: int) -> None:
        def figure(title: str, colors: list[str], names: list[str]) -> tuple:
            t, y = clock_scale(), quantity_scale()
            lines = Lines(
                x=[], y=[], scales={"x": t, "y": y}, colors=colors, labels=names, stroke_width=1.5
            )
            ends = EndLabels(lines.scales, names, colors)
            hover = TimeHover(lines.scales)
            fig = tile_figure(
                title,
                height,
                margin={"top": 44, "left": 64, "right": 44},
                marks=[lines, ends.mark, hover.mark],
                axes=[clock_axis(t), value_axis(y)],
            )
            self._detail_hover[fig.model_id] = hover
            return fig, lines, ends

        self._detail_hover: dict[str, TimeHover] = {}

        self.detail_cpu, self.detail_cpu_lines, self._cpu_ends = figure(
            "CPU %", [CPU_COLOR], ["CPU"]
        )
        self.detail_memory, self.detail_memory_lines, self._memory_ends = figure(
            "Memory", [MEMORY_COLOR, LIMIT_COLOR], ["used", "limit"]
        )
        self.detail_network, self.detail_network_lines, self._network_ends = figure(
            "Network", [READ_COLOR, WRITE_COLOR], ["read", "write"]
        )

    # -- user actions ----------------------------------------------------------

    def sort(self, key: str) -> None:
        """Sort by ``key``; the same key again reverses the order."""
        m = self.model
        if m.sort_by == key:
            m.ascending = not m.ascending
            return
        with m.hold_trait_notifications():
            m.sort_by = key
            m.ascending = key in TEXT_COLUMNS

    def _key_chosen(self, change: Any) -> None:
        if not self._syncing and change["new"] != self.model.sort_by:
            self.sort(change["new"])

    def _order_chosen(self, change: Any) -> None:
        if not self._syncing:
            self.model.ascending = bool(change["new"])

    def _chosen(self, change: Any) -> None:
        if not self._syncing:
            self.model.selected = change["new"] or ""

    # -- updates ---------------------------------------------------------------

    def _update_table(self, change: object = None) -> None:
        m = self.model
        table = m.derived
        n = len(table.get("address", []))
        rows = sorted_rows(table, m.sort_by, m.ascending) if n else []
        total = m.total if n else {"name": "Total (0 workers)"}
        self.table.value = table_html(rows, total, n, m.sort_by, m.ascending)
        self._syncing = True
        try:
            if m.sort_by in {key for key, *_ in COLUMNS} and self.sort_key.value != m.sort_by:
                self.sort_key.value = m.sort_by
            if self.sort_order.value != m.ascending:
                self.sort_order.value = m.ascending
        finally:
            self._syncing = False

    def _update_bars(self, change: object = None) -> None:
        m = self.model
        table = m.derived
        n = len(table.get("address", []))
        summary = n >= m.summary_threshold
        rows = sorted_rows(table, "name", True) if n and not summary else []
        self._show(
            self.cpu_figure,
            self.cpu_bars,
            self.cpu_hist,
            self._cpu_axes,
            "cpu",
            "CPU %",
            m.cpu_histogram,
            rows,
            n if summary else None,
        )
        self._show(
            self.memory_figure,
            self.memory_bars,
            self.memory_hist,
            self._memory_axes,
            "memory_pct",
            "memory %",
            m.memory_histogram,
            rows,
            n if summary else None,
        )

    def _show(self, fig, bars, hist, axes, field, what, histogram, rows, summary) -> None:
        """One figure as bars per worker (``rows``) or, for ``summary`` workers,
        as the ``histogram`` over them."""
        per_worker_axes, summary_axes = axes
        with fig.hold_sync():
            if summary is not None:
                hist.set(
                    histogram.get("lo", []),
                    histogram.get("hi", []),
                    histogram.get("counts", []),
                    labels=histogram.get("labels", []),
                )
                set_ticks(summary_axes[1], tk.quantity_ticks(max(hist.values, default=0.0)))
                bars.set([], [], [])
                fig.marks, fig.axes = [hist.mark], summary_axes
                fig.title = f"{summary} workers: distribution of {what}"
            else:
                values = [float(r[field]) for r in rows]
                names = bar_names(rows)
                x = bars.mark.scales["x"]
                with x.hold_sync():
                    x.min, x.max = -0.5, max(len(rows), 1) - 0.5
                set_ticks(per_worker_axes[1], tk.quantity_ticks(max(values, default=0.0), unit="%"))
                named = len(rows) <= MAX_NAMED_BARS
                set_ticks(
                    per_worker_axes[0],
                    tk.Ticks(
                        -0.5,
                        len(rows) - 0.5,
                        [float(i) for i in range(len(rows))] if named else [],
                        {tk.js_key(i): n for i, n in enumerate(names)} if named else {},
                    ),
                    scale=False,
                )
                bars.set(
                    [i - 0.4 for i in range(len(rows))],
                    [i + 0.4 for i in range(len(rows))],
                    values,
                    labels=[f"{name}: {v:.1f} %" for name, v in zip(names, values)],
                )
                hist.set([], [], [])
                fig.marks, fig.axes = [bars.mark], per_worker_axes
                fig.title = f"{what[0].upper()}{what[1:]} per worker"

    def _update_choices(self, change: object = None) -> None:
        m = self.model
        table = m.table
        rows = sorted_rows(table, "name", True) if table.get("address") else []
        choices = (("", ""), *((f"{r['name']} ({r['address']})", r["address"]) for r in rows))
        self._syncing = True
        try:
            if choices != self._choices:
                self.chooser.options = choices
                self._choices = choices
            known = m.selected in {address for _, address in choices}
            target = m.selected if known else ""
            if self.chooser.value != target:
                self.chooser.value = target
        finally:
            self._syncing = False

    def _update_detail(self, change: object = None) -> None:
        m = self.model
        wanted = self._detail_children if m.selected else []
        if list(self.detail_box.children) != wanted:
            self.detail_box.children = wanted
        series = m.series.get(m.selected) if m.selected else None
        if not series or not series["time"]:
            self._clear_detail()
        else:
            self._draw_detail(series)
        detail = m.detail if m.selected and m.detail.get("address") == m.selected else {}
        self.running.value = running_html(detail) if detail else ""

    def _draw_detail(self, series: Mapping[str, Any]) -> None:
        times = series["time"]
        t0, t1 = float(times[0]), float(times[-1])
        charts = (
            (self.detail_cpu, self.detail_cpu_lines, self._cpu_ends, ["cpu"]),
            (
                self.detail_memory,
                self.detail_memory_lines,
                self._memory_ends,
                ["memory", "memory_limit"],
            ),
            (
                self.detail_network,
                self.detail_network_lines,
                self._network_ends,
                ["network_read", "network_write"],
            ),
        )
        for fig, lines, ends, fields in charts:
            columns = [np.asarray(series[f], dtype=float) for f in fields]
            peak = float(max(c.max() for c in columns))
            ticks = (
                tk.quantity_ticks(peak, floor=10.0, unit="%")
                if fig is self.detail_cpu
                else tk.byte_ticks(peak, per_second=fig is self.detail_network)
            )
            t, ys = tk.break_gaps(times, columns)
            when = datetimes(t)
            with fig.hold_sync():
                set_clock(fig.axes[0], t0, t1, count=2)  # three figures share a row
                set_ticks(fig.axes[1], ticks)
                with lines.hold_sync():
                    lines.x, lines.y = when, ys[0] if len(fields) == 1 else ys
                ends.place(when[-1], [c[-1] for c in columns], fig)
                self._detail_hover[fig.model_id].set(
                    times, [hover_text(fields, t, row) for t, *row in zip(times, *columns)]
                )
        self.detail_cpu.title = f"CPU {series['cpu'][-1]:.0f}%"
        self.detail_memory.title = (
            f"Memory {tf.format_bytes(series['memory'][-1])} of "
            f"{tf.format_bytes(series['memory_limit'][-1])}"
        )
        self.detail_network.title = (
            f"Network \u00b7 read {tf.format_bytes(series['network_read'][-1])}/s"
            f" \u00b7 write {tf.format_bytes(series['network_write'][-1])}/s"
        )

    def _clear_detail(self) -> None:
        for lines in (self.detail_cpu_lines, self.detail_memory_lines, self.detail_network_lines):
            with lines.hold_sync():
                lines.x, lines.y = [], []
        for ends in (self._cpu_ends, self._memory_ends, self._network_ends):
            ends.clear()
        for hover in self._detail_hover.values():
            hover.clear()
        self.detail_cpu.title, self.detail_memory.title, self.detail_network.title = (
            "CPU %",
            "Memory",
            "Network",
        )


def hover_text(fields: Sequence[str], t: float, values: Sequence[float]) -> str:
    """What hovering time ``t`` of a worker's chart says: the time and each value."""
    words = {
        "cpu": lambda v: f"CPU {v:.0f}%",
        "memory": lambda v: f"used {tf.format_bytes(v)}",
        "memory_limit": lambda v: f"limit {tf.format_bytes(v)}",
        "network_read": lambda v: f"read {tf.format_bytes(v)}/s",
        "network_write": lambda v: f"write {tf.format_bytes(v)}/s",
    }
    return f"{tk.clock_text(t)}  " + " \u00b7 ".join(words[f](v) for f, v in zip(fields, values))
