"""Runs in the kernel: the Memory use figure, bytes in memory per function.

Reads :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only: one
horizontal bar per prefix with results in memory now (released results are
not counted), sorted by name; the title gives the total in human units and
hovering a bar shows the function and its bytes.
"""

from __future__ import annotations

from bqplot import Axis, Bars, LinearScale, OrdinalScale, Tooltip

from ..aggregate import transforms as tf
from ..aggregate.models import ProgressModel
from .base import Throttle, tile_figure


class MemoryView:
    """The Memory use figure (``.figure``), kept in step with a ProgressModel."""

    def __init__(self, model: ProgressModel, height: int = 280, every: float = 0.25):
        self.model = model
        self.names = OrdinalScale()
        self.bytes = LinearScale(min=0.0)
        self.bars = Bars(
            x=[], y=[], orientation="horizontal", color_mode="element",
            scales={"x": self.names, "y": self.bytes}, padding=0.2,
            tooltip=Tooltip(fields=["x", "y"], labels=["function", "bytes"], formats=["", ".4~s"]),
        )  # fmt: skip
        self.figure = tile_figure(
            "Memory use: 0 B", height, margin={"left": 90, "bottom": 36}, marks=[self.bars],
            axes=[
                Axis(scale=self.names, side="left", grid_lines="none"),
                Axis(scale=self.bytes, tick_format=".2~s", num_ticks=4, grid_lines="none"),
            ],
        )  # fmt: skip
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=["prefixes", "colors"])
        self._update()

    def _update(self, change: object = None) -> None:
        memory = tf.memory_by_prefix(self.model.prefixes)
        names = list(memory)
        with self.figure.hold_sync():
            with self.bars.hold_sync():
                self.bars.x = names
                self.bars.y = [memory[n] for n in names]
                self.bars.colors = [self.model.colors.get(n, "#7f7f7f") for n in names] or ["#7f7f7f"]
            self.figure.title = f"Memory use: {tf.format_bytes(sum(memory.values()))}"
