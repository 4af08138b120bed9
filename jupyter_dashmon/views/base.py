"""Runs in the kernel: what every dashboard figure shares.

A figure here is a bqplot ``Figure`` sized for a dashboard tile, with colours
that read on JupyterLab's light and dark themes (a mid-grey for text and
lines that are not data), and no animation, so frequent updates stay cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from bqplot import Axis, DateScale, Figure, LinearScale, Lines, Tooltip
from bqplot import Label as TextMark
from bqplot.colorschemes import CATEGORY10
from ipywidgets import Dropdown, HBox, Layout, VBox, Widget
from traitlets import List

from ..aggregate import ticks as tk
from ..aggregate.throttle import Throttle as Throttle  # where every view finds it

#: Neutral colour for labels and tracks, legible on white and on dark grey.
NEUTRAL = "#8c8c8c"


class PlainLines(Lines):
    """bqplot's ``Lines``, the same widget in the browser, whose colour and text
    lists are taken as they are instead of item by item.

    The bars, bands and hover columns redrawn several times a second hold a
    colour and a text for each of up to hundreds of segments; bqplot checks
    each item of each list on every assignment, which cost a fifth of a
    Progress redraw.  What the views assign is built by them from the palette
    (colours) and ``str`` (texts), never from user input.
    """

    colors: List[str] = List(default_value=CATEGORY10).tag(sync=True, display_name="Colors")
    fill_colors: List[str] = List().tag(sync=True, display_name="Fill colors")
    labels: List[str] = List().tag(sync=True, display_name="Labels")


def tile_figure(title: str, height: int, margin: dict | None = None, **kwargs) -> Figure:
    """An empty dashboard figure of a given pixel height."""
    fig_margin = {"top": 36, "bottom": 30, "left": 16, "right": 16}
    fig_margin.update(margin or {})
    return Figure(
        title=title,
        fig_margin=fig_margin,
        layout=Layout(width="100%", height=f"{height}px", min_width="200px"),
        animation_duration=0,
        padding_y=0.0,
        padding_x=0.0,
        title_style={"font-size": "13px"},
        background_style={"fill": "none"},
        # bqplot's toolbar would pop up over the title on every hover.
        display_toolbar=False,
        **kwargs,
    )


def quantity_scale(**kwargs) -> LinearScale:
    """A scale whose range is exactly what :func:`set_ticks` sets (no padding below 0)."""
    return LinearScale(min=0.0, max=1.0, allow_padding=False, **kwargs)


def clock_scale() -> DateScale:
    """A time scale whose range is exactly what :func:`set_clock` sets."""
    return DateScale(allow_padding=False)


def _keep_inside(axis: Axis, lo: object, hi: object) -> None:
    """Before ``axis``'s scale moves to ``lo``..``hi``: drop the ticks outside it.

    The scale's range and the axis's ticks are two widgets, so two messages,
    and the page draws between them: old ticks outside the new range would be
    drawn beyond the plot until the new ticks land, which under load is long
    enough to see (and for a test to read).  In between, the page shows only
    the old ticks that are inside both ranges.
    """
    old = axis.tick_values
    if old is None or not len(old):
        return
    inside = (old >= lo) & (old <= hi)
    if not inside.all():
        axis.tick_values = old[inside]


def set_ticks(axis: Axis, ticks: tk.Ticks, scale: bool = True) -> None:
    """Put ``ticks`` on ``axis`` (and their range on its scale), sending only changes."""
    sc = axis.scale
    if scale and (sc.min, sc.max) != (ticks.lo, ticks.hi):
        _keep_inside(axis, ticks.lo, ticks.hi)
        with sc.hold_sync():
            sc.min, sc.max = ticks.lo, ticks.hi
    # Labels first, in a message of their own: bqplot redraws new tick values
    # in a (zero-length) transition that runs after the message is handled,
    # with the formatter of that moment, so values sent with (or before)
    # their labels would be drawn with the old labels and stay so.
    if axis.tick_labels != ticks.labels:
        axis.tick_labels = dict(ticks.labels)
    values = np.asarray(ticks.values, dtype=float)
    if axis.tick_values is None or not np.array_equal(axis.tick_values, values):
        axis.tick_values = values


def set_clock(axis: Axis, t0: float, t1: float, count: int = 3) -> None:
    """Range ``t0``..``t1`` (epoch seconds) on a time axis, ticks on round clock times.

    Ticks are at least a ``count``-th of the plot's width apart.  Three keeps
    the 47 px clock labels apart on the narrowest plot that shows them all:
    a 301 px figure (narrower ones show every other label, see
    ``placement/layout.py``) with two value axes, 140 px of margins.
    """
    sc = axis.scale
    if not t1 > t0:
        t0, t1 = t0 - 1.0, t0
    step, ticks = tk.clock_grid(t0, t1, count)
    lo, hi = datetimes([t0, t1])
    if (sc.min, sc.max) != (lo, hi):
        _keep_inside(axis, lo, hi)
        with sc.hold_sync():
            sc.min, sc.max = lo, hi
    fmt = "%H:%M:%S" if step >= 1 else "%H:%M:%S.%L"
    if axis.tick_format != fmt:  # before the values, as in set_ticks
        axis.tick_format = fmt
    values = datetimes(ticks)
    if axis.tick_values is None or not np.array_equal(axis.tick_values, values):
        axis.tick_values = values


def clock_axis(scale: DateScale) -> Axis:
    """A bottom time axis for :func:`set_clock`."""
    return Axis(scale=scale, tick_format="%H:%M:%S", grid_lines="none")


def value_axis(scale: LinearScale, side: str = "left", label: str = "") -> Axis:
    """A quantity axis for :func:`set_ticks`."""
    return Axis(scale=scale, side=side, grid_lines="none", label=label, tick_values=[0.0, 1.0])


def plot_height(fig: Figure) -> float:
    """Pixel height of the plotting area of ``fig``."""
    total = float(str(fig.layout.height).removesuffix("px"))
    return max(total - fig.fig_margin["top"] - fig.fig_margin["bottom"], 10.0)


class RectBars:
    """A bar chart drawn as filled rectangles of one ``Lines`` mark (``.mark``).

    bqplot's ``Bars`` mark leaves an empty ``<g>`` in the page on every redraw
    (it removes its zero line but not the group around it), so a bar chart
    updated a few times a second grows the page's DOM for as long as it is
    open (``bench/SOAK.md``).  Closed paths of one ``Lines`` mark leave nothing
    behind.  Bars stand on 0 along the value axis and span ``[lo, hi]`` along
    the other, in data coordinates, so their widths follow the scales.

    What is drawn is kept as ``lo``, ``hi``, ``values``, ``colors`` and
    ``labels`` (the hover text of each bar).
    """

    def __init__(self, scales: dict, horizontal: bool, color: str = NEUTRAL):
        self.horizontal = horizontal
        self.color = color
        self.mark = PlainLines(
            scales=scales,
            fill="inside",
            close_path=True,
            stroke_width=0.5,
            tooltip=Tooltip(fields=["name"], show_labels=False),
        )
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.values: list[float] = []
        self.colors: list[str] = []
        self.labels: list[str] = []
        self.set([], [], [])

    def set(
        self,
        lo: Sequence[float],
        hi: Sequence[float],
        values: Sequence[float],
        colors: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        """Draw one bar per value, replacing what was drawn."""
        n = len(values)
        before = (len(self.values), self.colors, self.labels)
        self.lo, self.hi = [float(v) for v in lo], [float(v) for v in hi]
        self.values = [float(v) for v in values]
        self.colors = list(colors) if colors is not None else [self.color] * n
        self.labels = list(labels) if labels is not None else [""] * n
        mark = self.mark
        with mark.hold_sync():
            if n == 0:  # one invisible path: an empty Lines mark has no extent to scale
                mark.x, mark.y = np.zeros((1, 5)), np.zeros((1, 5))
                mark.colors, mark.fill_colors = ["white"], ["white"]
                mark.opacities, mark.fill_opacities, mark.labels = [0.0], [0.0], [""]
                return
            a, b = np.asarray(self.lo), np.asarray(self.hi)
            v, zero = np.asarray(self.values), np.zeros(n)
            across = np.column_stack([a, b, b, a, a])  # along the categories
            along = np.column_stack([zero, zero, v, v, zero])  # along the values
            x, y = (along, across) if self.horizontal else (across, along)
            mark.x, mark.y = x.astype(np.float32), y.astype(np.float32)
            # Most redraws move the bars only: the lists below are validated
            # item by item on assignment, so they are assigned when they changed.
            if before[0] == 0 or before[1] != self.colors:
                mark.colors = mark.fill_colors = self.colors
            if before[0] != n:
                mark.opacities, mark.fill_opacities = [], [1.0] * n
            if before[0] == 0 or before[2] != self.labels:
                mark.labels = self.labels


class EndLabels:
    """Names of a figure's lines written at their right ends, in the margin (``.mark``).

    A legend inside the plot covers data; these labels sit just right of the
    last point of each line, in the line's colour, moved apart where lines
    end close together.  The figure needs a right margin wide enough for them.
    """

    #: Least distance between two labels, in pixels.
    GAP = 12.0

    def __init__(self, scales: dict, names: Sequence[str], colors: Sequence[str]):
        self.names = list(names)
        self.mark = TextMark(
            scales=scales,
            x=[],
            y=[],
            text=[],
            colors=list(colors),
            default_size=11,
            align="start",
            x_offset=4,
            y_offset=4,
            apply_clip=False,
            enable_hover=False,
        )

    def place(self, x: object, last: Sequence[float], figure: Figure) -> None:
        """Put each name beside its line's ``last`` value at time ``x``."""
        y = self.mark.scales["y"]
        lo, hi = float(y.min or 0.0), float(y.max or 1.0)
        gap = self.GAP / plot_height(figure) * (hi - lo)
        finite = [v if np.isfinite(v) else lo for v in last]
        with self.mark.hold_sync():
            self.mark.x = np.asarray([x] * len(self.names))
            self.mark.y = np.asarray(tk.spread(finite, gap, lo, hi), dtype=float)
            if list(self.mark.text) != self.names:  # the names stay; only where they go moves
                self.mark.text = self.names

    def clear(self) -> None:
        with self.mark.hold_sync():
            self.mark.x, self.mark.y, self.mark.text = [], [], []


def datetimes(seconds: Sequence[float] | np.ndarray) -> np.ndarray:
    """Seconds since the epoch as ``datetime64[ms]``, what a bqplot DateScale takes.

    bqplot formats dates in UTC; shifting them by the local UTC offset makes
    its labels read the kernel's local clock time.  NaN stays NaT (a gap).
    """
    s = np.asarray(seconds, dtype=float)
    if not len(s):
        return s.astype("datetime64[ms]")
    finite = s[np.isfinite(s)]
    shift = tk.local_offset(float(finite[-1])) if len(finite) else 0.0
    return ((s + shift) * 1000).astype("datetime64[ms]")


def decimate(n: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` of ``n`` points, evenly spread, always the last."""
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(int))


def chooser(description: str, options: Any = (("all work", ""),), value: Any = "") -> Dropdown:
    """A compact dropdown sized to its words (wraps in a narrow side panel)."""
    return Dropdown(
        options=list(options),
        value=value,
        description=description,
        style={"description_width": "auto"},
        layout=Layout(width="auto", max_width="100%"),
    )


def side_by_side(*figures: Widget, weights: Sequence[int] | None = None) -> HBox:
    """Figures side by side, sharing the width by weight, wrapping one under
    another when the space is narrow: a 250 px side panel holds one figure
    per row (figures are at least 200 px wide), a 600 px one two."""
    shares = weights or [1] * len(figures)
    cells = [
        VBox([fig], layout=Layout(flex=f"{weight} 1 280px", min_width="200px"))
        for fig, weight in zip(figures, shares)
    ]
    return HBox(cells, layout=Layout(flex_flow="row wrap", width="100%"))
