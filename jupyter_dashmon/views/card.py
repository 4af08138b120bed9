"""Runs in the kernel: the card under a cell that ran Dask work, as static HTML.

The card is plain HTML (no widget), so the notebook keeps its last state when
saved, and nbconvert or a notebook viewer shows it without a kernel.  Every
piece of text in it (code, function names, exception messages) is escaped.
Colours use JupyterLab's theme variables with fallbacks for other viewers.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from ..aggregate.colors import ERRED, OTHER_ACTION
from ..aggregate.transforms import format_bytes, format_seconds
from ..aggregate.work import ACTIVITIES

_BOX = (
    "font: 12px var(--jp-ui-font-family, sans-serif);"
    "color: var(--jp-ui-font-color1, #1a1a1a);"
    "border-left: 3px solid var(--jp-brand-color1, #1976d2);"
    "padding: 2px 8px; margin: 2px 0; max-width: 720px"
)
_BAR = (
    "display: flex; height: 8px; margin: 3px 0; border-radius: 2px; overflow: hidden;"
    "background: var(--jp-layout-color3, #e0e0e0)"
)
_MUTED = "color: var(--jp-ui-font-color2, #616161)"
_ERROR = "color: var(--jp-error-color1, #d32f2f)"


def card_html(
    row: Mapping[str, Any],
    colors: Mapping[str, str],
    error: Mapping[str, Any] | None,
    now: float,
    note: str = "",
) -> str:
    """The card of one run (a row of ``snapshot()["cells"]``) at time ``now``."""
    total, done, erred = row["total"], row["done"], row["erred"]
    running = row["stop"] is None
    elapsed = (now if running else row["stop"]) - row["start"]
    head = f"<b>{escape(row['name'])}</b> "
    if running:
        head += f"running: {done:,} / {total:,} tasks done, {format_seconds(max(elapsed, 0))}"
    else:
        head += f"{done:,} / {total:,} tasks in {format_seconds(max(elapsed, 0))}"
    if erred:
        head += f', <span style="{_ERROR}">{erred:,} erred</span>'
    parts = [f"<div>{head}</div>", _bar(row, colors, total)]
    parts.append(f'<div style="{_MUTED}">{_functions(row, colors)}</div>')
    if not running:
        cpu = row["cpu"]
        spent = ", ".join(f"{a} {format_seconds(cpu[a])}" for a in ACTIVITIES if cpu.get(a, 0) > 0)
        produced = format_bytes(row["bytes"])
        text = f"worker time: {spent or 'none'}; produced {produced}"
        parts.append(f'<div style="{_MUTED}">{text}</div>')
    if error is not None:
        first = str(error["message"]).splitlines()[0] if error["message"] else error["exception"]
        parts.append(
            f'<div style="{_ERROR}">first error: {escape(first)} in {escape(error["prefix"])}'
            f" ({error['count']:,} task{'s' * (error['count'] != 1)})</div>"
        )
    if note:
        parts.append(f'<div style="{_MUTED}">{escape(note)}</div>')
    return f'<div class="dashmon-card" style="{_BOX}">{"".join(parts)}</div>'


def _bar(row: Mapping[str, Any], colors: Mapping[str, str], total: int) -> str:
    if not total:
        return ""
    cells = []
    for prefix, finished in row["finished"].items():
        width = 100.0 * finished / total
        color = colors.get(prefix, OTHER_ACTION)
        cells.append(
            f'<span title="{escape(prefix)}: {finished:,} done" '
            f'style="width:{width:.2f}%;background:{escape(color)}"></span>'
        )
    if row["erred"]:
        width = 100.0 * row["erred"] / total
        cells.append(f'<span title="erred" style="width:{width:.2f}%;background:{ERRED}"></span>')
    return f'<div style="{_BAR}">{"".join(cells)}</div>'


def _functions(row: Mapping[str, Any], colors: Mapping[str, str], most: int = 8) -> str:
    items = sorted(row["prefixes"].items(), key=lambda item: -item[1])
    out = []
    for prefix, tasks in items[:most]:
        color = colors.get(prefix, OTHER_ACTION)
        done = row["finished"].get(prefix, 0)
        out.append(
            f'<span style="color:{escape(color)}">\u25a0</span> {escape(prefix)} {done:,}/{tasks:,}'
        )
    if len(items) > most:
        out.append(f"+{len(items) - most} more")
    return " \u00b7 ".join(out)
