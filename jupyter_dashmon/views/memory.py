"""Runs in the kernel: the Memory use chart, bytes in memory per function.

Reads :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only: one
horizontal bar per prefix with results in memory now (released results are
not counted), sorted by name, each labelled inside its row with the function
and its bytes, which its tooltip repeats; past ``max_bars`` prefixes only the
largest are drawn and the rest are summarised as "+N more".  Every bar has a
row of fixed height, so the chart is compact with few functions and scrolls
past a dozen; with none, it says so instead of showing an empty axis.  The
title gives the total in human units.  The chart is a
:class:`~.bar_rows.BarRows`, drawn as HTML by ``js/src/bars.ts``, one
message a redraw; its text is set as text, never parsed as HTML.
"""

from __future__ import annotations

from ipywidgets import Layout

from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.models import ProgressModel
from .bar_rows import BarRows, axis_of, note_row, value_row
from .base import Throttle

#: What the chart says when no function holds results in memory.
IDLE = "no results in memory"


class MemoryView:
    """The Memory use chart (``.figure``, a :class:`~.bar_rows.BarRows`, also
    ``.widget``), kept in step with a ProgressModel.

    ``.names`` are the prefixes drawn, top to bottom; ``.hidden`` how many
    more have bytes in memory.
    """

    def __init__(self, model: ProgressModel, every: float = 1.0):
        self.model = model
        self.figure = BarRows(title="Memory use: 0 B", layout=Layout(width="100%"))
        self.figure.add_class("dashmon-memory")
        self.widget = self.figure
        self.names: list[str] = []
        self.hidden = 0
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=["prefixes", "colors", "max_bars"])
        self._update()

    def _update(self, change: object = None) -> None:
        memory, hidden, total = tf.memory_bars(self.model.prefixes, self.model.max_bars)
        shown = list(memory)
        # Bytes from 0 to a round number above the largest bar, in binary units.
        ticks = tk.byte_ticks(max(memory.values(), default=0))
        colors = self.model.colors
        rows = [
            value_row(
                f"{tf.short_name(n)}  {tf.format_bytes(memory[n])}",
                f"{n}: {tf.format_bytes(memory[n])} in memory",
                memory[n] / ticks.hi,
                colors.get(n, "#7f7f7f"),
            )
            for n in shown
        ]
        if hidden:
            rest = tf.format_bytes(total - sum(memory.values()))
            rows.append(note_row(f"+{hidden:,} more", f"{hidden:,} more functions hold {rest}"))
        if not rows:
            rows.append(note_row(IDLE))
        with self.figure.hold_sync():
            self.figure.rows = rows
            self.figure.axis = axis_of(ticks) if shown else []
            self.figure.title = f"Memory use: {tf.format_bytes(total)}"
        self.names, self.hidden = shown, hidden
