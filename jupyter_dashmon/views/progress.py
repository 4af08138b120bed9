"""Runs in the kernel: the Progress chart, one bar per task prefix.

Reads :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only.  Each bar
spans the prefix's total; left to right: completed and released (a tint of
the function's colour), completed and in memory (full shade), erred (black),
processing (grey), and a faint track for what is still to do (drawn only
there, so the tint is the colour on the page, never muddied by the track).
The function's name and ``done / total`` are written inside the bar;
hovering a bar shows every count.  Functions with work to run come first;
finished ones that hold nothing come last, drawn faint; past ``max_bars`` the
rest are summarised as "+N more".  Every bar has a row of fixed height, so
the chart grows and shrinks with the number of bars; past a dozen rows it
scrolls.  The chart is a :class:`~.bar_rows.BarRows`, drawn as HTML by
``js/src/bars.ts``; its text is set as text, never parsed as HTML.
"""

from __future__ import annotations

import html

from ipywidgets import HTML, Layout, VBox

from ..aggregate import transforms as tf
from ..aggregate.colors import TRACK
from ..aggregate.models import ProgressModel
from .bar_rows import BarRows, Row
from .base import Throttle

#: Seconds between two updates of the counts line at most: under one poll
#: (``dashmon.interval``), so the line follows every poll.
COUNTS_EVERY = 0.1


class ProgressView:
    """The Progress chart (``.figure``, a :class:`~.bar_rows.BarRows`), kept in
    step with a ProgressModel.

    Per bar one row: the track of what is still to do, then the four state
    segments (zero-width when empty), its text and its tooltip; and one row
    for "+N more".  A redraw is one message.
    """

    def __init__(self, model: ProgressModel, every: float = 0.4):
        self.model = model
        self.figure = BarRows(title="Progress", layout=Layout(width="100%"))
        self.figure.add_class("dashmon-progress")
        # The title carries the total; the counts by state sit in a line under it
        # that wraps, so they stay whole in a narrow tile or the side panel.
        self.counts = HTML(layout=Layout(margin="0 0 0 16px"))
        self.counts.add_class("dashmon-progress-counts")
        self.widget = VBox([self.figure, self.counts], layout=Layout(width="100%"))
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
        rows = self.rows(bars)
        if hidden:
            rows.append(
                {
                    "text": f"+{hidden:,} more",
                    "tip": tf.more_tooltip(prefixes, bars),
                    "faint": False,
                    "segments": [],
                }
            )
        with self.figure.hold_sync():
            self.figure.rows = rows
            self.figure.title = tf.progress_title(totals)
            self._update_counts()
        self.bars_shown, self.hidden = len(bars), hidden

    def rows(self, bars: list) -> list[Row]:
        """One :class:`~.bar_rows.Row` per bar: its track, its four state
        segments (:func:`~..aggregate.transforms.bar_segments`), text and tooltip."""
        prefixes = self.model.prefixes
        states = iter(tf.bar_segments(bars, self.model.colors, keep_empty=True))
        out: list[Row] = []
        for bar in bars:
            segments = [[bar["processing"], 1.0, TRACK, 1.0]]
            segments += [
                [x0, x1, color, alpha]
                for x0, x1, _, color, alpha in (next(states) for _ in range(4))
            ]
            out.append(
                {
                    "text": f"{tf.short_name(bar['prefix'])}  {bar['done']:,} / {bar['total']:,}",
                    "tip": tf.bar_tooltip(bar["prefix"], prefixes[bar["prefix"]]),
                    "faint": bool(bar.get("quiet")),
                    "segments": segments,
                }
            )
        return out
