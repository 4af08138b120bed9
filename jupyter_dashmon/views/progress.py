"""Runs in the kernel: the Progress figure, one bar per task prefix.

Reads :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only.  Each bar
spans the prefix's total; left to right: completed and released (a tint of
the function's colour), completed and in memory (full shade), erred (black),
processing (grey), and a faint track for what is still to do (drawn only
there, so the tint is the colour on the page, never muddied by the track).  The function's name and
``done / total`` are written inside the bar; hovering a bar shows every
count.  Functions with work to run come first; finished ones that hold
nothing come last, drawn faint; past ``max_bars`` the rest are summarised as
"+N more".  Every bar has a row of fixed height, so the figure grows and
shrinks with the number of bars; past a dozen rows it scrolls in its box
(``.rows_box``).  Text is drawn as SVG text, never HTML.
"""

from __future__ import annotations

import html

from bqplot import Axis
from ipywidgets import HTML, Layout, VBox

from ..aggregate import transforms as tf
from ..aggregate.colors import TRACK
from ..aggregate.models import ProgressModel
from .base import PlainLines, Throttle, set_segments, tile_figure
from .rows import (
    BAND_COLOR,
    BAND_OPACITY,
    BAR_SHARE,
    ROW_PX,
    fit_rows,
    row_labels,
    row_scales,
    row_tooltip,
    scroll_box,
)

#: Segments per bar in ``ProgressView.bars``: track, four states, hover band.
PER_BAR = 6

#: Pixels above the rows (the title), below and beside them: no axis to make
#: room for, so the bars and their text take nearly the whole width.
MARGIN = {"top": 32, "bottom": 4, "left": 6, "right": 6}

#: Seconds between two updates of the counts line at most: under one poll
#: (``dashmon.interval``), so the line follows every poll.
COUNTS_EVERY = 0.1

#: Opacity of the text of quiet (finished, nothing held) functions.
QUIET_TEXT = 0.6


class ProgressView:
    """The Progress figure (``.figure``), kept in step with a ProgressModel.

    ``.bars`` is the one mark of the bars: per bar, :data:`PER_BAR`
    segments (the track of what is still to do, the four state segments,
    zero-width when empty, then an invisible band over the whole bar that
    carries the bar's tooltip in ``.bars.labels``), and one band for the
    "+N more" line.  ``.labels`` is the text inside the bars.  One mark
    means one message per redraw for all of it.
    """

    def __init__(self, model: ProgressModel, every: float = 0.4):
        self.model = model
        self.scales = row_scales()
        self.x, self.y = self.scales["x"], self.scales["y"]
        self.bars = PlainLines(
            scales=self.scales, stroke_width=ROW_PX * BAR_SHARE, **row_tooltip(3)
        )
        self.labels = row_labels(self.scales)
        self.figure = tile_figure(
            "Progress",
            ROW_PX,
            margin=MARGIN,
            marks=[self.bars, self.labels],
            axes=[Axis(scale=self.x, num_ticks=2, tick_format=".1f", visible=False)],
        )
        # The title carries the total; the counts by state sit in a line under it
        # that wraps, so they stay whole in a narrow tile or the side panel.
        self.counts = HTML(layout=Layout(margin="0 0 0 16px"))
        self.counts.add_class("dashmon-progress-counts")
        self.rows_box = scroll_box(self.figure, MARGIN["top"] + MARGIN["bottom"])
        self.widget = VBox([self.rows_box, self.counts], layout=Layout(width="100%"))
        self.bars_shown = 0
        self.hidden = 0
        # The counts line follows the model at every poll, ahead of the figure:
        # it is one short message, and the figure's redraw can wait its turn
        # on the Client's loop.  It rests whenever the figure does.
        self.count_redraw = Throttle(self._update_counts, COUNTS_EVERY)
        model.observe(self.count_redraw, names=["totals"])
        self.redraw = Throttle(self._update, every, on_active=self._set_active)
        model.observe(self.redraw, names=["prefixes", "totals", "colors", "max_bars"])
        self._update()

    def _set_active(self, active: bool) -> None:
        self.count_redraw.active = active

    def _update_counts(self) -> None:
        totals = self.model.totals or tf.progress_totals({})
        self.counts.value = html.escape(tf.counts_text(totals))

    def _update(self, change: object = None) -> None:
        prefixes = self.model.prefixes
        bars, hidden = tf.progress_bars(prefixes, self.model.max_bars)
        totals = self.model.totals or tf.progress_totals({})
        text = [f"{tf.short_name(b['prefix'])}  {b['done']:,} / {b['total']:,}" for b in bars]
        tips = [tf.bar_tooltip(b["prefix"], prefixes[b["prefix"]]) for b in bars]
        if hidden:
            text.append(f"+{hidden:,} more")
            tips.append(tf.more_tooltip(prefixes, bars))
        n = len(bars)
        with self.figure.hold_sync():
            fit_rows(self.figure, self.scales, len(text), MARGIN["top"] + MARGIN["bottom"])
            set_segments(self.bars, *self.segments(bars, tips))
            with self.labels.hold_sync():
                if len(self.labels.x) != len(text):  # the rows' places move only with their number
                    self.labels.x = [0.0] * len(text)
                    self.labels.y = [-float(i) for i in range(len(text))]
                self.labels.text = text
                self.labels.opacities = [QUIET_TEXT if b["quiet"] else 1.0 for b in bars] + [
                    1.0
                ] * (len(text) - n)
            self.figure.title = tf.progress_title(totals)
            self._update_counts()
        self.bars_shown, self.hidden = n, hidden

    def segments(self, bars: list, tips: list[str]) -> tuple[list, ...]:
        """Columns (x0, x1, y, colour, opacity, label) of every segment of ``.bars``."""
        states = iter(tf.bar_segments(bars, self.model.colors, keep_empty=True))
        rows: list[tuple] = []
        for i, (bar, tip) in enumerate(zip(bars, tips)):
            rows.append((bar["processing"], 1.0, -i, TRACK, 1.0, ""))
            rows.extend(
                (x0, x1, -i, color, alpha, "")
                for x0, x1, _, color, alpha in (next(states) for _ in range(4))
            )
            rows.append((0.0, 1.0, -i, BAND_COLOR, BAND_OPACITY, tip))
        for i, tip in enumerate(tips[len(bars) :], start=len(bars)):  # "+N more"
            rows.append((0.0, 1.0, -i, BAND_COLOR, BAND_OPACITY, tip))
        return tuple(list(column) for column in zip(*rows)) if rows else ([],) * 6
