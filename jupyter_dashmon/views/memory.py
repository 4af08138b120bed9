"""Runs in the kernel: the Memory use figure, bytes in memory per function.

Reads :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only: one
horizontal bar per prefix with results in memory now (released results are
not counted), sorted by name, each labelled inside its row with the function
and its bytes, which its tooltip repeats; past ``max_bars`` prefixes only the
largest are drawn and the rest are summarised as "+N more".  Every bar has a
row of fixed height, so the figure is compact with few functions and scrolls
in its box (``.widget``) past a dozen; with none,
it says so instead of showing an empty axis.  The title gives the total in
human units.  Text is drawn as SVG text, never HTML.
"""

from __future__ import annotations

from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.models import ProgressModel
from .base import RectBars, Throttle, quantity_scale, set_ticks, tile_figure, value_axis
from .rows import (
    BAR_SHARE,
    fit_rows,
    hover_band,
    row_labels,
    row_scales,
    scroll_box,
    set_hover,
)

#: Pixels above the rows (the title), below them (the bytes axis) and beside
#: them (half the widest tick label, "150 MiB", centred on the axis's end).
MARGIN = {"top": 32, "bottom": 30, "right": 28}

#: What the figure says when no function holds results in memory.
IDLE = "no results in memory"


class MemoryView:
    """The Memory use figure (``.figure``), kept in step with a ProgressModel.

    ``.names`` are the prefixes drawn, top to bottom; ``.bars`` their bars
    (:class:`~.base.RectBars`); ``.hidden`` how many more have bytes in memory;
    ``.labels`` the text in each row and ``.hover`` the invisible bands that
    carry each row's tooltip.
    """

    def __init__(self, model: ProgressModel, every: float = 1.0):
        self.model = model
        # Bytes from 0 to a round number above the largest bar, in binary units.
        self.scales = row_scales(quantity_scale())
        self.bytes, self.rows = self.scales["x"], self.scales["y"]
        self.bars = RectBars(self.scales, horizontal=True)
        self.labels = row_labels(self.scales)
        self.hover = hover_band(self.scales)
        self.axis = value_axis(self.bytes, side="bottom")
        self.figure = tile_figure(
            "Memory use: 0 B",
            0,
            margin=MARGIN,
            marks=[self.bars.mark, self.labels, self.hover],
            axes=[self.axis],
        )
        self.widget = scroll_box(self.figure, MARGIN["top"] + MARGIN["bottom"])
        self.names: list[str] = []
        self.hidden = 0
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=["prefixes", "colors", "max_bars"])
        self._update()

    def _update(self, change: object = None) -> None:
        memory, hidden, total = tf.memory_bars(self.model.prefixes, self.model.max_bars)
        shown = list(memory)
        tips = [f"{n}: {tf.format_bytes(memory[n])} in memory" for n in shown]
        text = [f"{tf.short_name(n)}  {tf.format_bytes(memory[n])}" for n in shown]
        if hidden:
            text.append(f"+{hidden:,} more")
        colors = [self.model.colors.get(n, "#7f7f7f") for n in shown]
        half = BAR_SHARE / 2
        with self.figure.hold_sync():
            rows = len(text) or 1
            fit_rows(self.figure, self.scales, rows, MARGIN["top"] + MARGIN["bottom"])
            self.bars.set(
                [-i - half for i in range(len(shown))],
                [-i + half for i in range(len(shown))],
                [memory[n] for n in shown],
                colors,
                # The bands above carry the tooltips; text here would be sent twice.
                [""] * len(shown),
            )
            with self.labels.hold_sync():
                if len(self.labels.x) != rows:  # the rows' places move only with their number
                    self.labels.x = [0.0] * rows
                    self.labels.y = [-float(i) for i in range(rows)]
                self.labels.text = text or [IDLE]
            self.axis.visible = bool(shown)
            if shown:
                set_ticks(self.axis, tk.byte_ticks(max(memory.values())))
            else:  # the scale keeps a width so the message starts at the left edge
                self.bytes.min, self.bytes.max = 0.0, 1.0
            # The bands span the whole bytes axis, so they move only with its range.
            set_hover(self.hover, float(self.bytes.min), float(self.bytes.max), tips)
            self.figure.title = f"Memory use: {tf.format_bytes(total)}"
        self.names, self.hidden = shown, hidden
