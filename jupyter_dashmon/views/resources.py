"""Runs in the kernel: the Resources charts, CPU, memory and network over time.

Reads :class:`~jupyter_dashmon.aggregate.models.ResourcesModel` only: mean
CPU % over workers and memory as % of the summed limits on one chart,
summed network read/write bytes per second on another, on a clock-time axis.
Axes start at 0 with round ticks (:mod:`~jupyter_dashmon.aggregate.ticks`);
lines are named at their right ends rather than by a legend over the data,
and break across idle gaps rather than joining them straight.  Hovering a
time shows the time and every value there.  Titles stay short enough for a
250 px side panel (values to three digits).  Each chart is a
:class:`~.line_chart.LineChart`, drawn on a canvas by ``js/src/lines.ts``:
a redraw is one message.
"""

from __future__ import annotations

import numpy as np
from ipywidgets import Layout

from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.models import ResourcesModel
from ..collect.messages import RESOURCE_FIELDS
from .base import Throttle, decimate
from .line_chart import LineChart

#: Points drawn per line at most; longer series are thinned evenly.
MAX_POINTS = 150

CPU_COLOR, MEMORY_COLOR = "#1f77b4", "#2ca02c"
READ_COLOR, WRITE_COLOR = "#9467bd", "#ff7f0e"


class ResourcesView:
    """Two charts, ``.usage`` and ``.network`` (:class:`~.line_chart.LineChart`),
    kept in step with a ResourcesModel."""

    def __init__(self, model: ResourcesModel, height: int = 220, every: float = 2.0):
        self.model = model
        # Ticks about 25 px apart at least: fewer of them on a short chart.
        self.tick_count = 2 if height < 180 else 4
        self.usage = LineChart(
            title="CPU and memory", height=height, layout=Layout(width="100%", min_width="200px")
        )
        self.network = LineChart(
            title="Network", height=height, layout=Layout(width="100%", min_width="200px")
        )
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=list(RESOURCE_FIELDS))
        self._update()

    def _update(self, change: object = None) -> None:
        m = self.model
        n = min(
            len(m.time),
            len(m.cpu),
            len(m.memory),
            len(m.memory_limit),
            len(m.network_read),
            len(m.network_write),
        )
        if n == 0:
            self._clear()
            return
        keep = decimate(n, MAX_POINTS)

        def column(values: list) -> np.ndarray:
            return np.asarray(values[-n:], dtype=float)[keep]

        times = column(m.time)
        memory = column(m.memory)
        limit = np.maximum(column(m.memory_limit), 1.0)
        memory_pct = memory / limit * 100.0
        cpu = column(m.cpu)
        read = column(m.network_read)
        write = column(m.network_write)
        peak = float(max(cpu.max(), memory_pct.max()))
        self.usage.show(
            times,
            [cpu, memory_pct],
            ["CPU", "mem"],
            [CPU_COLOR, MEMORY_COLOR],
            tk.quantity_ticks(peak, self.tick_count, floor=10.0, unit="%"),
            lambda i: (
                f"{tk.clock_text(times[i])}  CPU {cpu[i]:.0f}% \u00b7 "
                f"memory {memory_pct[i]:.0f}% ({short_bytes(memory[i])})"
            ),
            f"CPU {cpu[-1]:.0f}% \u00b7 memory {short_bytes(m.memory[-1])} "
            f"of {short_bytes(m.memory_limit[-1])}",
        )
        self.network.show(
            times,
            [read, write],
            ["read", "write"],
            [READ_COLOR, WRITE_COLOR],
            tk.byte_ticks(float(max(read.max(), write.max())), self.tick_count, per_second=True),
            lambda i: (
                f"{tk.clock_text(times[i])}  read {short_bytes(read[i])}/s \u00b7 "
                f"write {short_bytes(write[i])}/s"
            ),
            f"Net read {short_bytes(read[-1])}/s \u00b7 write {short_bytes(write[-1])}/s",
        )

    def _clear(self) -> None:
        self.usage.clear(
            tk.quantity_ticks(0.0, self.tick_count, floor=10.0, unit="%"), "CPU and memory"
        )
        self.network.clear(tk.byte_ticks(0.0, self.tick_count, per_second=True), "Network")


def short_bytes(n: float) -> str:
    """Bytes in binary units to three significant digits (``310 MiB``, ``2.61 MiB``):
    what fits in a title or a tooltip in a 250 px side panel."""
    text = tf.format_bytes(n)
    number, _, unit = text.partition(" ")
    if unit == "B":
        return text
    value = float(number)
    digits = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:.{digits}f} {unit}"
