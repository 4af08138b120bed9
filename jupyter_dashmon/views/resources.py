"""Runs in the kernel: the Resources figures, CPU, memory and network over time.

Reads :class:`~jupyter_dashmon.aggregate.models.ResourcesModel` only: mean
CPU % over workers and memory as % of the summed limits on one figure,
summed network read/write bytes per second on another, on a time axis.
"""

from __future__ import annotations

import numpy as np
from bqplot import Axis, DateScale, LinearScale, Lines

from ..aggregate import transforms as tf
from ..aggregate.models import ResourcesModel
from ..collect.messages import RESOURCE_FIELDS
from .base import Throttle, datetimes, decimate, tile_figure

#: Points drawn per line at most; longer series are thinned evenly.
MAX_POINTS = 150

CPU_COLOR, MEMORY_COLOR = "#1f77b4", "#2ca02c"
READ_COLOR, WRITE_COLOR = "#9467bd", "#ff7f0e"


class ResourcesView:
    """Two figures, ``.usage`` and ``.network``, kept in step with a ResourcesModel."""

    def __init__(self, model: ResourcesModel, height: int = 220, every: float = 1.0):
        self.model = model
        self.t1, self.t2 = DateScale(), DateScale()
        self.pct = LinearScale(min=0.0)
        self.rate = LinearScale(min=0.0)
        self.usage_lines = Lines(
            scales={"x": self.t1, "y": self.pct},
            colors=[CPU_COLOR, MEMORY_COLOR],
            labels=["CPU %", "memory %"],
            display_legend=True,
            stroke_width=1.5,
        )
        self.network_lines = Lines(
            scales={"x": self.t2, "y": self.rate},
            colors=[READ_COLOR, WRITE_COLOR],
            labels=["read", "write"],
            display_legend=True,
            stroke_width=1.5,
        )
        margin = {"left": 56, "bottom": 30}
        self.usage = tile_figure(
            "CPU and memory",
            height,
            margin=margin,
            marks=[self.usage_lines],
            legend_location="top-left",
            axes=[
                Axis(scale=self.t1, num_ticks=4, grid_lines="none"),
                Axis(
                    scale=self.pct, side="left", num_ticks=4, tick_format=".0f", grid_lines="none"
                ),
            ],
        )
        self.network = tile_figure(
            "Network",
            height,
            margin=margin,
            marks=[self.network_lines],
            legend_location="top-left",
            axes=[
                Axis(scale=self.t2, num_ticks=4, grid_lines="none"),
                Axis(
                    scale=self.rate, side="left", num_ticks=4, tick_format=".2~s", grid_lines="none"
                ),
            ],
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

        when = datetimes(column(m.time).tolist())
        limit = np.maximum(column(m.memory_limit), 1.0)
        memory_pct = column(m.memory) / limit * 100.0
        cpu = column(m.cpu)
        with self.usage.hold_sync():
            self.pct.max = _headroom(max(cpu.max(), memory_pct.max()), floor=10.0)
            self.usage_lines.x = when
            self.usage_lines.y = np.vstack([cpu, memory_pct])
            self.usage.title = (
                f"CPU {cpu[-1]:.0f}% \u00b7 memory {tf.format_bytes(m.memory[-1])} "
                f"of {tf.format_bytes(m.memory_limit[-1])}"
            )
        read = column(m.network_read)
        write = column(m.network_write)
        with self.network.hold_sync():
            self.rate.max = _headroom(max(read.max(), write.max()), floor=1024.0)
            self.network_lines.x = when
            self.network_lines.y = np.vstack([read, write])
            self.network.title = (
                f"Network \u00b7 read {tf.format_bytes(read[-1])}/s"
                f" \u00b7 write {tf.format_bytes(write[-1])}/s"
            )

    def _clear(self) -> None:
        for lines in (self.usage_lines, self.network_lines):
            with lines.hold_sync():
                lines.x, lines.y = [], []
        self.usage.title, self.network.title = "CPU and memory", "Network"


def _headroom(peak: float, floor: float) -> float:
    """An axis maximum a little above ``peak`` (and at least ``floor``)."""
    return float(max(peak * 1.15, floor))
