"""Runs in the kernel (or a script): a dashboard's state as one self-contained HTML file.

The page is the dashboard as it was when saved, readable with no network and
no Jupyter.  Most of it is static markup made by :mod:`..views.picture` (the
same figures as the cell output a closed dashboard leaves), so it reads even
with scripts off.  The two task figures, the Status task stream and the Tasks
page with the whole retained history, are canvases drawn by one inline script
(``js/src/report.ts``, bundled at build time) from one JSON document,
:class:`ReportDocument`, whose task columns are packed (typed arrays and key
text, gzip, base64): 100,000 tasks fit in a few megabytes.  The browser
unpacks them with its own ``DecompressionStream``.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import time
from html import escape
from pathlib import Path
from typing import TypedDict

import numpy as np

from ..aggregate import ticks as tk
from ..aggregate.history import TaskHistory
from ..aggregate.models import DashboardModel
from ..aggregate.runs import runs
from ..aggregate.segments import palette
from ..aggregate.task_marks import label_of
from ..aggregate.transforms import format_seconds
from ..views import picture

#: The drawing script, bundled from js/src/report.ts by ``npm run build`` in js/.
SCRIPT = Path(__file__).with_name("static") / "report.js"
#: Bumped whenever :class:`ReportDocument` changes shape.
VERSION = 1
#: Where the key goes in a hover-text template.
KEY_MARK = "\x00"


class TaskPack(TypedDict):
    """Task records, oldest first, packed for the page.

    ``blob`` is base64 of gzip of, in order: x0 and x1 (float32, seconds after
    ``origin``), row (uint32, the record's worker thread: an index of
    ``threads``), color (uint32, into ``colors``) and template (uint32, into
    ``templates``), all little-endian, then the keys as a UTF-8 JSON list.
    A record's hover text is its template with the key at :data:`KEY_MARK`.
    """

    count: int
    origin: float
    threads: list[tuple[str, int]]
    colors: list[str]
    templates: list[str]
    blob: str


class StreamPart(TypedDict):
    """The Status task stream: the records from ``first`` on, ``rows[thread]`` (-1: left out)."""

    first: int
    rows: list[int]
    origin: float
    rowcount: int


class ReportDocument(TypedDict):
    """Everything the report's script draws (the rest of the page is static markup)."""

    version: int
    saved: float
    clock_steps: list[float]
    tasks: TaskPack
    stream: StreamPart
    #: The Tasks page's runs of work (idle time between them), seconds after the pack's origin.
    runs: list[tuple[float, float]]


# -- the document -------------------------------------------------------------------


def pack_tasks(history: TaskHistory, colors: dict[str, str]) -> TaskPack:
    """Every retained record of ``history``, packed (colours and hover text as the
    live figures make them, by :mod:`..aggregate.task_marks`)."""
    with history.lock:
        slots = history.order()
        start, stop = history.start[slots], history.stop[slots]
        thread, prefix, code = (
            history.thread_id[slots],
            history.prefix_id[slots],
            history.code[slots],
        )
        keys = [str(k) for k in history.keys[slots]]
        threads = [(str(w), int(t)) for w, t in history.threads]
    origin = float(start.min()) if len(slots) else 0.0
    table, color_index = palette(history, prefix.astype(np.int64) * 256 + code, colors)
    # Hover texts repeat (one action, worker and shown duration): make each once.
    templates: dict[str, int] = {}
    made: dict[tuple[int, int, str], int] = {}
    template = np.empty(len(slots), dtype="<u4")
    seconds = (stop - start).tolist()
    for i, look in enumerate(zip(code.tolist(), thread.tolist(), map(format_seconds, seconds))):
        found = made.get(look)
        if found is None:
            text = label_of(KEY_MARK, look[0], threads[look[1]][0], seconds[i])
            found = made[look] = templates.setdefault(text, len(templates))
        template[i] = found
    columns = (
        (start - origin).astype("<f4"),
        (stop - origin).astype("<f4"),
        thread.astype("<u4"),
        color_index.astype("<u4"),
        template,
    )
    raw = b"".join(c.tobytes() for c in columns) + json.dumps(keys).encode()
    return {
        "count": len(slots),
        "origin": origin,
        "threads": threads,
        "colors": table,
        "templates": list(templates),
        "blob": base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii"),
    }


def document(model: DashboardModel) -> ReportDocument:
    """The task data of ``model`` as the report's script reads it."""
    history = model.history.history
    stream = model.tasks
    with history.lock:
        pack = pack_tasks(history, dict(model.progress.colors))
        first = max(stream.first() - history.oldest(), 0)
        shown = stream.threads or sorted(
            set(history.thread_id[history.since(stream.first())].tolist())
        )
        n_threads = len(history.threads)
        slots = history.order()
        found = runs(history.start[slots], history.stop[slots])
    rows = [-1] * n_threads
    for row, tid in enumerate(sorted(shown)):
        if tid < n_threads:
            rows[tid] = row
    return {
        "version": VERSION,
        "saved": time.time(),
        "clock_steps": [float(s) for s in tk.CLOCK_STEPS],
        "tasks": pack,
        "stream": {
            "first": first,
            "rows": rows,
            "origin": float(stream.origin),
            "rowcount": len(shown),
        },
        "runs": [(lo - pack["origin"], hi - pack["origin"]) for lo, hi in found],
    }


# -- the page -----------------------------------------------------------------------------

STYLE = """
:root { color-scheme: light dark; --jp-ui-font-family: system-ui, sans-serif;
  --jp-layout-color2: #eeeeee; --jp-border-color1: #bdbdbd; --fg: #1a1a1a; --bg: #ffffff; }
@media (prefers-color-scheme: dark) {
  :root { --jp-layout-color2: #3a3a3a; --jp-border-color1: #616161; --fg: #e0e0e0;
    --bg: #111111; }
}
body { font: 13px var(--jp-ui-font-family); color: var(--fg); background: var(--bg);
  margin: 0 auto; padding: 8px 16px; max-width: 1400px; }
header h1 { font-size: 18px; margin: 4px 0; }
header p { margin: 2px 0; opacity: 0.8; }
nav.dashmon-tabs button { font: inherit; color: inherit; background: none; border: none;
  border-bottom: 2px solid transparent; padding: 6px 12px; cursor: pointer; }
nav.dashmon-tabs button[aria-selected="true"] { border-bottom-color: #1976d2; font-weight: 600; }
section.dashmon-page { padding: 8px 0; }
section.dashmon-page > h2 { font-size: 15px; margin: 8px 0; }
.dashmon-status-grid { display: grid; gap: 8px 24px; align-items: start;
  grid-template-columns: repeat(auto-fit, minmax(min(480px, 100%), 1fr)); }
.dashmon-counts { font-size: 12px; opacity: 0.85; margin: 0 0 8px 6px; }
.dashmon-plot { position: relative; width: 100%; user-select: none; }
.dashmon-plot canvas { display: block; cursor: grab; touch-action: none; }
.dashmon-plot .dashmon-plot-title { position: absolute; left: 0; right: 0; top: 8px;
  text-align: center; font-size: 13px; pointer-events: none; }
.dashmon-plot .dashmon-plot-ticks > span { position: absolute; font-size: 11px;
  white-space: nowrap; pointer-events: none; }
.dashmon-plot-bar { font-size: 12px; margin: 2px 0 6px 0; }
.dashmon-plot-bar button { font: inherit; margin-right: 6px; }
.dashmon-tooltip { position: fixed; display: none; z-index: 10; pointer-events: none;
  background: var(--bg); color: var(--fg); border: 1px solid var(--jp-border-color1);
  padding: 3px 6px; font-size: 12px; max-width: 600px; white-space: pre-wrap;
  overflow-wrap: anywhere; box-shadow: 0 1px 4px rgba(0,0,0,0.25); }
[hidden] { display: none !important; }
#page-workers, #page-scheduler { display: flex; flex-wrap: wrap; gap: 0 24px;
  align-items: flex-start; }
#page-workers > *, #page-scheduler > * { flex: 1 1 100%; }
#page-workers > svg, #page-scheduler > svg { flex: 1 1 min(480px, 100%); }
.dashmon-noscript { padding: 8px; border-left: 3px solid #d32f2f; }
"""

PAGES = ("Status", "Tasks", "Workers", "Scheduler", "Cells", "Errors")


def _canvas_figure(name: str, title: str, height: int) -> str:
    # Filled by the script; without scripts the note in <noscript> says why it is empty.
    return (
        f'<div class="dashmon-plot" data-figure="{name}" data-height="{height}" '
        f'data-title="{escape(title)}"></div>'
    )


def page_html(model: DashboardModel, doc: ReportDocument, script: str, title: str) -> str:
    """The whole report page."""
    status = model.status
    saved = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(doc["saved"]))
    workers = len(status.workers)
    about = (
        f"Scheduler {status.scheduler or 'unknown'} \u00b7 {workers} workers \u00b7 saved {saved}"
    )
    note = f"<p>{escape(status.message)}</p>" if status.message else ""
    pages = {
        "Status": (
            '<div class="dashmon-status-grid"><div>'
            + picture.progress_svg(model.progress)
            + picture.memory_svg(model.progress)
            + "</div><div>"
            + _canvas_figure("stream", "Task stream", 260)
            + picture.resources_svgs(model.resources)
            + "</div></div>"
        ),
        "Tasks": _canvas_figure("tasks", "Tasks", 420),
        "Workers": picture.workers_html(model.workers),
        "Scheduler": picture.scheduler_html(model.resources, model.progress),
        "Cells": picture.cells_html(model, now=doc["saved"]),
        "Errors": picture.errors_page_html(model),
    }
    sections = "".join(
        f'<section class="dashmon-page" id="page-{name.lower()}" data-page="{name}">'
        f"<h2>{name}</h2>{body}</section>"
        for name, body in pages.items()
    )
    data = json.dumps(doc, separators=(",", ":")).replace("<", "\\u003c")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No request may leave the page: everything it needs is inline.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>{escape(about)}</p>{note}</header>"
        '<noscript><div class="dashmon-noscript">Scripts are off: the task figures '
        "(task stream, Tasks page) need them; everything else is below.</div></noscript>"
        f'<main id="dashmon-report">{sections}</main>'
        f'<script type="application/json" id="dashmon-report-data">{data}</script>'
        f"<script>{script}</script></body></html>\n"
    )


def drawing_script() -> str:
    """The bundled drawing script (a clear error when js/ was never built)."""
    try:
        return SCRIPT.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuntimeError(
            f"the report's drawing script {SCRIPT} is missing: build it with "
            "`npm run build` in js/ (pip install builds it too)"
        ) from None


def report_html(model: DashboardModel, title: str = "Dask dashboard report") -> str:
    """The report of ``model`` as one HTML page."""
    return page_html(model, document(model), drawing_script(), title)


def save(model: DashboardModel, path: str | os.PathLike, title: str | None = None) -> Path:
    """Write the report of ``model`` to ``path`` (written whole, then moved into place)."""
    target = Path(path)
    text = report_html(model, title or f"Dask dashboard report: {target.stem}")
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return target
