"""Runs in the kernel: what the row charts (Progress, Memory use) share.

A row chart gives every bar a row of :data:`ROW_PX` pixels whatever the
number of bars, so text inside a bar always has room: the figure grows with
its rows (up to the model's ``max_bars``, then "+N more") and shrinks when
there are few.  Row ``i`` is centred on ``y = -i``.  A transparent band over
each row carries the row's tooltip, so hovering anywhere on a row says what
the row stands for (the text lets the pointer through to it, see
``placement/layout.py``).

Every message to the browser carries a few hundred bytes of headers besides
its data, so the bands travel in a mark that is re-sent anyway where there
is one (the Progress bars), and their geometry is re-sent only when the rows
or their span change, their text only when it changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bqplot import Figure, Label, LinearScale, Lines
from ipywidgets import Box, Layout

from ..aggregate.colors import TEXT
from .base import PlainLines, set_segments
from .hover import tooltip, tooltip_style

#: Pixels per row: a 12 px label inside a bar of ``BAR_SHARE`` of it, with a gap.
ROW_PX = 20

#: Share of a row the bar covers.
BAR_SHARE = 0.78

#: Pixel size of the text in the rows.
TEXT_PX = 12

#: Rows a row chart keeps room for even when it has fewer bars.
MIN_ROWS = 2

#: Rows a row chart shows at once; the rest (up to the model's ``max_bars``
#: and the "+N more" line) scroll inside the chart's box.  Twelve rows keep
#: Progress and Memory use about as tall as the task stream beside a wide
#: cell, and a 250 px side panel about one screen tall at sixty functions.
VISIBLE_ROWS = 12


def row_scales(across: LinearScale | None = None) -> dict[str, LinearScale]:
    """Scales of a row chart: ``across`` (default 0 to 1) across, rows down."""
    x = across if across is not None else LinearScale(min=0.0, max=1.0)
    # No padding: bqplot would otherwise inset the rows by half the bars'
    # stroke at each end, squeezing every row (17 px of 20 at six rows).
    return {"x": x, "y": LinearScale(min=-MIN_ROWS + 0.5, max=0.5, allow_padding=False)}


def row_labels(scales: dict) -> Label:
    """Text at the left end of each row, in the theme's text colour."""
    return Label(
        scales=scales,
        x=[],
        y=[],
        text=[],
        colors=[TEXT],
        default_size=TEXT_PX,
        font_weight="normal",
        align="start",
        x_offset=5,
        y_offset=0,
    )


#: Colour and opacity of a band: drawn (so it takes the pointer) but unseen.
BAND_COLOR, BAND_OPACITY = "white", 0.0


def row_tooltip(lines: int = 1) -> dict:
    """Keyword arguments giving a ``Lines`` mark the tooltip of a row chart.

    The text of each segment is its ``labels`` entry, of ``lines`` lines,
    placed clear of the row under the pointer (:func:`~.hover.tooltip_style`).
    """
    return {"tooltip": tooltip(), "tooltip_style": tooltip_style(lines)}


def hover_band(scales: dict) -> Lines:
    """A mark of invisible bands, one over each whole row, carrying its tooltip."""
    return PlainLines(scales=scales, stroke_width=ROW_PX, **row_tooltip())


def set_hover(band: Lines, x0: float, x1: float, texts: Sequence[str]) -> None:
    """One band per row, spanning ``x0`` to ``x1``, with ``texts`` as tooltips.

    Sends the geometry only when the number of rows or the span changed, and
    the text only when it changed.
    """
    n = len(texts)
    with band.hold_sync():
        if n == 0:
            set_segments(band, [], [], [], [])
            return
        x = np.asarray([[x0, x1]] * n, np.float32)
        if np.shape(band.x) != x.shape or not np.array_equal(band.x, x):
            set_segments(
                band,
                [x0] * n,
                [x1] * n,
                [-i for i in range(n)],
                [BAND_COLOR] * n,
                [BAND_OPACITY] * n,
                texts,
            )
        elif list(band.labels) != list(texts):
            band.labels = list(texts)


def fit_rows(figure: Figure, scales: dict, rows: int, chrome: int) -> int:
    """Size ``figure`` for ``rows`` rows plus ``chrome`` pixels of title and axis.

    Returns the rows made room for (at least :data:`MIN_ROWS`).
    """
    rows = max(rows, MIN_ROWS)
    scales["y"].min = -rows + 0.5
    height = f"{rows * ROW_PX + chrome}px"
    if figure.layout.height != height:
        figure.layout.height = height
    return rows


def scroll_box(figure: Figure, chrome: int) -> Box:
    """``figure`` in a box at most :data:`VISIBLE_ROWS` and a half rows (plus
    ``chrome`` pixels of title and axis) tall that scrolls vertically past that.

    The figure keeps a fixed height per row, so past a dozen functions the
    rows neither squeeze nor push everything under them down the page.
    """
    # At its own height, not shrunk to the box (flex items shrink by default).
    figure.layout.flex = "0 0 auto"
    box = Box(
        [figure],
        layout=Layout(
            width="100%",
            # Half a row more: the row cut at the bottom says there are more.
            max_height=f"{round((VISIBLE_ROWS + 0.5) * ROW_PX) + chrome}px",
            overflow="hidden auto",
            flex_flow="column",
        ),
    )
    box.add_class("dashmon-rows")
    return box
