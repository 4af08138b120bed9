"""Runs in the kernel: what the row charts (Progress, Memory use) share.

A row chart gives every bar a row of :data:`ROW_PX` pixels whatever the
number of bars, so text inside a bar always has room: the figure grows with
its rows (up to the model's ``max_bars``, then "+N more") and shrinks when
there are few.  Row ``i`` is centred on ``y = -i``.  A transparent band over
each whole row carries the row's tooltip, so hovering anywhere on a row
(its text included) says what the row stands for.
"""

from __future__ import annotations

from collections.abc import Sequence

from bqplot import Figure, Label, LinearScale, Lines, Tooltip

from ..aggregate.colors import TEXT
from .base import set_segments

#: Pixels per row: a 12 px label inside a bar of ``BAR_SHARE`` of it, with a gap.
ROW_PX = 20

#: Share of a row the bar covers.
BAR_SHARE = 0.78

#: Pixel size of the text in the rows.
TEXT_PX = 12

#: Rows a row chart keeps room for even when it has fewer bars.
MIN_ROWS = 2


def row_scales(across: LinearScale | None = None) -> dict[str, LinearScale]:
    """Scales of a row chart: ``across`` (default 0 to 1) across, rows down."""
    x = across if across is not None else LinearScale(min=0.0, max=1.0)
    return {"x": x, "y": LinearScale(min=-MIN_ROWS + 0.5, max=0.5)}


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


def hover_band(scales: dict) -> Lines:
    """An invisible band over each row whose tooltip is the row's label."""
    return Lines(
        scales=scales,
        stroke_width=ROW_PX,
        tooltip=Tooltip(fields=["name"], show_labels=False),
        # Several lines per tooltip; bqplot writes the text into a table cell.
        # bqplot's popper places it around a 20 px box below-right of the
        # pointer; pulled up by half a row, a tooltip placed beside the pointer
        # is level with the hovered row (one placed below still overlaps the next).
        tooltip_style={"opacity": 0.95, "white-space": "pre", "margin-top": "-10px"},
    )


def set_hover(band: Lines, x0: float, x1: float, texts: Sequence[str]) -> None:
    """One band per row, spanning ``x0`` to ``x1``, with ``texts`` as tooltips."""
    n = len(texts)
    set_segments(band, [x0] * n, [x1] * n, [-i for i in range(n)], ["white"] * n, [0.0] * n, texts)


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
