"""Runs in the kernel: the scheduler's own health, and what the dashboard costs it.

Reads :class:`~jupyter_dashmon.aggregate.models.ResourcesModel` and
:class:`~jupyter_dashmon.aggregate.models.ProgressModel` only: the scheduler
process's CPU % and memory over time, its event-loop interval, tasks by state,
connected clients and workers, and the share of one core that dashboards take
from the scheduler (the rate of ``dashboard_seconds``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bqplot import Axis, DateScale, LinearScale, Lines
from bqplot import Label as TextMark
from ipywidgets import Label, Layout, VBox

from ..aggregate import transforms as tf
from ..aggregate.models import ProgressModel, ResourcesModel
from ..aggregate.transforms import STATES
from ..collect.messages import RESOURCE_FIELDS
from .base import NEUTRAL, RectBars, Throttle, datetimes, side_by_side, tile_figure

CPU_COLOR, MEMORY_COLOR, LOOP_COLOR, COST_COLOR = "#1f77b4", "#2ca02c", "#9467bd", "#d62728"
STATE_COLOR = "#7f7f7f"
#: Top of the count axis while no task is known (ticks 0 to 4).
EMPTY_MAX = 4.0


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
        self.loop, self.loop_line = _time_figure("Event loop interval", height, LOOP_COLOR, "ms")
        self.cost, self.cost_line = _time_figure(
            "Dashboard cost", height, COST_COLOR, "% of a core"
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
        t, pct, nbytes = DateScale(), LinearScale(min=0.0), LinearScale(min=0.0)
        self.cpu_line = Lines(
            x=[],
            y=[],
            scales={"x": t, "y": pct},
            colors=[CPU_COLOR],
            labels=["CPU %"],
            display_legend=True,
            stroke_width=1.5,
        )
        self.memory_line = Lines(
            x=[],
            y=[],
            scales={"x": t, "y": nbytes},
            colors=[MEMORY_COLOR],
            labels=["memory"],
            display_legend=True,
            stroke_width=1.5,
        )
        self.usage = tile_figure(
            "Scheduler CPU and memory",
            height,
            margin={"left": 56, "right": 56},
            marks=[self.cpu_line, self.memory_line],
            legend_location="top-left",
            axes=[
                Axis(scale=t, num_ticks=4, grid_lines="none"),
                Axis(
                    scale=pct,
                    side="left",
                    num_ticks=4,
                    tick_format=".0f",
                    grid_lines="none",
                    label="CPU %",
                ),
                Axis(
                    scale=nbytes,
                    side="right",
                    num_ticks=4,
                    tick_format=".2~s",
                    grid_lines="none",
                    label="bytes",
                ),
            ],
        )

    def _build_states(self, height: int) -> None:
        # Row i (state i) stands at y = -i, top to bottom; its name sits just above it.
        count = LinearScale(min=0.0)
        rows = LinearScale(min=-len(STATES) + 0.5, max=0.6)  # room for the top label
        scales = {"x": count, "y": rows}
        self.state_bars = RectBars(scales, horizontal=True, color=STATE_COLOR)
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
            axes=[Axis(scale=count, num_ticks=4, tick_format=",d", grid_lines="none")],
        )

    def _update_resources(self, change: object = None) -> None:
        r = self.resources
        n = min(len(r.time), len(r.scheduler_cpu), len(r.scheduler_memory), len(r.loop_interval))
        # Empty lines are drawn from [] (not empty arrays), as bqplot expects.
        when: np.ndarray | list = datetimes(r.time[-n:]) if n else []
        cpu: np.ndarray | list = np.asarray(r.scheduler_cpu[-n:], dtype=float) if n else []
        memory: np.ndarray | list = np.asarray(r.scheduler_memory[-n:], dtype=float) if n else []
        loop_ms: np.ndarray | list = (
            np.asarray(r.loop_interval[-n:], dtype=float) * 1000.0 if n else []
        )
        with self.usage.hold_sync():
            _set_line(self.cpu_line, when, cpu)
            _set_line(self.memory_line, when, memory)
            self.usage.title = (
                f"Scheduler CPU {_last(cpu):.0f}% \u00b7 memory {tf.format_bytes(_last(memory))}"
                if n
                else "Scheduler CPU and memory"
            )
        with self.loop.hold_sync():
            _set_line(self.loop_line, when, loop_ms)
            self.loop.title = (
                f"Event loop interval {_last(loop_ms):.1f} ms" if n else "Event loop interval"
            )
        times, pct = r.cost_time, r.cost_percent
        with self.cost.hold_sync():
            _set_line(self.cost_line, datetimes(times) if times else [], pct)
            self.cost.title = (
                f"Dashboard cost {_last(pct):.1f}% of a core \u00b7 "
                f"{tf.format_seconds(_last(r.dashboard_seconds))} in total"
            )
        self.connections.value = (
            f"{int(_last(r.n_clients))} clients \u00b7 {int(_last(r.n_workers))} workers connected"
        )

    def _update_states(self, change: object = None) -> None:
        counts = tf.state_counts(self.progress.totals)
        values = [counts[s] for s in STATES]
        count = self.state_bars.mark.scales["x"]
        # No tasks: a fixed range, or the scale's domain would be [0, 0] and the
        # browser would put x = 0 (the labels) in the middle of the figure.
        wanted_max = None if any(values) else EMPTY_MAX
        if count.max != wanted_max:
            count.max = wanted_max
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


def _time_figure(title: str, height: int, color: str, unit: str) -> tuple:
    t, y = DateScale(), LinearScale(min=0.0)
    line = Lines(x=[], y=[], scales={"x": t, "y": y}, colors=[color], stroke_width=1.5)
    fig = tile_figure(
        title,
        height,
        margin={"left": 56},
        marks=[line],
        axes=[
            Axis(scale=t, num_ticks=4, grid_lines="none"),
            Axis(
                scale=y, side="left", num_ticks=4, tick_format=".3~g", grid_lines="none", label=unit
            ),
        ],
    )
    return fig, line


def _set_line(line: Lines, x: object, y: object) -> None:
    with line.hold_sync():
        line.x, line.y = x, y
