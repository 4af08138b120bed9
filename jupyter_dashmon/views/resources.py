"""Runs in the kernel: the Resources figures, CPU, memory and network over time.

Reads :class:`~jupyter_dashmon.aggregate.models.ResourcesModel` only: mean
CPU % over workers and memory as % of the summed limits on one figure,
summed network read/write bytes per second on another, on a clock-time axis.
Axes start at 0 with round ticks (:mod:`~jupyter_dashmon.aggregate.ticks`);
lines are named at their right ends rather than by a legend over the data,
and break across idle gaps rather than joining them straight.  Hovering a
time shows the time and every value there (:class:`~.hover.TimeHover`).
Titles stay short enough for a 250 px side panel (values to three digits).
"""

from __future__ import annotations

import numpy as np
from bqplot import Lines

from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.models import ResourcesModel
from ..collect.messages import RESOURCE_FIELDS
from .base import (
    EndLabels,
    Throttle,
    clock_axis,
    clock_scale,
    datetimes,
    decimate,
    quantity_scale,
    set_clock,
    set_ticks,
    tile_figure,
    value_axis,
)
from .hover import TimeHover

#: Points drawn per line at most; longer series are thinned evenly.
MAX_POINTS = 150

CPU_COLOR, MEMORY_COLOR = "#1f77b4", "#2ca02c"
READ_COLOR, WRITE_COLOR = "#9467bd", "#ff7f0e"

#: Margins of a resource figure: the title clear of the top tick label, tick labels on
#: the left, line names on the right.
MARGIN = {"top": 44, "left": 64, "right": 44, "bottom": 30}


class ResourcesView:
    """Two figures, ``.usage`` and ``.network``, kept in step with a ResourcesModel.

    ``usage_lines`` and ``network_lines`` are the lines; ``usage_names`` and
    ``network_names`` (:class:`~.base.EndLabels`) name them at their ends.
    """

    def __init__(self, model: ResourcesModel, height: int = 220, every: float = 2.0):
        self.model = model
        # Ticks about 25 px apart at least: fewer of them on a short chart.
        self.tick_count = 2 if height < 180 else 4
        self.t1, self.t2 = clock_scale(), clock_scale()
        self.pct, self.rate = quantity_scale(), quantity_scale()
        self.usage_lines = Lines(
            scales={"x": self.t1, "y": self.pct},
            colors=[CPU_COLOR, MEMORY_COLOR],
            labels=["CPU %", "memory %"],
            stroke_width=1.5,
        )
        self.network_lines = Lines(
            scales={"x": self.t2, "y": self.rate},
            colors=[READ_COLOR, WRITE_COLOR],
            labels=["read", "write"],
            stroke_width=1.5,
        )
        self.usage_names = EndLabels(
            self.usage_lines.scales, ["CPU", "mem"], [CPU_COLOR, MEMORY_COLOR]
        )
        self.network_names = EndLabels(
            self.network_lines.scales, ["read", "write"], [READ_COLOR, WRITE_COLOR]
        )
        self.usage_hover = TimeHover(self.usage_lines.scales)
        self.network_hover = TimeHover(self.network_lines.scales)
        self.usage_axes = [clock_axis(self.t1), value_axis(self.pct)]
        self.network_axes = [clock_axis(self.t2), value_axis(self.rate)]
        self.usage = tile_figure(
            "CPU and memory",
            height,
            margin=MARGIN,
            marks=[self.usage_lines, self.usage_names.mark, self.usage_hover.mark],
            axes=self.usage_axes,
        )
        self.network = tile_figure(
            "Network",
            height,
            margin=MARGIN,
            marks=[self.network_lines, self.network_names.mark, self.network_hover.mark],
            axes=self.network_axes,
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
        t, usage = tk.break_gaps(times, [cpu, memory_pct])
        _, network = tk.break_gaps(times, [read, write])
        when = datetimes(t)
        with self.usage.hold_sync():
            set_clock(self.usage_axes[0], float(times[0]), float(times[-1]))
            peak = float(max(cpu.max(), memory_pct.max()))
            set_ticks(
                self.usage_axes[1], tk.quantity_ticks(peak, self.tick_count, floor=10.0, unit="%")
            )
            with self.usage_lines.hold_sync():  # x and y in one message
                self.usage_lines.x = when
                self.usage_lines.y = usage
            self.usage_names.place(when[-1], [cpu[-1], memory_pct[-1]], self.usage)
            self.usage_hover.set(
                times,
                lambda i: (
                    f"{tk.clock_text(times[i])}  CPU {cpu[i]:.0f}% \u00b7 "
                    f"memory {memory_pct[i]:.0f}% ({short_bytes(memory[i])})"
                ),
            )
            self.usage.title = (
                f"CPU {cpu[-1]:.0f}% \u00b7 memory {short_bytes(m.memory[-1])} "
                f"of {short_bytes(m.memory_limit[-1])}"
            )
        with self.network.hold_sync():
            set_clock(self.network_axes[0], float(times[0]), float(times[-1]))
            peak = float(max(read.max(), write.max()))
            set_ticks(self.network_axes[1], tk.byte_ticks(peak, self.tick_count, per_second=True))
            with self.network_lines.hold_sync():
                self.network_lines.x = when
                self.network_lines.y = network
            self.network_names.place(when[-1], [read[-1], write[-1]], self.network)
            self.network_hover.set(
                times,
                lambda i: (
                    f"{tk.clock_text(times[i])}  read {short_bytes(read[i])}/s \u00b7 "
                    f"write {short_bytes(write[i])}/s"
                ),
            )
            self.network.title = (
                f"Net read {short_bytes(read[-1])}/s \u00b7 write {short_bytes(write[-1])}/s"
            )

    def _clear(self) -> None:
        for lines in (self.usage_lines, self.network_lines):
            with lines.hold_sync():
                lines.x, lines.y = [], []
        self.usage_names.clear()
        self.network_names.clear()
        self.usage_hover.clear()
        self.network_hover.clear()
        set_ticks(self.usage_axes[1], tk.quantity_ticks(0.0, self.tick_count, floor=10.0, unit="%"))
        set_ticks(self.network_axes[1], tk.byte_ticks(0.0, self.tick_count, per_second=True))
        self.usage.title, self.network.title = "CPU and memory", "Network"


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
