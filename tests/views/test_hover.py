"""Unit tests for :mod:`jupyter_dashmon.views.hover`: tooltips and hover on time charts."""

from __future__ import annotations

import numpy as np
import pytest
from bqplot import LinearScale
from traitlets import All

from jupyter_dashmon.aggregate.models import ResourcesModel
from jupyter_dashmon.aggregate.ticks import clock_text, quantity_ticks
from jupyter_dashmon.views import ResourcesView
from jupyter_dashmon.views.base import RectBars, clock_scale, datetimes
from jupyter_dashmon.views.hover import (
    CLEAR_PX,
    MOST_COLUMNS,
    TOOLTIP_CLASS,
    TimeHover,
    themed,
    tooltip_style,
)
from jupyter_dashmon.views.line_chart import LineChart

T0 = 1_700_000_000.0


def columns(hover: TimeHover) -> list[tuple[np.datetime64, np.datetime64, float, float]]:
    """(left, right, bottom, top) of each column of ``hover.mark``."""
    # bqplot squeezes a single column's (1, 5) to (5,).
    x, y = np.atleast_2d(hover.mark.x), np.atleast_2d(hover.mark.y)
    assert x.shape == y.shape and x.shape[1] == 5
    return [(a[0], a[1], float(b[0]), float(b[2])) for a, b in zip(x, y)]


@pytest.fixture
def hover():
    y = LinearScale(min=0.0, max=50.0)
    return TimeHover({"x": clock_scale(), "y": y})


def test_columns_tile_the_time_axis_one_per_sample(hover):
    times = [T0, T0 + 1, T0 + 2, T0 + 4]
    hover.set(times, ["a", "b", "c", "d"])
    cols = columns(hover)
    edges = datetimes([T0, T0 + 0.5, T0 + 1.5, T0 + 3, T0 + 4])
    # Each from halfway to the previous sample to halfway to the next, no gaps, no overlaps.
    assert [c[0] for c in cols] == list(edges[:-1])
    assert [c[1] for c in cols] == list(edges[1:])
    # The whole height of the plot, on the columns' own 0-1 scale.
    assert {(c[2], c[3]) for c in cols} == {(0.0, 1.0)}
    assert list(hover.mark.labels) == ["a", "b", "c", "d"]
    # Unseen but there: hover finds them.
    assert list(hover.mark.fill_opacities) == [0.0] * 4 and list(hover.mark.opacities) == [0.0] * 4
    assert hover.mark.tooltip is not None and TOOLTIP_CLASS in hover.mark.tooltip._dom_classes


def test_columns_are_thinned_evenly_keeping_the_last(hover):
    n = 500
    hover.set([T0 + i for i in range(n)], [f"t{i}" for i in range(n)])
    labels = list(hover.mark.labels)
    assert len(labels) == MOST_COLUMNS == len(columns(hover))
    assert labels[0] == "t0" and labels[-1] == f"t{n - 1}"


def test_no_samples_leaves_one_invisible_column(hover):
    hover.set([T0, T0 + 1], ["a", "b"])
    hover.set([], [])
    assert list(hover.mark.labels) == [""] and list(hover.mark.fill_opacities) == [0.0]


def test_tooltip_style_clears_the_row_under_the_pointer():
    one, three = tooltip_style(1), tooltip_style(3)
    # bqplot sets opacity 0 on hiding and back from the style on showing.
    assert one["opacity"] == three["opacity"] == 1.0
    # Centred on the pointer with its margins, a tooltip beside the pointer
    # starts CLEAR_PX below it: (margin_top - height - margin_bottom) / 2.
    for lines, style in ((1, one), (3, three)):
        top, bottom = (
            float(str(style[k]).removesuffix("px")) for k in ("margin-top", "margin-bottom")
        )
        height = lines * 17 + 10
        assert (top - height - bottom) / 2 >= CLEAR_PX
        assert bottom >= CLEAR_PX  # and one above the pointer ends CLEAR_PX above it


def test_themed_gives_any_marks_tooltip_the_dashboard_class():
    bars = RectBars({"x": LinearScale(), "y": LinearScale()}, horizontal=False)
    themed(bars.mark)
    assert TOOLTIP_CLASS in bars.mark.tooltip._dom_classes
    assert bars.mark.tooltip_style["opacity"] == 1.0


def test_clock_text_reads_like_the_time_axis():
    assert clock_text(T0) == np.datetime_as_string(datetimes([T0])[0], unit="s")[-8:]


def test_resources_hover_says_time_and_every_value():
    model = ResourcesModel(
        time=[T0, T0 + 1, T0 + 2],
        cpu=[10.0, 150.0, 20.0],
        memory=[2.0**30, 2.0**31, 2.0**30],
        memory_limit=[8 * 2.0**30] * 3,
        network_read=[0.0, 3 * 2.0**20, 1024.0],
        network_write=[0.0, 2048.0, 0.0],
    )
    view = ResourcesView(model)
    usage, network = view.usage.tips, view.network.tips
    assert usage[1] == f"{clock_text(T0 + 1)}  CPU 150% \u00b7 memory 25% (2.00 GiB)"
    assert network[1] == f"{clock_text(T0 + 1)}  read 3.00 MiB/s \u00b7 write 2.00 KiB/s"
    # One per sample, at the sample's time (the browser shows the nearest).
    assert len(usage) == len(view.usage.t) == 3
    model.time = []
    assert view.usage.tips == []


def draw_samples(chart: LineChart, n: int, made: list[int]) -> None:
    """``n`` samples a second apart on ``chart``, the third a gap (NaN); the
    sample of every hover text made goes to ``made``."""
    times = T0 + np.arange(n, dtype=float)
    values = np.arange(n, dtype=float) * 3.0
    values[2] = np.nan

    def tip(i: int) -> str:
        made.append(i)
        return f"{clock_text(times[i])} {values[i]:.0f}"

    ticks = quantity_ticks(100.0, 4, floor=10.0, unit="%")
    chart.show(times, [values], ["v"], ["#000"], ticks, tip, "v")


def test_a_line_charts_redraw_makes_hover_texts_for_new_samples_only():
    chart, made = LineChart(), []
    draw_samples(chart, 4, made)
    assert sorted(made) == [0, 1, 2, 3]
    first = list(chart.tips)
    made.clear()
    draw_samples(chart, 6, made)
    # The two new samples, and the gap's (NaN is never equal to itself).
    assert sorted(made) == [2, 4, 5]
    fresh = LineChart()
    draw_samples(fresh, 6, [])
    assert chart.tips == fresh.tips and chart.tips[: len(first)] == first


def test_texts_made_on_demand_only_for_the_columns_kept(hover):
    n = 500
    asked: list[int] = []

    def text(i: int) -> str:
        asked.append(i)
        return f"t{i}"

    hover.set([T0 + i for i in range(n)], text)
    labels = list(hover.mark.labels)
    # The same columns and texts as a list of every sample's text gives...
    hover.set([T0 + i for i in range(n)], [f"t{i}" for i in range(n)])
    assert list(hover.mark.labels) == labels
    # ...for the texts of the kept columns alone.
    assert len(asked) == MOST_COLUMNS and asked == sorted(set(asked))
    assert labels == [f"t{i}" for i in asked]


def test_a_new_sample_sends_edges_and_texts_only(hover):
    hover.set([T0 + i for i in range(100)], [f"t{i}" for i in range(100)])
    sent: list[str] = []
    hover.mark.observe(lambda change: sent.append(change["name"]), names=All)
    hover.set([T0 + i for i in range(1, 101)], [f"t{i}" for i in range(1, 101)])
    # Same number of columns: colours, opacities and heights stay.
    assert sorted(set(sent)) == ["labels", "x"]
    assert {(c[2], c[3]) for c in columns(hover)} == {(0.0, 1.0)}
    sent.clear()
    hover.set([T0, T0 + 1], ["a", "b"])  # fewer columns: everything per column follows
    assert {"x", "y", "colors", "fill_opacities", "labels"} <= set(sent)
    assert list(hover.mark.fill_opacities) == [0.0, 0.0]
    assert list(hover.mark.colors) == ["white"] * 2


def test_one_sample_after_a_clear_gets_a_whole_column(hover):
    # The cleared mark's placeholder is one column of no size: a first sample
    # after it must not be taken for "one column already drawn".
    hover.set([T0, T0 + 1], ["a", "b"])
    hover.clear()
    hover.set([T0 + 5], ["c"])
    assert [(c[2], c[3]) for c in columns(hover)] == [(0.0, 1.0)]
    assert list(hover.mark.labels) == ["c"] and list(hover.mark.fill_opacities) == [0.0]


def test_columns_stand_the_plot_high_whatever_the_value_axis(hover):
    # The chart's value scale grows in a message of its own; the columns are on
    # a scale of their own from 0 to 1, so they still cover the whole plot.
    chart = {"x": hover.mark.scales["x"], "y": LinearScale(min=0.0, max=50.0)}
    hover = TimeHover(chart)
    hover.set([T0 + i for i in range(10)], [f"t{i}" for i in range(10)])
    y = hover.mark.scales["y"]
    assert y is not chart["y"] and (y.min, y.max) == (0.0, 1.0)
    assert hover.mark.scales["x"] is chart["x"]
    sent: list[str] = []
    hover.mark.observe(lambda change: sent.append(change["name"]), names=All)
    chart["y"].max = 80.0
    hover.set([T0 + i for i in range(1, 11)], [f"t{i}" for i in range(1, 11)])
    assert "y" not in sent and {(c[2], c[3]) for c in columns(hover)} == {(0.0, 1.0)}
