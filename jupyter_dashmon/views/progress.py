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

from ipywidgets import Layout

from ..aggregate import transforms as tf
from ..aggregate.colors import TRACK
from ..aggregate.models import ProgressModel
from .bar_rows import BarRows, Row
from .base import Throttle

#: Seconds between two updates of the counts line (the chart's ``note``) at
#: most: under one poll (``dashmon.interval``), so the line follows every poll.
COUNTS_EVERY = 0.1


class ProgressView:
    """The Progress chart (``.figure``, a :class:`~.bar_rows.BarRows`), kept in
    step with a ProgressModel.

    Per bar one row: the track of what is still to do, then the four state
    segments (zero-width when empty), its text and its tooltip; and one row
    for "+N more".  Under the rows, the counts by state (the chart's
    ``note``).  A redraw is one message, the counts line with it.
    """

    def __init__(self, model: ProgressModel, every: float = 0.4):
        self.model = model
        self.figure = BarRows(title="Progress", layout=Layout(width="100%"))
        self.figure.add_class("dashmon-progress")
        # The title carries the total; the counts by state sit in a line under
        # the bars that wraps, so they stay whole in a narrow tile or the side
        # panel.  It is the chart's note: one widget, so a redraw of the bars
        # carries it in the same message.
        self.widget = self.figure
        self.bars_shown = 0
        self.hidden = 0
        # The counts line follows the model at every poll, ahead of the bars; the
        # bars redraw at most every ``every`` seconds, and when a poll finds
        # them due, the counts go in the same message.  Both rest whenever the
        # figure does.
        self.redraw = Throttle(self._update, every, on_active=self._set_active)
        self.count_redraw = Throttle(self._on_poll, COUNTS_EVERY)
        # Not "totals": derive.set_progress sets it with "prefixes", in one hold,
        # and a second call in the same turn would only be deferred for nothing.
        model.observe(self.count_redraw, names=["prefixes", "colors", "max_bars"])
        self._update()

    def _set_active(self, active: bool) -> None:
        self.count_redraw.active = active

    def _totals(self) -> dict:
        return self.model.totals or tf.progress_totals({})

    def _on_poll(self) -> None:
        if not self.redraw.due():
            self.figure.note = tf.counts_text(self._totals())
        self.redraw()  # now when due, else at the first poll that finds it due

    def _update(self, change: object = None) -> None:
        prefixes = self.model.prefixes
        bars, hidden = tf.progress_bars(prefixes, self.model.max_bars)
        totals = self._totals()
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
            self.figure.note = tf.counts_text(totals)
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
