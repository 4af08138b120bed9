"""Runs in the kernel: the Progress figure, one bar per task prefix.

Reads :class:`~jupyter_dashmon.aggregate.models.ProgressModel` only.  Each bar
spans the prefix's total; left to right: completed and released (light
shade of the function's colour), completed and in memory (full shade), erred
(black), processing (grey).  Largest prefixes first; past ``max_bars`` the
rest are summarised as "+N more".  Text is drawn as SVG text, never HTML.
"""

from __future__ import annotations

import html

from bqplot import Axis, Label, LinearScale, Lines
from ipywidgets import HTML, Layout, VBox

from ..aggregate import transforms as tf
from ..aggregate.models import ProgressModel
from .base import MIN_ROWS, NEUTRAL, Throttle, plot_height, set_segments, tile_figure


class ProgressView:
    """The Progress figure (``.figure``), kept in step with a ProgressModel."""

    def __init__(self, model: ProgressModel, height: int = 280, every: float = 0.25):
        self.model = model
        self.x = LinearScale(min=0.0, max=1.0)
        self.y = LinearScale(min=-MIN_ROWS + 0.5, max=0.5)
        scales = {"x": self.x, "y": self.y}
        self.track = Lines(scales=scales, colors=[NEUTRAL], opacities=[0.15], stroke_width=10)
        self.bars = Lines(scales=scales, stroke_width=10)
        self.labels = Label(
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
        self.figure = tile_figure(
            "Progress",
            height,
            marks=[self.track, self.bars, self.labels],
            axes=[Axis(scale=self.x, num_ticks=2, tick_format=".1f", visible=False)],
        )
        # The title carries the total; the counts by state sit in a line under it
        # that wraps, so they stay whole in a narrow tile or the side panel.
        self.counts = HTML(layout=Layout(margin="0 0 0 16px"))
        self.counts.add_class("dashmon-progress-counts")
        self.widget = VBox([self.figure, self.counts], layout=Layout(width="100%"))
        self.bars_shown = 0
        self.hidden = 0
        self.redraw = Throttle(self._update, every)
        model.observe(self.redraw, names=["prefixes", "totals", "colors", "max_bars"])
        self._update()

    def _update(self, change: object = None) -> None:
        prefixes = self.model.prefixes
        bars, hidden = tf.progress_bars(prefixes, self.model.max_bars)
        totals = self.model.totals or tf.progress_totals({})
        rows = max(len(bars) + (1 if hidden else 0), MIN_ROWS)
        width = plot_height(self.figure) / rows * 0.62
        segments = tf.bar_segments(bars, self.model.colors, keep_empty=True)
        text = [f"{b['prefix']}  {b['done']:,} / {b['total']:,}" for b in bars]
        if hidden:
            text.append(f"+{hidden:,} more")
        with self.figure.hold_sync():
            self.y.min = -rows + 0.5
            self.track.stroke_width = self.bars.stroke_width = width
            set_segments(
                self.track,
                [0.0] * len(bars),
                [1.0] * len(bars),
                [-i for i in range(len(bars))],
                [NEUTRAL] * len(bars),
            )
            set_segments(
                self.bars,
                [s[0] for s in segments],
                [s[1] for s in segments],
                [-s[2] for s in segments],
                [s[3] for s in segments],
                [s[4] for s in segments],
            )
            with self.labels.hold_sync():
                self.labels.x = [0.0] * len(text)
                self.labels.y = [-i + 0.42 for i in range(len(text))]
                self.labels.text = text
            self.figure.title = f"Progress \u2014 total: {totals['total']:,}"
            self.counts.value = html.escape(self.counts_text(totals))
        self.bars_shown, self.hidden = len(bars), hidden

    @staticmethod
    def counts_text(totals: dict[str, int]) -> str:
        """The counts line: waiting, queued, processing, in memory, no-worker, erred."""
        return " \u00b7 ".join(
            f"{name.replace('_', '-').replace('memory', 'in memory')}: {totals[name]:,}"
            for name in tf.TOTAL_FIELDS
            if name != "total"
        )
