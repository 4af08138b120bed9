"""Runs in the kernel: plain HTML tables for the pages that list things (Cells, Errors).

One ``<table>`` holds header and rows, so columns cannot drift; the box around
it scrolls sideways when the page is narrow.  Every cell's text is escaped
here: callers pass text, never markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

#: Scoped to the ``dashmon-list`` class, so rows need no inline style.
LIST_STYLE = """<style>
.dashmon-list-scroll {overflow-x: auto; max-width: 100%}
.dashmon-list {border-collapse: collapse; font-size: 12px; line-height: 1.5}
.dashmon-list th, .dashmon-list td {padding: 1px 8px; text-align: right; white-space: nowrap;
                                    vertical-align: top}
.dashmon-list th {font-weight: 600; border-bottom: 1px solid var(--jp-border-color1, #ccc)}
.dashmon-list .text {text-align: left}
.dashmon-list .code {text-align: left; font-family: var(--jp-code-font-family, monospace);
                     max-width: 28em; overflow: hidden; text-overflow: ellipsis}
.dashmon-list .slower {color: var(--jp-error-color1, #d32f2f)}
.dashmon-list .faster {color: var(--jp-success-color1, #388e3c)}
.dashmon-list tr.selected td {background: var(--jp-layout-color2, #eee)}
.dashmon-list details pre {white-space: pre-wrap; margin: 2px 0 6px 0; max-height: 24em;
                           overflow: auto; font-size: 11px}
.dashmon-list td.detail {text-align: left; white-space: normal}
.dashmon-list-empty {color: var(--jp-ui-font-color2, #616161); font-size: 12px; padding: 4px}
</style>"""


class Column:
    """A column: header text, its tooltip, and the CSS class of its cells."""

    def __init__(self, label: str, title: str, css: str = ""):
        self.label, self.title, self.css = label, title, css


class Cell:
    """A cell's text, with an optional tooltip and extra CSS class."""

    def __init__(self, text: object, title: str = "", css: str = ""):
        self.text, self.title, self.css = str(text), title, css


def list_html(
    columns: Sequence[Column],
    rows: Sequence[tuple[Sequence[Cell | str], str]],
    details: Sequence[str | None] = (),
    empty: str = "",
) -> str:
    """A whole table, escaped.  ``rows`` are (cells, row CSS class); ``details[i]``,
    when given, is already-escaped HTML put in a full-width row under row ``i``."""
    if not rows:
        return f'{LIST_STYLE}<div class="dashmon-list-empty">{html.escape(empty)}</div>'
    head = "".join(
        f'<th class="{c.css}" title="{html.escape(c.title)}">{html.escape(c.label)}</th>'
        for c in columns
    )
    body = []
    for i, (cells, row_css) in enumerate(rows):
        tds = []
        for column, cell in zip(columns, cells):
            if not isinstance(cell, Cell):
                cell = Cell(cell)
            css = " ".join(filter(None, (column.css, cell.css)))
            title = f' title="{html.escape(cell.title)}"' if cell.title else ""
            tds.append(f'<td class="{css}"{title}>{html.escape(cell.text)}</td>')
        body.append(f'<tr class="{row_css}">{"".join(tds)}</tr>')
        detail = details[i] if i < len(details) else None
        if detail:
            body.append(f'<tr><td class="detail" colspan="{len(columns)}">{detail}</td></tr>')
    return (
        f'{LIST_STYLE}<div class="dashmon-list-scroll"><table class="dashmon-list">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
