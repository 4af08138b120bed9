"""Runs in the kernel: the dashboard's figures as static SVG and HTML, no widgets.

A saved report (:mod:`jupyter_dashmon.placement.report`) and the last picture
a closed dashboard leaves in its cell need the figures without a kernel,
without the extension and, in a notebook viewer, without scripts.  Each
function here reads a model and returns markup; the numbers come from the
same :mod:`~jupyter_dashmon.aggregate` functions the live views use (bars,
ticks, gaps, colours, segments).  Text taken from the cluster (function
names, keys, worker names) is escaped: it reaches the page as text, never as
markup.  Hover texts are SVG ``<title>`` elements, which browsers show
without any script.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np

from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.colors import TRACK
from ..aggregate.models import (
    DashboardModel,
    ProgressModel,
    ResourcesModel,
    TaskStreamModel,
    WorkersModel,
)
from ..aggregate.segments import drawn, window_segments
from ..aggregate.work import RUN_LABELS, cell_rows, error_rows
from ..aggregate.workers import sorted_rows
from .cells import table_html as cells_table_html
from .errors import errors_html
from .resources import CPU_COLOR, MEMORY_COLOR, READ_COLOR, WRITE_COLOR
from .scheduler import COST_COLOR, LOOP_COLOR, STATE_COLOR
from .workers import table_html as workers_table_html

#: Width of every figure's coordinate system; the SVG scales to its box.
WIDTH = 640
ROW = 20
TITLE = 22
MUTED = "fill-opacity:0.7"
#: Static task-stream columns: runs of pixels past this many tasks.
STREAM_PIXELS = 600
#: Workers given a bar each at most (the table lists them all).
MAX_WORKER_BARS = 100


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def svg(height: float, body: str, label: str, css: str = "") -> str:
    """An SVG figure of :data:`WIDTH` x ``height`` that scales to its box's width."""
    cls = f"dashmon-figure {css}".strip()
    return (
        f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {_num(height)}" '
        f'width="100%" font-size="12" fill="currentColor" style="max-width:{WIDTH}px;'
        'display:block;margin:4px 0;font-family:var(--jp-ui-font-family, sans-serif)">'
        f"{body}</svg>"
    )


def _title(text: str) -> str:
    return f'<text x="{WIDTH / 2}" y="15" text-anchor="middle" font-size="13">{escape(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, color: str, opacity: float = 1.0) -> str:
    alpha = f' fill-opacity="{opacity:.2f}"' if opacity < 1 else ""
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0.0))}" height="{_num(h)}" '
        f'style="fill:{escape(color)}"{alpha}/>'
    )


# -- rows of bars (progress, memory, per-worker, states) -----------------------------


def bar_rows(
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[float, float, str, float]], str]],
    empty: str = "",
    css: str = "",
) -> str:
    """One row per (text, segments (x0, x1 as fractions, colour, opacity), hover)."""
    if not rows:
        body = (
            _title(title) + f'<text x="8" y="{TITLE + 16}" style="{MUTED}">{escape(empty)}</text>'
        )
        return svg(TITLE + 26, body, title, css)
    left, width = 6.0, WIDTH - 12.0
    parts = [_title(title)]
    for i, (text, segments, tip) in enumerate(rows):
        y = TITLE + i * ROW
        tip_xml = f"<title>{escape(tip)}</title>" if tip else ""
        cells = "".join(
            _rect(left + x0 * width, y + 2, (x1 - x0) * width, ROW - 4, color, alpha)
            for x0, x1, color, alpha in segments
            if x1 > x0
        )
        label = f'<text x="{left + 4}" y="{y + ROW / 2 + 4}">{escape(text)}</text>'
        parts.append(f'<g class="dashmon-row">{tip_xml}{cells}{label}</g>')
    return svg(TITLE + len(rows) * ROW + 4, "".join(parts), title, css)


def progress_svg(progress: ProgressModel) -> str:
    """The Progress figure: one bar per function, as ``ProgressView`` draws it."""
    prefixes = progress.prefixes
    bars, hidden = tf.progress_bars(prefixes, progress.max_bars)
    states = iter(tf.bar_segments(bars, progress.colors, keep_empty=True))
    rows = []
    for bar in bars:
        segments = [(bar["processing"], 1.0, TRACK, 1.0)]
        segments += [(x0, x1, c, a) for x0, x1, _, c, a in (next(states) for _ in range(4))]
        text = f"{tf.short_name(bar['prefix'])}  {bar['done']:,} / {bar['total']:,}"
        rows.append((text, segments, tf.bar_tooltip(bar["prefix"], prefixes[bar["prefix"]])))
    if hidden:
        rows.append((f"+{hidden:,} more", [], tf.more_tooltip(prefixes, bars)))
    totals = progress.totals or tf.progress_totals(prefixes)
    figure = bar_rows(tf.progress_title(totals), rows, "No tasks yet.", "dashmon-progress")
    return figure + f'<div class="dashmon-counts">{escape(tf.counts_text(totals))}</div>'


def memory_svg(progress: ProgressModel) -> str:
    """Bytes in memory by function, the largest ``max_bars``, sorted by name."""
    shown, more, total = tf.memory_bars(progress.prefixes, progress.max_bars)
    peak = max(shown.values(), default=1)
    rows = [
        (
            f"{tf.short_name(p)}  {tf.format_bytes(b)}",
            [(0.0, b / peak, progress.colors.get(p, STATE_COLOR), 1.0)],
            f"{p}: {tf.format_bytes(b)}",
        )
        for p, b in shown.items()
    ]
    if more:
        rows.append((f"+{more:,} more", [], ""))
    title = f"Memory use \u2014 {tf.format_bytes(total)}"
    return bar_rows(title, rows, "Nothing in memory.", "dashmon-memory")


def state_bars_svg(progress: ProgressModel) -> str:
    """Tasks by state (the Scheduler page)."""
    counts = tf.state_counts(progress.totals or tf.progress_totals(progress.prefixes))
    top = tk.quantity_ticks(max(counts.values(), default=0), floor=4.0).hi
    rows = [
        (f"{s}  {counts[s]:,}", [(0.0, counts[s] / top, STATE_COLOR, 0.5)], f"{s}: {counts[s]:,}")
        for s in tf.STATES
    ]
    return bar_rows("Tasks by state", rows)


# -- lines over time (resources, scheduler, a worker) ------------------------------------


def lines_svg(
    title: str,
    times: Sequence[float],
    series: Sequence[tuple[str, Sequence[float], str]],
    ticks: tk.Ticks,
    height: int = 200,
) -> str:
    """Lines over clock time: ``series`` are (name, values, colour); y ticks from ``ticks``."""
    n = min([len(times)] + [len(v) for _, v, _ in series])
    if n == 0:
        body = _title(title) + f'<text x="8" y="{TITLE + 16}" style="{MUTED}">No samples.</text>'
        return svg(TITLE + 26, body, title)
    left, right, top, bottom = 64.0, 56.0, TITLE + 8.0, 22.0
    w, h = WIDTH - left - right, height - top - bottom
    t0, t1 = float(times[-n]), float(times[-1])
    t1 = t1 if t1 > t0 else t0 + 1.0
    t, ys = tk.break_gaps(list(times)[-n:], [list(v)[-n:] for _, v, _ in series])
    lo, hi = ticks.lo, ticks.hi if ticks.hi > ticks.lo else ticks.lo + 1.0

    def x_of(v: float) -> float:
        return left + (v - t0) / (t1 - t0) * w

    def y_of(v: float) -> float:
        return top + h - (min(max(v, lo), hi) - lo) / (hi - lo) * h

    parts = [_title(title)]
    for v in ticks.values:
        y = y_of(v)
        parts.append(
            f'<line x1="{left}" x2="{left + w}" y1="{_num(y)}" y2="{_num(y)}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
            f'<text x="{left - 4}" y="{_num(y + 4)}" text-anchor="end" style="{MUTED}">'
            f"{escape(ticks.labels.get(tk.js_key(v), ''))}</text>"
        )
    parts.append(_clock_axis(t0, t1, left, w, top + h))
    ends = []
    for (name, _, color), values in zip(series, ys):
        path = _path(t, values, x_of, y_of)
        parts.append(f'<path d="{path}" fill="none" stroke="{escape(color)}" stroke-width="1.5"/>')
        last = values[~np.isnan(values)]
        if len(last):
            ends.append((name, color, y_of(float(last[-1]))))
    # Names at the lines' right ends, moved apart where lines end close together.
    placed = tk.spread([y for _, _, y in ends], 13.0, top + 4, top + h)
    for (name, color, _), y in zip(ends, placed):
        parts.append(
            f'<text x="{left + w + 4}" y="{_num(y + 4)}" style="fill:{escape(color)}">'
            f"{escape(name)}</text>"
        )
    return svg(height, "".join(parts), title)


def _path(t: np.ndarray, values: np.ndarray, x_of: Any, y_of: Any) -> str:
    out, pen = [], "M"
    for tv, v in zip(t.tolist(), values.tolist()):
        if math.isnan(v):
            pen = "M"
            continue
        out.append(f"{pen}{_num(x_of(tv))},{_num(y_of(v))}")
        pen = "L"
    return "".join(out)


def _clock_axis(t0: float, t1: float, left: float, width: float, base: float) -> str:
    step, ticks = tk.clock_grid(t0, t1, 5)
    parts = [
        f'<line x1="{left}" x2="{left + width}" y1="{base}" y2="{base}" '
        'stroke="currentColor" stroke-opacity="0.4"/>'
    ]
    for v in ticks:
        x = left + (v - t0) / (t1 - t0) * width
        parts.append(
            f'<text x="{_num(x)}" y="{base + 15}" text-anchor="middle" style="{MUTED}">'
            f"{escape(tk.clock_label(v, step))}</text>"
        )
    return "".join(parts)


def resources_svgs(resources: ResourcesModel) -> str:
    """CPU and memory %, and network rates, over time (the Status page)."""
    r = resources
    limit = np.maximum(np.asarray(r.memory_limit, dtype=float), 1.0)
    n = min(len(r.memory), len(limit))
    memory_pct = (np.asarray(r.memory[-n:], dtype=float) / limit[-n:] * 100.0).tolist()
    peak = max([*r.cpu, *memory_pct, 0.0])
    usage = lines_svg(
        "CPU and memory",
        r.time,
        [("CPU", r.cpu, CPU_COLOR), ("memory", memory_pct, MEMORY_COLOR)],
        tk.quantity_ticks(peak, floor=10.0, unit="%"),
    )
    peak = max([*r.network_read, *r.network_write, 0.0])
    network = lines_svg(
        "Network",
        r.time,
        [("read", r.network_read, READ_COLOR), ("write", r.network_write, WRITE_COLOR)],
        tk.byte_ticks(peak, per_second=True),
    )
    return usage + network


def scheduler_html(resources: ResourcesModel, progress: ProgressModel) -> str:
    """The Scheduler page: its CPU, memory, event loop, the dashboards' cost, tasks by state."""
    r = resources
    loop_ms = [v * 1000.0 for v in r.loop_interval]
    last = {
        name: (getattr(r, name)[-1] if getattr(r, name) else 0)
        for name in ("n_clients", "n_workers")
    }
    figures = [
        lines_svg(
            "Scheduler CPU",
            r.time,
            [("CPU", r.scheduler_cpu, CPU_COLOR)],
            tk.quantity_ticks(max([*r.scheduler_cpu, 0.0]), floor=10.0, unit="%"),
        ),
        lines_svg(
            "Scheduler memory",
            r.time,
            [("memory", r.scheduler_memory, MEMORY_COLOR)],
            tk.byte_ticks(max([*r.scheduler_memory, 0.0])),
        ),
        lines_svg(
            "Event loop interval",
            r.time,
            [("loop", loop_ms, LOOP_COLOR)],
            tk.quantity_ticks(max([*loop_ms, 0.0]), floor=1.0, unit="ms"),
        ),
        lines_svg(
            "Dashboard cost (% of a core)",
            r.cost_time,
            [("cost", r.cost_percent, COST_COLOR)],
            tk.quantity_ticks(max([*r.cost_percent, 0.0]), floor=1.0, unit="%"),
        ),
        state_bars_svg(progress),
    ]
    connections = (
        f"{int(last['n_clients'])} clients \u00b7 {int(last['n_workers'])} workers connected"
    )
    return f"<div>{escape(connections)}</div>" + "".join(figures)


# -- workers ---------------------------------------------------------------------------


def workers_html(workers: WorkersModel, most_series: int = 16) -> str:
    """The Workers page: the table, CPU and memory per worker, and each worker over time."""
    table = workers.derived or workers.table
    if not table:
        return '<div class="dashmon-empty">No workers.</div>'
    rows = sorted_rows(table, "name", True)
    parts = [workers_table_html(rows, workers.total, len(rows), "name", True)]
    shown = rows[:MAX_WORKER_BARS]
    cpu = [
        (r["name"], r["cpu"] / max(100.0 * r["nthreads"], 100.0), f"{r['cpu']:.0f}%") for r in shown
    ]
    memory = [
        (
            r["name"],
            r.get("memory_pct", 0.0) / 100.0,
            f"{tf.format_bytes(r['memory'])} of {tf.format_bytes(r['memory_limit'])}",
        )
        for r in shown
    ]
    parts.append(_worker_bars("CPU % per worker", cpu, CPU_COLOR))
    parts.append(_worker_bars("Memory per worker (% of its limit)", memory, MEMORY_COLOR))
    for row in rows[:most_series]:
        parts.append(worker_series_svg(workers, row["address"], str(row["name"])))
    return "".join(parts)


def _worker_bars(title: str, values: Sequence[tuple[Any, float, str]], color: str) -> str:
    rows = [
        (f"{name}  {text}", [(0.0, min(max(share, 0.0), 1.0), color, 1.0)], f"{name}: {text}")
        for name, share, text in values
    ]
    return bar_rows(title, rows)


def worker_series_svg(workers: WorkersModel, address: str, name: str) -> str:
    """One worker's CPU and memory % over its recent readings."""
    s = workers.series.get(address)
    limit = np.maximum(np.asarray(s["memory_limit"], dtype=float), 1.0)
    pct = (np.asarray(s["memory"], dtype=float) / limit * 100.0).tolist() if len(limit) else []
    peak = max([*s["cpu"], *pct, 0.0])
    return lines_svg(
        f"{name} ({address})",
        s["time"],
        [("CPU", s["cpu"], CPU_COLOR), ("memory", pct, MEMORY_COLOR)],
        tk.quantity_ticks(peak, floor=10.0, unit="%"),
        height=150,
    )


# -- the task stream, as a picture -------------------------------------------------------


def stream_svg(stream: TaskStreamModel, colors: Mapping[str, str], height: int = 200) -> str:
    """The recent task stream as SVG rectangles (runs of pixels when there are many)."""
    history = stream.source.history
    title = "Task stream"
    with history.lock:
        slots = history.since(stream.first())
        if not len(slots):
            body = _title(title) + f'<text x="8" y="{TITLE + 16}" style="{MUTED}">No tasks.</text>'
            return svg(TITLE + 26, body, title)
        t0 = float(history.start[slots].min())
        t1 = max(float(history.stop[slots].max()), t0 + 1e-3)
        segments, rows = window_segments(
            history,
            colors,
            t0,
            t1,
            t0,
            threads=stream.threads or None,
            pixels=STREAM_PIXELS,
            max_exact=1000,
        )
    left, right, top, bottom = 8.0, 8.0, TITLE + 4.0, 22.0
    w, h = WIDTH - left - right, height - top - bottom
    band = h / max(rows, 1)
    size = min(band * 0.8, 40.0)
    scale = w / (t1 - t0)
    parts = [_title(f"{title} \u2014 {segments['tasks']:,} tasks")]
    shown = drawn(segments)
    for x0, x1, row, color, label in zip(
        shown["x0"], shown["x1"], shown["row"], shown["color"], shown["label"]
    ):
        y = top + (row + 0.5) * band - size / 2
        rect = _rect(left + x0 * scale, y, max((x1 - x0) * scale, 0.5), size, color)
        parts.append(rect.replace("/>", f"><title>{escape(label)}</title></rect>"))
    parts.append(_clock_axis(t0, t1, left, w, top + h))
    return svg(height, "".join(parts), title, "dashmon-stream-picture")


# -- the whole dashboard -----------------------------------------------------------------


def cells_html(model: DashboardModel, now: float | None = None) -> str:
    """The Cells table."""
    rows = cell_rows(model.work.runs, RUN_LABELS)
    return cells_table_html(rows, "", time.time() if now is None else now)


def errors_page_html(model: DashboardModel) -> str:
    """The Errors table."""
    return errors_html(error_rows(model.work.errors, RUN_LABELS))


# -- a closed dashboard's last picture ---------------------------------------------------

#: The picture's box: JupyterLab's theme variables, with fallbacks for other viewers.
PICTURE_BOX = (
    "font: 12px var(--jp-ui-font-family, sans-serif);"
    "color: var(--jp-ui-font-color1, #1a1a1a);"
    "border-left: 3px solid var(--jp-border-color1, #bdbdbd); padding: 2px 8px"
)


def summary_text(model: DashboardModel) -> str:
    """One line of what the dashboard last showed: its state and the task counts."""
    totals = model.progress.totals or tf.progress_totals(model.progress.prefixes)
    status = model.status
    when = time.strftime("%H:%M:%S", time.localtime(status.updated)) if status.updated else "never"
    return (
        f"Dask dashboard ({status.state}, last update {when}): "
        f"{int(totals.get('done', 0)):,} of {int(totals.get('total', 0)):,} tasks done, "
        f"{int(totals.get('erred', 0)):,} erred; {len(status.workers)} workers"
    )


def _columns(*blocks: str) -> str:
    # Inline styles: a notebook viewer may drop <style> elements from outputs.
    cells = "".join(f'<div style="flex: 1 1 640px; min-width: 0">{b}</div>' for b in blocks)
    return f'<div style="display: flex; flex-wrap: wrap; gap: 0 16px">{cells}</div>'


def closed_html(model: DashboardModel) -> str:
    """What a closed dashboard leaves in its cell: its last state as static HTML and SVG."""
    workers = model.workers
    table = workers.derived or workers.table
    rows = sorted_rows(table, "name", True) if table else []
    parts = [
        f"<div><b>{escape(summary_text(model))}</b></div>",
        f"<div>{escape(model.status.message)}</div>" if model.status.message else "",
        _columns(
            progress_svg(model.progress) + memory_svg(model.progress),
            stream_svg(model.tasks, model.progress.colors) + resources_svgs(model.resources),
        ),
        workers_table_html(rows, workers.total, len(rows), "name", True) if rows else "",
    ]
    return f'<div class="dashmon-closed" style="{PICTURE_BOX}">{"".join(parts)}</div>'
