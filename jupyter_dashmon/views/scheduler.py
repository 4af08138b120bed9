"""Runs in the kernel: the scheduler's own health, and what the dashboard costs it.

Reads :class:`~jupyter_dashmon.aggregate.models.ResourcesModel` and
:class:`~jupyter_dashmon.aggregate.models.ProgressModel` only: the scheduler
process's CPU % and memory over time, its event-loop interval, tasks by state,
connected clients and workers, and the share of one core that dashboards take
from the scheduler (the rate of ``dashboard_seconds``).  Hovering a time on
a line chart shows the time and the values there (:class:`~.hover.TimeHover`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bqplot import Label as TextMark
from bqplot import LinearScale, Lines
from ipywidgets import Label, Layout, VBox

from ..aggregate import ticks as tk
from ..aggregate import transforms as tf
from ..aggregate.models import ProgressModel, ResourcesModel
from ..aggregate.transforms import STATES
from ..collect.messages import RESOURCE_FIELDS
from .base import (
    NEUTRAL,
    RectBars,
    Throttle,
    clock_axis,
    clock_scale,
    datetimes,
    quantity_scale,
    set_clock,
    set_ticks,
    side_by_side,
    tile_figure,
    value_axis,
)
from .hover import TimeHover, themed

CPU_COLOR, MEMORY_COLOR, LOOP_COLOR, COST_COLOR = "#1f77b4", "#2ca02c", "#9467bd", "#d62728"
STATE_COLOR = "#7f7f7f"
#: Top of the count axis while no task is known (ticks 0 to 4).
EMPTY_MAX = 4.0
#: Margins of a figure over time: tick labels with units left (and right).
MARGIN = {"top": 44, "left": 64, "right": 24}


def _last(values: Sequence[float] | np.ndarray) -> float:
    return float(values[-1]) if len(values) else 0.0


# -- the view --------------------------------------------------------------------


class SchedulerView:
    """The scheduler page (``.widget``), kept in step with a ResourcesModel and a ProgressModel.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole page.
    connections : ipywidgets.Label
        Connected clients and workers now, as plain text.
    usage : bqplot.Figure
        Scheduler CPU % (``cpu_line``, left axis) and memory (``memory_line``,
        bytes, right axis) over time.
    loop : bqplot.Figure
        Event-loop interval in milliseconds over time (``loop_line``).
    states : bqplot.Figure
        Tasks per state as horizontal bars, one row per state in :data:`STATES`
        order from the top (``state_bars``, a
        :class:`~jupyter_dashmon.views.base.RectBars`), each named with its
        count just above it (``state_labels``); the title counts all tasks known.
    cost : bqplot.Figure
        Dashboard cost as % of one core over time (``cost_line``); the title
        gives the total scheduler time spent on dashboards.
    """

    def __init__(
        self,
        resources: ResourcesModel,
        progress: ProgressModel,
        height: int = 220,
        every: float = 1.0,
    ):
        self.resources = resources
        self.progress = progress
        self.connections = Label(layout=Layout(width="auto"))
        self._build_usage(height)
        self.loop, self.loop_line, self.loop_hover = _time_figure(
            "Event loop interval", height, LOOP_COLOR
        )
        self.cost, self.cost_line, self.cost_hover = _time_figure(
            "Dashboard cost", height, COST_COLOR
        )
        self._build_states(height)
        self.widget = VBox(
            [
                self.connections,
                side_by_side(self.usage, self.loop),
                side_by_side(self.states, self.cost),
            ]
        )
        self.redraw = Throttle(self._refresh, every)
        resources.observe(self.redraw, names=[*RESOURCE_FIELDS, "cost_percent"])
        progress.observe(self.redraw, names=["totals"])
        self._refresh()

    def _refresh(self) -> None:
        self._update_resources()
        self._update_states()

    def _build_usage(self, height: int) -> None:
        # Two quantities on one time axis: each value axis is drawn in its line's
        # colour and named after it, so no legend needs to cover the data.
        t, pct, nbytes = clock_scale(), quantity_scale(), quantity_scale()
        self.cpu_line = Lines(
            x=[], y=[], scales={"x": t, "y": pct}, colors=[CPU_COLOR], stroke_width=1.5
        )
        self.memory_line = Lines(
            x=[], y=[], scales={"x": t, "y": nbytes}, colors=[MEMORY_COLOR], stroke_width=1.5
        )
        cpu_axis, memory_axis = value_axis(pct, label="CPU"), value_axis(nbytes, "right", "memory")
        for axis, color in ((cpu_axis, CPU_COLOR), (memory_axis, MEMORY_COLOR)):
            axis.color = axis.label_color = color
        # Names clear of the widest tick labels ("20%" left, "200 MiB" right).
        cpu_axis.label_offset, memory_axis.label_offset = "42px", "58px"
        self.usage_axes = [clock_axis(t), cpu_axis, memory_axis]
        self.usage_hover = TimeHover(self.cpu_line.scales)
        self.usage = tile_figure(
            "Scheduler CPU and memory",
            height,
            margin={"top": 44, "left": 64, "right": 76},
            marks=[self.cpu_line, self.memory_line, self.usage_hover.mark],
            axes=self.usage_axes,
        )

    def _build_states(self, height: int) -> None:
        # Row i (state i) stands at y = -i, top to bottom; its name sits just above it.
        count = quantity_scale()
        rows = LinearScale(min=-len(STATES) + 0.5, max=0.6)  # room for the top label
        scales = {"x": count, "y": rows}
        self.state_bars = RectBars(scales, horizontal=True, color=STATE_COLOR)
        themed(self.state_bars.mark)
        self.state_labels = TextMark(
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
        self.states = tile_figure(
            "Tasks by state",
            height,
            margin={"left": 24, "right": 24},
            marks=[self.state_bars.mark, self.state_labels],
            axes=[value_axis(count, "bottom")],
        )
        self.states_axis = self.states.axes[0]

    def _update_resources(self, change: object = None) -> None:
        r = self.resources
        n = min(len(r.time), len(r.scheduler_cpu), len(r.scheduler_memory), len(r.loop_interval))
        # Empty lines are drawn from [] (not empty arrays), as bqplot expects.
        seconds = r.time[-n:] if n else []
        cpu: np.ndarray | list = np.asarray(r.scheduler_cpu[-n:], dtype=float) if n else []
        memory: np.ndarray | list = np.asarray(r.scheduler_memory[-n:], dtype=float) if n else []
        loop_ms: np.ndarray | list = (
            np.asarray(r.loop_interval[-n:], dtype=float) * 1000.0 if n else []
        )
        if n:
            t0, t1 = float(seconds[0]), float(seconds[-1])
            for axis in (self.usage_axes[0], self.loop.axes[0]):
                set_clock(axis, t0, t1)
        set_ticks(self.usage_axes[1], tk.quantity_ticks(_peak(cpu), floor=10.0, unit="%"))
        set_ticks(self.usage_axes[2], tk.byte_ticks(_peak(memory)))
        set_ticks(self.loop.axes[1], tk.quantity_ticks(_peak(loop_ms), floor=1.0, unit="ms"))
        with self.usage.hold_sync():
            _set_line(self.cpu_line, *_broken(seconds, cpu))
            _set_line(self.memory_line, *_broken(seconds, memory))
            self.usage_hover.set(
                seconds,
                [
                    f"{tk.clock_text(t)}  CPU {c:.0f}% \u00b7 memory {tf.format_bytes(b)}"
                    for t, c, b in zip(seconds, cpu, memory)
                ],
            )
            self.usage.title = (
                f"Scheduler CPU {_last(cpu):.0f}% \u00b7 memory {tf.format_bytes(_last(memory))}"
                if n
                else "Scheduler CPU and memory"
            )
        with self.loop.hold_sync():
            _set_line(self.loop_line, *_broken(seconds, loop_ms))
            self.loop_hover.set(
                seconds, [f"{tk.clock_text(t)}  {v:.1f} ms" for t, v in zip(seconds, loop_ms)]
            )
            self.loop.title = (
                f"Event loop interval {_last(loop_ms):.1f} ms" if n else "Event loop interval"
            )
        times, pct = r.cost_time, r.cost_percent
        if len(times):
            set_clock(self.cost.axes[0], float(times[0]), float(times[-1]))
        set_ticks(self.cost.axes[1], tk.quantity_ticks(_peak(pct), floor=1.0, unit="%"))
        with self.cost.hold_sync():
            _set_line(self.cost_line, *_broken(times, pct))
            self.cost_hover.set(
                times, [f"{tk.clock_text(t)}  {v:.1f}% of a core" for t, v in zip(times, pct)]
            )
            self.cost.title = (
                # Short enough for a 250 px side panel; the hover says "of a core".
                f"Dashboard cost {_last(pct):.1f}% \u00b7 "
                f"{tf.format_seconds(_last(r.dashboard_seconds))} total"
            )
        self.connections.value = (
            f"{int(_last(r.n_clients))} clients \u00b7 {int(_last(r.n_workers))} workers connected"
        )

    def _update_states(self, change: object = None) -> None:
        counts = tf.state_counts(self.progress.totals)
        values = [counts[s] for s in STATES]
        # No tasks: still a 0..4 range, or the labels at x = 0 would sit mid-figure.
        set_ticks(self.states_axis, tk.quantity_ticks(max(values), floor=EMPTY_MAX))
        with self.states.hold_sync():
            self.state_bars.set(
                [-i - 0.45 for i in range(len(STATES))],
                [-i - 0.2 for i in range(len(STATES))],
                values,
                labels=[f"{s}: {c:,} tasks" for s, c in zip(STATES, values)],
            )
            with self.state_labels.hold_sync():
                self.state_labels.x = [0.0] * len(STATES)
                self.state_labels.y = [-i + 0.2 for i in range(len(STATES))]
                self.state_labels.text = [f"{s}  {c:,}" for s, c in zip(STATES, values)]
            self.states.title = (
                f"Tasks by state \u00b7 {int(_last(self.resources.n_tasks)):,} tasks"
            )


def _time_figure(title: str, height: int, color: str) -> tuple:
    t, y = clock_scale(), quantity_scale()
    line = Lines(x=[], y=[], scales={"x": t, "y": y}, colors=[color], stroke_width=1.5)
    hover = TimeHover(line.scales)
    fig = tile_figure(
        title,
        height,
        margin=MARGIN,
        marks=[line, hover.mark],
        axes=[clock_axis(t), value_axis(y)],
    )
    return fig, line, hover


def _peak(values: Sequence[float] | np.ndarray) -> float:
    return float(np.nanmax(values)) if len(values) else 0.0


def _broken(times: Sequence[float], values: Sequence[float] | np.ndarray) -> tuple:
    """A line's x (dates) and y, broken by a NaN across idle gaps; ``[]`` when empty."""
    if not len(times):
        return [], []
    t, ys = tk.break_gaps(times, [values])
    return datetimes(t), ys[0]


def _set_line(line: Lines, x: object, y: object) -> None:
    with line.hold_sync():
        line.x, line.y = x, y
