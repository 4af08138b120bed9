"""Runs in the kernel: what every dashboard figure shares.

A figure here is a bqplot ``Figure`` sized for a dashboard tile, with colours
that read on JupyterLab's light and dark themes (a mid-grey for text and
lines that are not data), and no animation, so frequent updates stay cheap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bqplot import Axis, DateScale, Figure, LinearScale, Lines, PanZoom, Tooltip
from bqplot import Label as TextMark
from ipywidgets import HBox, Layout, ToggleButton, VBox, Widget

from ..aggregate import ticks as tk
from ..aggregate.throttle import Throttle as Throttle  # where every view finds it

#: Neutral colour for labels and tracks, legible on white and on dark grey.
NEUTRAL = "#8c8c8c"


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


def set_ticks(axis: Axis, ticks: tk.Ticks, scale: bool = True) -> None:
    """Put ``ticks`` on ``axis`` (and their range on its scale), sending only changes."""
    sc = axis.scale
    with sc.hold_sync():
        if scale and (sc.min, sc.max) != (ticks.lo, ticks.hi):
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


def set_clock(axis: Axis, t0: float, t1: float, count: int = 4) -> None:
    """Range ``t0``..``t1`` (epoch seconds) on a time axis, ticks on round clock times."""
    sc = axis.scale
    if not t1 > t0:
        t0, t1 = t0 - 1.0, t0
    step = tk.clock_step(t1 - t0, count)
    lo, hi = datetimes([t0, t1])
    with sc.hold_sync():
        sc.min, sc.max = lo, hi
    fmt = "%H:%M:%S" if step >= 1 else "%H:%M:%S.%L"
    if axis.tick_format != fmt:  # before the values, as in set_ticks
        axis.tick_format = fmt
    values = datetimes(tk.clock_ticks(t0, t1, count))
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


def set_segments(
    mark: Lines,
    x0: Sequence[float],
    x1: Sequence[float],
    y: Sequence[float],
    colors: Sequence[str],
    opacities: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
) -> None:
    """Draw horizontal segments (thick lines) as one ``Lines`` mark.

    A segment of stroke width ``w`` pixels is a rectangle ``w`` pixels tall;
    one mark holds them all, so an update is a single message.
    """
    n = len(x0)
    with mark.hold_sync():
        if n == 0:
            mark.x, mark.y = np.zeros((1, 2)), np.zeros((1, 2))
            mark.colors, mark.opacities, mark.labels = ["white"], [0.0], [""]
            return
        # float32 halves the bytes on the wire; seconds and row numbers keep
        # sub-millisecond precision over hours.
        mark.x = np.column_stack([np.asarray(x0, np.float32), np.asarray(x1, np.float32)])
        mark.y = np.column_stack([np.asarray(y, np.float32), np.asarray(y, np.float32)])
        mark.colors = list(colors)
        mark.opacities = list(opacities) if opacities is not None else []  # [] = all opaque
        mark.labels = list(labels) if labels is not None else [""] * n


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
        self.mark = Lines(
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
            mark.colors = mark.fill_colors = self.colors
            mark.opacities, mark.fill_opacities = [], [1.0] * n
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


class ChunkedSegments:
    """Append-only horizontal segments spread over a ring of ``Lines`` marks.

    bqplot re-sends a mark's whole arrays when they change.  Holding the
    segments in chunks of ``chunk`` means an update re-sends only the chunk
    that grew (and reuses the mark of the oldest chunk once ``capacity``
    segments are held), instead of every segment on screen.  Every mark is
    made up front: a mark created during updates may receive data before the
    browser has built its scales (bqplot then logs "Cannot read properties
    of undefined (reading 'scale')").
    """

    def __init__(self, scales: dict, capacity: int, chunk: int = 25, tooltip: object = None):
        self.scales, self.chunk, self.tooltip = scales, chunk, tooltip
        self.n_chunks = max(capacity // chunk, 1) + 1
        self.marks = [
            Lines(scales=scales, stroke_width=10, tooltip=tooltip) for _ in range(self.n_chunks)
        ]
        self._data: list[dict[str, list]] = [
            {k: [] for k in ("x0", "x1", "row", "color", "label")} for _ in self.marks
        ]
        for mark, data in zip(self.marks, self._data):
            _draw_chunk(mark, data)
        self._next = 0
        self.count = 0

    def replace(
        self, x0: Sequence, x1: Sequence, row: Sequence, color: Sequence, label: Sequence
    ) -> None:
        """Hold exactly these segments, sending each mark at most once."""
        columns = (x0, x1, row, color, label)
        n = min(len(x0), self.chunk * self.n_chunks)
        used = -(-n // self.chunk)
        for i, (mark, data) in enumerate(zip(self.marks, self._data)):
            lo, hi = i * self.chunk, min((i + 1) * self.chunk, n)
            if lo >= n and not data["x0"]:
                continue
            for name, values in zip(("x0", "x1", "row", "color", "label"), columns):
                data[name] = list(values[lo:hi])
            _draw_chunk(mark, data)
        self._next = used % self.n_chunks
        self.count = n

    def append(
        self, x0: Sequence, x1: Sequence, row: Sequence, color: Sequence, label: Sequence
    ) -> None:
        """Add segments, re-sending only the chunks they land in."""
        touched: set[int] = set()
        for item in zip(x0, x1, row, color, label):
            slot = (self._next - 1) % self.n_chunks
            if not self.count or len(self._data[slot]["x0"]) >= self.chunk:
                slot = self._take_slot()
            for column, value in zip(("x0", "x1", "row", "color", "label"), item):
                self._data[slot][column].append(value)
            touched.add(slot)
            self.count += 1
        for slot in touched:
            _draw_chunk(self.marks[slot], self._data[slot])

    def _take_slot(self) -> int:
        slot = self._next
        self._next = (self._next + 1) % self.n_chunks
        data = self._data[slot]
        self.count -= len(data["x0"])
        for column in data.values():
            column.clear()
        return slot

    def data(self) -> dict[str, list]:
        """Every held segment in columns, oldest first."""
        out: dict[str, list] = {k: [] for k in ("x0", "x1", "row", "color", "label")}
        n = len(self._data)
        for i in range(n):
            chunk = self._data[(self._next + i) % n]
            for k, column in out.items():
                column.extend(chunk[k])
        return out


def _draw_chunk(mark: Lines, data: dict[str, list]) -> None:
    set_segments(mark, data["x0"], data["x1"], data["row"], data["color"], labels=data["label"])


def stream_scales() -> dict[str, LinearScale]:
    """Scales of a task-stream figure: time across, worker threads down.

    No padding: the x range is the window drawn (a padded one would start
    before it, at negative seconds), the y range exactly the rows.
    """
    return {
        "x": LinearScale(allow_padding=False),
        "y": LinearScale(min=-0.5, max=0.5, reverse=True, allow_padding=False),
    }


def rect_mark(scales: dict[str, LinearScale]) -> Lines:
    """A mark for task rectangles whose hover shows each rectangle's label."""
    return Lines(
        scales=scales, stroke_width=10, tooltip=Tooltip(fields=["name"], show_labels=False)
    )


def stream_figure(title: str, height: int, scales: dict, marks: list) -> Figure:
    """A task-stream figure: rows of rectangles on a time axis (ticks set by the view)."""
    return tile_figure(
        title,
        height,
        # Room for half a clock label beyond each end of the axis.
        margin={"bottom": 30, "left": 28, "right": 28},
        marks=marks,
        axes=[Axis(scale=scales["x"], grid_lines="none", tick_values=[])],
    )


def pan_toggle(figure: Figure, scales: dict) -> tuple[ToggleButton, PanZoom]:
    """A button that switches ``figure`` between hovering tasks and panning/zooming
    time, and the interaction it switches on (a view keeps both, so that closing
    the view closes both).

    bqplot's PanZoom lies over the marks and takes every mouse event, so no
    tooltip shows while it is on: hover is the default, pan/zoom a choice.
    """
    panzoom = PanZoom(scales={"x": [scales["x"]]})
    button = ToggleButton(
        value=False,
        description="Pan/zoom",
        icon="arrows-alt",
        tooltip="Drag to pan and wheel to zoom the time axis (hover shows tasks when off)",
        layout=Layout(width="auto", flex="none", margin="2px 0 0 16px"),
    )

    def switch(change: dict) -> None:
        figure.interaction = panzoom if change["new"] else None

    button.observe(switch, names=["value"])
    return button, panzoom


def set_stream_ticks(figure: Figure, lo: float, hi: float, origin: float) -> None:
    """Clock-time ticks on a stream's x axis, which is in seconds since ``origin``."""
    if hi > lo:
        set_ticks(figure.axes[0], tk.relative_clock_ticks(lo, hi, origin, count=4), scale=False)


def fit_rows(
    figure: Figure, scales: dict, marks: Sequence[Lines], n_rows: int, cap: float = 40.0
) -> None:
    """Make ``n_rows`` thread rows fill the figure: y range and rectangle height."""
    n_rows = max(n_rows, 1)
    scales["y"].max = n_rows - 0.5
    width = min(plot_height(figure) / n_rows * 0.8, cap)
    for mark in marks:
        mark.stroke_width = width


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
