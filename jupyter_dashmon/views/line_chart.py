"""Runs in the kernel: lines over clock time, drawn on a canvas in the browser.

:class:`LineChart` holds a whole chart (title, sample times, each line's
values, the value axis, the lines' names at their right ends, a hover text
per sample) in a few traits; ``js/src/lines.ts`` draws it on a canvas and
picks the clock ticks for the width it has.  :meth:`LineChart.show` sets
them all under ``hold_sync``: a redraw is one message, where a bqplot figure
of two lines, their names, its hover columns and two axes sent a dozen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from traitlets import Dict, Int, List, Unicode

from ..aggregate import ticks as tk
from .package_widget import PackageWidget

#: Margins of a line chart: the title clear of the top tick label, tick labels on
#: the left, line names on the right.
MARGIN = {"top": 44, "left": 64, "right": 44, "bottom": 30}

#: Least distance between two line names at the right end, in pixels: their
#: line height (13 px, js/style/stream.css) and one more.
NAME_GAP = 14.0

#: Decimals kept of sample times and values: far below a pixel.
DECIMALS = 3


def _numbers(values: np.ndarray) -> list[float | None]:
    """``values`` as JSON numbers, NaN (a gap) as null."""
    rounded = np.round(np.asarray(values, dtype=float), DECIMALS).tolist()
    # v != v: NaN, at Python's speed (np.isnan per item costs a ufunc call each).
    return [None if v != v else v for v in rounded]


class LineChart(PackageWidget):
    """Lines over clock time: ``t`` (epoch seconds), ``lines`` (``{"color", "y"}``
    each, null where a line breaks), ``y_ticks`` (``[value, label]``, the axis
    running from 0 to the last), ``ends`` (``[name, colour, y]``), ``tips``
    (a hover text per sample, empty for none) and ``clock`` (the UTC offset
    and round steps of the clock labels)."""

    _model_name = Unicode("LineChartModel").tag(sync=True)
    _view_name = Unicode("LineChartView").tag(sync=True)

    title = Unicode("").tag(sync=True)
    height = Int(220).tag(sync=True)
    margin = Dict(MARGIN).tag(sync=True)
    t: List = List().tag(sync=True)
    lines: List = List().tag(sync=True)
    y_ticks: List = List().tag(sync=True)
    ends: List = List().tag(sync=True)
    tips: List = List().tag(sync=True)
    clock = Dict().tag(sync=True)

    def __init__(self, **kwargs: object):
        super().__init__(**kwargs)
        # The hover text of each sample drawn last, by its time and values: a
        # sample never changes once taken, and a redraw mostly redraws the same
        # ones, so only the new samples' texts are made (they were most of a
        # redraw's cost).  It holds the samples of one redraw, no more.
        self._tip_texts: dict[tuple, str] = {}

    def show(
        self,
        times: np.ndarray,
        series: Sequence[np.ndarray],
        names: Sequence[str],
        colors: Sequence[str],
        ticks: tk.Ticks,
        tip: Callable[[int], str],
        title: str,
    ) -> None:
        """Draw ``series`` over ``times``, broken across idle gaps, on the axis
        ``ticks``; ``tip(i)`` is the hover text of sample ``i``."""
        t, ys = tk.break_gaps(times, series)
        # The samples of the broken times: a gap point has no hover text.
        of = np.searchsorted(times, t)
        real = (of < len(times)) & (np.take(times, np.minimum(of, len(times) - 1)) == t)
        plot = max(self.height - self.margin["top"] - self.margin["bottom"], 10)
        lo, hi = ticks.lo, ticks.hi
        last = [float(s[-1]) if np.isfinite(s[-1]) else lo for s in series]
        placed = tk.spread(last, NAME_GAP / plot * (hi - lo), lo, hi)
        clock = {
            "offset": tk.local_offset(float(times[-1])),
            "steps": [float(s) for s in tk.CLOCK_STEPS],
        }
        known = self._tip_texts
        samples = list(zip(times.tolist(), *(np.asarray(y).tolist() for y in series)))
        texts = [known.get(sample) or tip(i) for i, sample in enumerate(samples)]
        self._tip_texts = dict(zip(samples, texts))
        with self.hold_sync():
            self.t = _numbers(t)
            self.lines = [{"color": c, "y": _numbers(y)} for c, y in zip(colors, ys)]
            self.y_ticks = tk.labelled(ticks)
            self.ends = [[n, c, round(y, DECIMALS)] for n, c, y in zip(names, colors, placed)]
            self.tips = [texts[int(i)] if ok else "" for i, ok in zip(of, real)]
            if self.clock != clock:
                self.clock = clock
            self.title = title

    def clear(self, ticks: tk.Ticks, title: str) -> None:
        """No samples: empty axes under ``title``."""
        with self.hold_sync():
            self.t, self.lines, self.ends, self.tips = [], [], [], []
            self.y_ticks = tk.labelled(ticks)
            self.title = title
