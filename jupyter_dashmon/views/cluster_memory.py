"""Runs in the kernel: the Cluster memory tab, managed, unmanaged and spilled bytes over time.

Reads :class:`~jupyter_dashmon.aggregate.models.ClusterMemoryModel` only.
Managed (results held), unmanaged (the rest of the workers' process memory),
older then recent, and spilled (results moved to disk) are stacked in that
order on a clock-time axis; the summed memory limit and the spill and pause thresholds are lines,
named at their right ends.  Hovering a time gives every value there.
"""

from __future__ import annotations

import numpy as np
from bqplot import Lines
from ipywidgets import HTML, Layout, VBox

from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.cluster_memory import BANDS, bands
from ..aggregate.colors import DISK
from ..aggregate.models import ClusterMemoryModel
from .base import (
    NEUTRAL,
    EndLabels,
    Throttle,
    clock_axis,
    clock_scale,
    datetimes,
    quantity_scale,
    set_clock,
    set_ticks,
    tile_figure,
    value_axis,
)
from .hover import TimeHover

#: Recent unmanaged memory in a lighter shade of the older part's colour.
COLORS = {
    "managed": "#3d80d7",
    "unmanaged_old": "#9466c8",
    "unmanaged_recent": "#c5aee6",
    "spilled": DISK,
}
LIMIT_COLOR, SPILL_COLOR, PAUSE_COLOR = NEUTRAL, "#ff7f00", "#d62728"
#: Lines are drawn while at most this many times the memory in use.
NEAR = 4.0


class ClusterMemoryView:
    """The Cluster memory tab (``.widget``, a figure).

    Attributes
    ----------
    areas : dict of bqplot.Lines
        One filled band per entry of :data:`~..aggregate.cluster_memory.BANDS`,
        stacked from the bottom.
    limits : bqplot.Lines
        The memory limit, and the spill and pause thresholds, as flat lines.
    """

    def __init__(self, model: ClusterMemoryModel, height: int = 300, every: float = 1.0):
        self.model = model
        t, y = clock_scale(), quantity_scale()
        self.scales = {"x": t, "y": y}
        self.areas = {
            name: Lines(
                x=[],
                y=[],
                scales=self.scales,
                colors=[COLORS[name]],
                fill="between",
                fill_colors=[COLORS[name]],
                fill_opacities=[0.75],
                stroke_width=0,
            )
            for name in BANDS
        }
        self.limits = Lines(
            x=[],
            y=[],
            scales=self.scales,
            colors=[LIMIT_COLOR, SPILL_COLOR, PAUSE_COLOR],
            stroke_width=1.5,
            line_style="dashed",
        )
        self.names = EndLabels(
            self.scales,
            ["limit", "spill", "pause"],
            [LIMIT_COLOR, SPILL_COLOR, PAUSE_COLOR],
        )
        self.hover = TimeHover(self.scales)
        self.axes = [clock_axis(t), value_axis(y)]
        self.figure = tile_figure(
            "Cluster memory",
            height,
            margin={"top": 44, "left": 64, "right": 52},
            marks=[*self.areas.values(), self.limits, self.names.mark, self.hover.mark],
            axes=self.axes,
        )
        # The figures' values as a line of text above it, wrapping in a narrow panel
        # (a title that long would be cut); numbers only, so plain HTML is safe.
        self.summary = HTML(layout=Layout(width="auto"))
        self.summary.add_class("dashmon-progress-counts")
        self.widget = VBox([self.summary, self.figure], layout=Layout(width="100%"))
        self.redraw = Throttle(self._draw, every)
        model.observe(self.redraw, names=["series", "thresholds"])
        self._draw()

    def _draw(self) -> None:
        s = self.model.series
        times = list(s.get("time", []))
        n = len(times)
        if not n:
            with self.figure.hold_sync():
                for area in self.areas.values():
                    area.x, area.y = [], []
                self.limits.x, self.limits.y = [], []
                self.names.clear()
                self.hover.clear()
                self.figure.title = "Cluster memory"
                self.summary.value = "No workers yet."
            return
        parts = bands(s)
        tops = np.cumsum([parts[name] for name in BANDS], axis=0)
        limit = np.asarray(s["memory_limit"], float)
        th = self.model.thresholds
        levels = [limit] + [limit * th.get(k, 0.0) for k in ("spill", "pause")]
        used = float(tops[-1].max())
        # Lines far above what is used (a LocalCluster's limit is the machine's memory)
        # would flatten the bands to nothing: those are named in the text instead.
        reach = max(used * NEAR, 1.0)
        shown = [
            i
            for i, k in enumerate(("limit", "spill", "pause"))
            if (i == 0 or th.get(k)) and float(levels[i].max()) <= reach
        ]
        set_clock(self.axes[0], float(times[0]), float(times[-1]) if n > 1 else times[0] + 1)
        peak = max([used] + [float(levels[i].max()) for i in shown])
        set_ticks(self.axes[1], tk.byte_ticks(peak))
        x = datetimes(times)
        with self.figure.hold_sync():
            below = np.zeros(n)
            for name, top in zip(BANDS, tops):
                # "between" fills between the two lines: this band's top and its floor.
                area = self.areas[name]
                with area.hold_sync():
                    area.x = x
                    area.y = np.vstack([top, below])
                below = top
            with self.limits.hold_sync():
                if shown:
                    self.limits.x = x
                    self.limits.y = np.vstack([levels[i] for i in shown])
                    self.limits.colors = [[LIMIT_COLOR, SPILL_COLOR, PAUSE_COLOR][i] for i in shown]
                else:
                    self.limits.x, self.limits.y = [], []
            if shown:
                self.names.names = [["limit", "spill", "pause"][i] for i in shown]
                self.names.mark.colors = [[LIMIT_COLOR, SPILL_COLOR, PAUSE_COLOR][i] for i in shown]
                self.names.place(x[-1], [float(levels[i][-1]) for i in shown], self.figure)
            else:
                self.names.clear()
            values = zip(*(parts[name] for name in BANDS))
            self.hover.set(
                times,
                [
                    f"{tk.clock_text(t)}  "
                    + " \u00b7 ".join(
                        f"{label} {tf.format_bytes(v)}" for label, v in zip(BANDS.values(), row)
                    )
                    for t, row in zip(times, values)
                ],
            )
            self.figure.title = "Cluster memory"
        last = {name: float(parts[name][-1]) for name in BANDS}
        self.summary.value = summary_html(last, float(limit[-1]), th, above=0 not in shown)


def summary_html(last: dict[str, float], limit: float, th: dict, above: bool) -> str:
    """The latest values, each after a square of its band's colour (numbers only);
    the limit and thresholds too when they are ``above`` the plotted range."""
    parts = [
        # Each square kept on the line of its name when the text wraps (the side panel).
        f'<span style="white-space:nowrap"><span style="color:{COLORS[name]}">\u25a0</span> '
        f"{label} {tf.format_bytes(last[name])}</span>"
        for name, label in BANDS.items()
    ]
    if above:
        marks = ", ".join(f"{k} at {th[k]:.0%}" for k in ("spill", "pause") if th.get(k))
        parts.append(f"limit {tf.format_bytes(limit)}" + (f" ({marks})" if marks else ""))
    return " \u00b7 ".join(parts)
