"""Runs in the kernel: the dashboard's tooltips, and hover on the points of line charts.

bqplot puts a figure's tooltip in a box appended to the page's ``<body>``,
outside the dashboard, where it takes bqplot's own colours (orange text in
JupyterLab's dark theme).  :func:`tooltip` gives the box the class
:data:`TOOLTIP_CLASS`, which the dashboard's CSS (``placement/layout.py``)
draws in the theme's colours.

A ``Lines`` mark's tooltip names a line, not a point.  :class:`TimeHover`
lays invisible columns side by side over a time chart, one per sample
(thinned to :data:`MOST_COLUMNS`), each with the time and every value there
as its tooltip: hovering anywhere above a time says what was drawn at it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from bqplot import LinearScale, Tooltip
from ipywidgets import Widget

from .base import PlainLines, datetimes, decimate

#: Class of every dashboard tooltip (see the dashboard's CSS).
TOOLTIP_CLASS = "dashmon-tooltip"

#: Height of a line of tooltip text and of the tooltip's padding and border, in pixels
#: (12 px text, line height 1.4: the dashboard's CSS).
LINE_PX, FRAME_PX = 17, 10

#: Least distance from the pointer to a tooltip placed below or above it: a
#: 20 px row holding the pointer is then never covered.
CLEAR_PX = 22


def tooltip_style(lines: int = 1) -> dict[str, str | float]:
    """The ``tooltip_style`` of a mark whose tooltips have ``lines`` lines.

    With the JupyterLab extension, ``js/src/tooltips.ts`` places the tooltip
    (below or above the hovered row, inside the viewport) and its CSS drops
    the margins below; they serve front-ends without it (Voila, VS Code).
    There bqplot places a tooltip on whichever side of the pointer has most room
    (beside it, usually) and keeps it inside the page, margins included.
    bqplot centres the tooltip's box, margins included, on the pointer's
    height when it places it beside the pointer: the margins below move the
    tooltip down until it starts :data:`CLEAR_PX` below the pointer, and
    one placed above up as far, so it never covers the row under the
    pointer unless the page has no room for that.  ``opacity`` must be
    given: bqplot sets it to 0 on hiding and back from this style on showing.
    """
    height = lines * LINE_PX + FRAME_PX
    return {
        "opacity": 1.0,
        "white-space": "pre",
        "margin-top": f"{height + 3 * CLEAR_PX}px",
        "margin-bottom": f"{CLEAR_PX}px",
    }


#: Columns of a time chart at most: about 10 px each in a wide tile.
MOST_COLUMNS = 48


def tooltip(fields: Sequence[str] = ("name",)) -> Tooltip:
    """A bqplot tooltip in the dashboard's colours, showing ``fields`` unlabelled."""
    tip = Tooltip(fields=list(fields), show_labels=False)
    tip.add_class(TOOLTIP_CLASS)
    return tip


def themed(mark: Widget) -> Widget:
    """``mark`` with its tooltip (one made elsewhere, e.g. by ``base.RectBars``)
    in the dashboard's colours."""
    if isinstance(mark.tooltip, Widget):
        mark.tooltip.add_class(TOOLTIP_CLASS)
        mark.tooltip_style = tooltip_style(1)
    return mark


class TimeHover:
    """Invisible columns over a time chart whose tooltips say what was drawn there.

    ``.mark`` is a ``Lines`` mark of closed rectangles on the chart's time
    scale; put it last among the figure's marks.  Column ``i`` spans from
    halfway to the previous sample to halfway to the next, and the whole
    height of the plot: on a vertical scale of its own, fixed at 0 to 1, so
    a value axis that grows (sent in a message of its own, before the
    columns) never leaves them short of the plot's top, and their heights
    are never re-sent for it.  What is sent: the columns' edges and texts
    when they change, the rest only when the number of columns does.
    """

    def __init__(self, scales: dict):
        self.mark = PlainLines(
            scales={"x": scales["x"], "y": LinearScale(min=0.0, max=1.0, allow_padding=False)},
            fill="inside",
            close_path=True,
            stroke_width=0,
            tooltip=tooltip(),
            tooltip_style=tooltip_style(1),
        )
        # Columns drawn; 0 for a cleared mark (its one placeholder has no size).
        self._columns = 0
        self.clear()

    def set(
        self, times: Sequence[float] | np.ndarray, texts: Sequence[str] | Callable[[int], str]
    ) -> None:
        """One column per sample at ``times`` (epoch seconds) with ``texts`` as tooltips.

        ``texts`` may be a function of a sample's index: then only the texts of
        the columns kept (at most :data:`MOST_COLUMNS`) are made.
        """
        t = np.asarray(times, dtype=float)
        keep = decimate(len(t), MOST_COLUMNS)
        text = texts if callable(texts) else texts.__getitem__
        t, labels = t[keep], [text(int(i)) for i in keep]
        n = len(t)
        if n == 0:
            self.clear()
            return
        mid = (t[1:] + t[:-1]) / 2
        left = np.concatenate([[t[0]], mid])
        right = np.concatenate([mid, [t[-1]]])
        edges = datetimes(np.column_stack([left, right, right, left, left]).ravel())
        mark = self.mark
        with mark.hold_sync():
            mark.x = edges.reshape(n, 5)
            # What depends only on the number of columns is assigned only when
            # that changed: validating it costs as much as sending.
            if self._columns != n:
                mark.y = np.tile(np.asarray([0.0, 0.0, 1.0, 1.0, 0.0], np.float32), (n, 1))
                mark.colors = mark.fill_colors = ["white"] * n
                mark.opacities = mark.fill_opacities = [0.0] * n
            self._columns = n
            if labels != mark.labels:
                mark.labels = labels

    def clear(self) -> None:
        self._columns = 0
        with self.mark.hold_sync():
            self.mark.x = datetimes(np.zeros(5)).reshape(1, 5)
            self.mark.y = np.zeros((1, 5), np.float32)
            self.mark.colors = self.mark.fill_colors = ["white"]
            self.mark.opacities = self.mark.fill_opacities = [0.0]
            self.mark.labels = [""]
