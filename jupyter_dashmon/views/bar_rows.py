"""Runs in the kernel: a row bar chart drawn by the package's own widget.

:class:`BarRows` holds a whole chart (title, rows of text, segments and
tooltip, an optional value axis) in a few traits; ``js/src/bars.ts`` draws
it as HTML.  A redraw under ``hold_sync`` is one message, where a bqplot
figure sent one per mark (about half a millisecond of kernel CPU each).
"""

from __future__ import annotations

from typing import TypedDict

from traitlets import Int, List, Unicode

from .canvas import PackageWidget
from .rows import MIN_ROWS, ROW_PX, VISIBLE_ROWS


class Row(TypedDict):
    """One row: its text, its tooltip, drawn faint or not, and its segments
    ``[x0, x1, colour, opacity]`` (shares of the row's width)."""

    text: str
    tip: str
    faint: bool
    segments: list[list]


class BarRows(PackageWidget):
    """A row bar chart: ``rows`` (:class:`Row`), ``title``, ``axis`` ticks
    ``[x, label]`` (shares of the width), rows of ``row_px`` pixels, at most
    ``visible_rows`` shown before the rows scroll."""

    _model_name = Unicode("BarRowsModel").tag(sync=True)
    _view_name = Unicode("BarRowsView").tag(sync=True)

    title = Unicode("").tag(sync=True)
    rows: List = List().tag(sync=True)
    axis: List = List().tag(sync=True)
    row_px = Int(ROW_PX).tag(sync=True)
    visible_rows = Int(VISIBLE_ROWS).tag(sync=True)
    min_rows = Int(MIN_ROWS).tag(sync=True)
