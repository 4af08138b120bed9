"""Runs in the kernel: the Memory use figure, bytes in memory per function.

Reads :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only: one
horizontal bar per prefix with results in memory now (released results are
not counted), sorted by name, each labelled with the function and its bytes;
past ``max_bars`` prefixes only the largest are drawn and the rest are
summarised as "+N more".  The title gives the total in human units.  Text is
drawn as SVG text, never HTML.
"""

from __future__ import annotations

from bqplot import Axis, Label, LinearScale

from ..aggregate import transforms as tf
from ..aggregate.models import ProgressModel
from .base import MIN_ROWS, NEUTRAL, RectBars, Throttle, tile_figure


class MemoryView:
    """The Memory use figure (``.figure``), kept in step with a ProgressModel.

    ``.names`` are the prefixes drawn, top to bottom; ``.bars`` their bars
    (:class:`~.base.RectBars`); ``.hidden`` how many more have bytes in memory.
    """

    def __init__(self, model: ProgressModel, height: int = 280, every: float = 0.25):
        self.model = model
        self.bytes = LinearScale(min=0.0)
        self.rows = LinearScale(min=-MIN_ROWS + 0.5, max=0.55)  # room for the top label
        scales = {"x": self.bytes, "y": self.rows}
        self.bars = RectBars(scales, horizontal=True)
        self.labels = Label(
            scales=scales,
            x=[],
            y=[],
            text=[],
            colors=[NEUTRAL],
            default_size=11,
            align="start",
            x_offset=4,
            y_offset=-2,
        )
        self.figure = tile_figure(
            "Memory use: 0 B",
            height,
            margin={"bottom": 36},
            marks=[self.bars.mark, self.labels],
            axes=[Axis(scale=self.bytes, tick_format=".2~s", num_ticks=4, grid_lines="none")],
        )
        self.names: list[str] = []
        self.hidden = 0
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=["prefixes", "colors", "max_bars"])
        self._update()

    def _update(self, change: object = None) -> None:
        memory, hidden, total = tf.memory_bars(self.model.prefixes, self.model.max_bars)
        shown = list(memory)
        rows = max(len(shown) + (1 if hidden else 0), MIN_ROWS)
        text = [f"{n}  {tf.format_bytes(memory[n])}" for n in shown]
        if hidden:
            text.append(f"+{hidden:,} more")
        colors = [self.model.colors.get(n, "#7f7f7f") for n in shown]
        with self.figure.hold_sync():
            self.rows.min = -rows + 0.5
            self.bars.set(
                [-i - 0.35 for i in range(len(shown))],
                [-i + 0.15 for i in range(len(shown))],
                [memory[n] for n in shown],
                colors,
                text[: len(shown)],
            )
            with self.labels.hold_sync():
                self.labels.x = [0.0] * len(text)
                self.labels.y = [-i + 0.38 for i in range(len(text))]
                self.labels.text = text
            self.figure.title = f"Memory use: {tf.format_bytes(total)}"
        self.names, self.hidden = shown, hidden
