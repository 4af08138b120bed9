"""Runs in the kernel: a row bar chart drawn by the package's own widget.

:class:`BarRows` holds a whole chart (title, rows of text, segments and
tooltip, an optional value axis) in a few traits; ``js/src/bars.ts`` draws
it as HTML.  A redraw under ``hold_sync`` is one message, where a bqplot
figure sent one per mark (about half a millisecond of kernel CPU each).
"""

from __future__ import annotations

from typing import TypedDict

from traitlets import Int, List, Unicode

from ..aggregate.ticks import Ticks, labelled
from .package_widget import PackageWidget

#: Pixels per row: 12 px text inside a bar of 78 % of it (``js/src/bars.ts``).
ROW_PX = 20

#: Rows a chart keeps room for even when it has fewer.
MIN_ROWS = 2

#: Rows a chart shows at once; the rest (up to the model's ``max_bars`` and
#: the "+N more" line) scroll inside the chart.  Twelve rows keep Progress
#: and Memory use about as tall as the task stream beside a wide cell, and a
#: 250 px side panel about one screen tall at sixty functions.
VISIBLE_ROWS = 12


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
    ``visible_rows`` shown before the rows scroll, and a ``note`` under it all
    (a line that wraps; none when empty)."""

    _model_name = Unicode("BarRowsModel").tag(sync=True)
    _view_name = Unicode("BarRowsView").tag(sync=True)

    title = Unicode("").tag(sync=True)
    rows: List = List().tag(sync=True)
    axis: List = List().tag(sync=True)
    row_px = Int(ROW_PX).tag(sync=True)
    visible_rows = Int(VISIBLE_ROWS).tag(sync=True)
    min_rows = Int(MIN_ROWS).tag(sync=True)
    note = Unicode("").tag(sync=True)


def axis_of(ticks: Ticks) -> list[list]:
    """``ticks`` as :attr:`BarRows.axis`: ``[share of the width, label]`` each."""
    span = (ticks.hi - ticks.lo) or 1.0
    return [[(v - ticks.lo) / span, label] for v, label in labelled(ticks)]


def value_row(text: str, tip: str, share: float, color: str) -> Row:
    """A row of one bar from 0 to ``share`` of the width."""
    return {"text": text, "tip": tip, "faint": False, "segments": [[0.0, share, color, 1.0]]}


def note_row(text: str, tip: str = "") -> Row:
    """A row of text alone: "+N more", or what an empty chart says (faint)."""
    return {"text": text, "tip": tip, "faint": not tip, "segments": []}
