"""Unit tests for :mod:`jupyter_dashmon.views.workers`: synthetic worker tables, no cluster.

Each test fills a WorkersModel through ``aggregate.derive.set_worker_table``
(as the listener does: series, table and what the page derives) and reads the
widgets' real data: the table HTML, what the bar charts draw (values, hover
texts, bar extents), the detail lines, the dropdown's options.
"""

from __future__ import annotations

import html

import numpy as np
import pytest

from jupyter_dashmon.aggregate import transforms as tf
from jupyter_dashmon.aggregate.derive import set_worker_table
from jupyter_dashmon.aggregate.models import WorkersModel
from jupyter_dashmon.aggregate.workers import BINS
from jupyter_dashmon.collect.messages import WORKER_FIELDS
from jupyter_dashmon.views.workers import COLUMNS, MAX_KEYS, MAX_ROWS, WorkersView

EVIL = "<img src=x onerror=alert(1)>"
GiB = 2**30
T0 = 1_700_000_000.0


def synthetic_table(n: int, step: int = 0) -> dict:
    """``n`` workers; worker i uses i GiB of an 8 GiB limit and 10*i % CPU (plus ``step``)."""
    table = {
        "address": [f"tcp://10.0.{i // 250}.{i % 250}:4000" for i in range(n)],
        "name": [f"w{i:04d}" for i in range(n)],
        "nthreads": [2] * n,
        "cpu": [float((10 * i + step) % 400) for i in range(n)],
        "memory": [float((i % 8) * GiB + step) for i in range(n)],
        "memory_limit": [8.0 * GiB] * n,
        "managed": [float(i * 1000) for i in range(n)],
        "unmanaged": [1000.0] * n,
        "unmanaged_recent": [250.0] * n,
        "spilled": [0.0] * n,
        "processing": [i % 5 for i in range(n)],
        "in_memory": [3] * n,
        "network_read": [1.0 * 2**20] * n,
        "network_write": [2.0 * 2**20] * n,
        "disk_read": [0.0] * n,
        "disk_write": [512.0] * n,
        "last_seen": [T0 + step - (i % 3) for i in range(n)],
    }
    assert tuple(table) == WORKER_FIELDS  # the collector's columns, in its order
    return table


def feed(model: WorkersModel, n: int, samples: int = 3) -> dict:
    """``samples`` readings one second apart, as the listener applies them."""
    table = {}
    for step in range(samples):
        table = synthetic_table(n, step)
        set_worker_table(model, table, T0 + step)
    return table


def body_rows(view: WorkersView) -> list[list[str]]:
    """The table's rows as lists of (unescaped) cell texts, totals row first."""
    rows = []
    body = view.table.value.split("<tbody>", 1)[1]
    for tr in body.split("<tr")[1:]:
        cells = tr.split("<td")[1:]
        rows.append([html.unescape(c.split(">", 1)[1].split("</td>")[0]) for c in cells])
    return rows


@pytest.fixture
def five():
    model = WorkersModel()
    feed(model, 5)
    return model, WorkersView(model)


# -- the table -------------------------------------------------------------------


def test_table_escapes_names(five):
    model, view = five
    table = synthetic_table(5)
    table["name"][2] = EVIL
    set_worker_table(model, table, T0 + 3)
    assert html.escape(EVIL) in view.table.value
    assert "<img" not in view.table.value
    assert EVIL in [row[0] for row in body_rows(view)]


def test_table_shows_every_declared_column_and_the_derived_ones():
    shown = [c[0] for c in COLUMNS]
    assert len(shown) == len(set(shown))
    # last_seen is shown as seen_ago (seconds before the freshest report)
    assert set(shown) == (set(WORKER_FIELDS) - {"last_seen"}) | {"memory_pct", "seen_ago"}


def test_table_columns_and_totals_row(five):
    _model, view = five
    rows = body_rows(view)
    assert len(rows) == 1 + 5
    assert all(len(r) == len(COLUMNS) for r in rows)
    total = dict(zip([c[0] for c in COLUMNS], rows[0]))
    assert total["name"] == "Total (5 workers)"
    assert total["nthreads"] == "10"
    # last sample (step 2): memory 0+1+2+3+4 GiB + 5*2 bytes, limits 5*8 GiB
    assert total["memory"] == tf.format_bytes(10 * GiB + 10)
    assert total["memory_limit"] == "40.00 GiB"
    assert total["memory_pct"] == "25.0"
    assert total["processing"] == str(0 + 1 + 2 + 3 + 4)
    assert total["network_read"] == "5.00 MiB/s"
    assert total["cpu"] == f"{(0 + 10 + 20 + 30 + 40 + 5 * 2) / 5:.1f}"


def test_table_last_seen_is_relative_to_newest(five):
    model, view = five
    by_name = {r[0]: dict(zip([c[0] for c in COLUMNS], r)) for r in body_rows(view)[1:]}
    assert by_name["w0000"]["seen_ago"] == "0.0 s"
    assert by_name["w0002"]["seen_ago"] == "2.0 s"
    assert model.derived["seen_ago"] == [0.0, 1.0, 2.0, 0.0, 1.0]


def test_sort_by_memory_descending(five):
    model, view = five
    model.sort_by, model.ascending = "memory", False
    names = [r[0] for r in body_rows(view)[1:]]
    assert names == ["w0004", "w0003", "w0002", "w0001", "w0000"]
    model.ascending = True
    assert next(r[0] for r in body_rows(view)[1:]) == "w0000"


def test_sort_by_derived_memory_percent(five):
    model, view = five
    table = synthetic_table(5)
    table["memory_limit"] = [1.0 * GiB, 8.0 * GiB, 8.0 * GiB, 8.0 * GiB, 100.0 * GiB]
    set_worker_table(model, table, T0 + 3)
    model.sort_by, model.ascending = "memory_pct", False
    names = [r[0] for r in body_rows(view)[1:]]
    assert names[0] == "w0003" and names[-1] == "w0000"  # 3/8 largest, 0/1 smallest


def header_cells(view: WorkersView) -> list[tuple[str, str, str]]:
    """The header row as (data-key, text, title) per cell, in the table's own ``<thead>``."""
    head = view.table.value.split("<thead>", 1)[1].split("</thead>", 1)[0]
    cells = []
    for th in head.split("<th")[1:]:
        attributes, rest = th.split(">", 1)
        key = attributes.split('data-key="', 1)[1].split('"', 1)[0]
        title = html.unescape(attributes.split('title="', 1)[1].split('"', 1)[0])
        cells.append((key, html.unescape(rest.split("</th>", 1)[0]), title))
    return cells


def test_header_is_in_the_same_table_as_the_rows(five):
    _model, view = five
    value = view.table.value
    # one table: header cells cannot drift from the columns of the rows
    assert value.count("<table") == 1
    assert value.index("<thead>") < value.index("<tbody>") < value.index("</table>")
    cells = header_cells(view)
    assert [c[0] for c in cells] == [c[0] for c in COLUMNS]
    assert len(cells) == len(body_rows(view)[0])
    # short headers, each with its full name as the tooltip
    assert all(len(text.split(" \u25b2")[0]) <= 8 for _, text, _ in cells)
    assert {k: t for k, _, t in cells}["unmanaged"].startswith("unmanaged memory")
    assert "dashmon-workers-scroll" in value  # a narrow page scrolls it sideways


def test_sort_controls_sort_then_reverse(five):
    model, view = five
    view.sort_key.value = "memory"
    assert (model.sort_by, model.ascending) == ("memory", False)  # numbers: largest first
    assert body_rows(view)[1][0] == "w0004"
    assert view.sort_order.value is False
    assert {k: t for k, t, _ in header_cells(view)}["memory"] == "mem \u25bc"
    view.sort_order.value = True
    assert (model.sort_by, model.ascending) == ("memory", True)
    assert body_rows(view)[1][0] == "w0000"
    assert {k: t for k, t, _ in header_cells(view)}["memory"] == "mem \u25b2"
    view.sort("memory")  # the same column again reverses
    assert (model.sort_by, model.ascending) == ("memory", False)
    view.sort_key.value = "address"
    assert (model.sort_by, model.ascending) == ("address", True)
    texts = {k: t for k, t, _ in header_cells(view)}
    assert texts["memory"] == "mem" and texts["address"] == "address \u25b2"


def test_sort_controls_carry_the_classes_the_lab_extension_finds(five):
    # js/src/table.ts hands header clicks to these controls, found by class,
    # and takes the Dropdown's option order to be the table's column order.
    _model, view = five
    assert "dashmon-sort-key" in view.sort_key._dom_classes
    assert "dashmon-sort-order" in view.sort_order._dom_classes
    assert "dashmon-workers-page" in view.widget._dom_classes
    assert [value for _, value in view.sort_key.options] == [c[0] for c in COLUMNS]


def test_model_sort_moves_the_controls(five):
    model, view = five
    with model.hold_trait_notifications():
        model.sort_by, model.ascending = "cpu", False
    assert (view.sort_key.value, view.sort_order.value) == ("cpu", False)
    assert next(r[0] for r in body_rows(view)[1:]) == "w0004"


def test_row_cap_at_1000_workers():
    model = WorkersModel()
    feed(model, 1000)
    view = WorkersView(model)
    rows = body_rows(view)
    assert len(rows) == 1 + MAX_ROWS
    assert f"showing {MAX_ROWS} of 1000 workers" in view.table.value
    assert rows[0][0] == "Total (1000 workers)"
    assert rows[0][2] == "2,000"  # totals cover every worker, not the 50 shown


def test_no_cap_message_below_cap(five):
    _model, view = five
    assert "showing" not in view.table.value


def test_empty_table():
    view = WorkersView(WorkersModel())
    rows = body_rows(view)
    assert rows[0][0] == "Total (0 workers)"
    assert len(rows) == 1
    assert view.cpu_bars.values == [] and view.cpu_bars.labels == []
    assert list(view.chooser.options) == [("", "")]


# -- per-worker plots and their summary ------------------------------------------------


def test_bars_per_worker_below_threshold(five):
    _model, view = five
    bars = view.cpu_bars
    assert [label.split(": ")[0] for label in bars.labels] == [
        "w0000",
        "w0001",
        "w0002",
        "w0003",
        "w0004",
    ]
    assert bars.values == [2.0, 12.0, 22.0, 32.0, 42.0]
    assert bars.labels[1] == "w0001: 12.0 %"
    # bar i spans [i - 0.4, i + 0.4] on an x range of [-0.5, n - 0.5]
    assert bars.lo == pytest.approx([i - 0.4 for i in range(5)])
    assert bars.hi == pytest.approx([i + 0.4 for i in range(5)])
    x = bars.mark.scales["x"]
    assert (x.min, x.max) == (-0.5, 4.5)
    # what is sent: one closed path per bar, its top at the bar's value
    assert np.asarray(bars.mark.y)[:, 2].tolist() == [2.0, 12.0, 22.0, 32.0, 42.0]
    expected = [(i * GiB + 2) / (8 * GiB) * 100 for i in range(5)]  # last sample is step 2
    assert view.memory_bars.values == pytest.approx(expected, rel=1e-12)
    assert view.cpu_figure.marks == [view.cpu_bars.mark]
    assert view.memory_figure.marks == [view.memory_bars.mark]
    assert view.cpu_figure.title == "CPU % per worker"
    assert view.memory_figure.title == "Memory % per worker"


def test_histograms_at_1000_workers():
    model = WorkersModel()
    table = feed(model, 1000)
    view = WorkersView(model)
    assert view.cpu_figure.marks == [view.cpu_hist.mark]
    assert view.memory_figure.marks == [view.memory_hist.mark]
    assert view.cpu_figure.title == "1000 workers: distribution of CPU %"
    assert view.memory_figure.title == "1000 workers: distribution of memory %"
    assert len(view.cpu_hist.lo) == BINS and sum(view.cpu_hist.values) == 1000
    assert len(view.memory_hist.values) == BINS and sum(view.memory_hist.values) == 1000
    # CPU tops at 398 % (four cores), so the bins span 0..398
    assert view.cpu_hist.lo[0] == 0.0
    assert view.cpu_hist.lo[1] == pytest.approx(max(table["cpu"]) / BINS)
    assert view.cpu_hist.hi[-1] == pytest.approx(max(table["cpu"]))
    # memory 0..7 GiB of 8 GiB: eighths of 100 %, 125 workers each, in bins of 5 %
    hist = dict(zip(np.round(view.memory_hist.lo, 6), view.memory_hist.values))
    assert hist[0.0] == 125 and hist[35.0] == 125 and hist[85.0] == 125
    assert view.memory_hist.hi[0] == pytest.approx(5.0)
    assert view.memory_hist.labels[7] == "35\u201340 %: 125 workers"
    assert view.memory_hist.labels[1] == "5\u201310 %: 0 workers"
    assert view.cpu_bars.values == []


def test_threshold_switches_both_ways(five):
    model, view = five
    model.summary_threshold = 5
    assert view.cpu_figure.marks == [view.cpu_hist.mark]
    assert view.cpu_figure.title == "5 workers: distribution of CPU %"
    model.summary_threshold = 6
    assert view.cpu_figure.marks == [view.cpu_bars.mark]
    assert len(view.cpu_bars.values) == 5


# -- choosing a worker ---------------------------------------------------------------


def test_chooser_options(five):
    _model, view = five
    options = list(view.chooser.options)
    assert options[0] == ("", "")
    assert options[1] == ("w0000 (tcp://10.0.0.0:4000)", "tcp://10.0.0.0:4000")
    assert len(options) == 6
    assert view.detail_box.children == ()


def test_selecting_fills_detail(five):
    model, view = five
    address = "tcp://10.0.0.3:4000"
    view.chooser.value = address
    assert model.selected == address
    assert len(view.detail_box.children) == 3
    expected = (np.array([T0, T0 + 1, T0 + 2]) * 1000).astype("datetime64[ms]")
    assert (np.asarray(view.detail_cpu_lines.x) == expected).all()
    assert np.asarray(view.detail_cpu_lines.y).tolist() == [30.0, 31.0, 32.0]
    memory = np.asarray(view.detail_memory_lines.y)
    assert memory[0].tolist() == [3.0 * GiB, 3.0 * GiB + 1, 3.0 * GiB + 2]
    assert memory[1].tolist() == [8.0 * GiB] * 3
    assert np.asarray(view.detail_network_lines.y)[1].tolist() == [2.0 * 2**20] * 3
    assert view.detail_memory.title == f"Memory {tf.format_bytes(3 * GiB + 2)} of 8.00 GiB"
    feed(model, 5, samples=1)  # a new reading extends the series
    assert len(view.detail_cpu_lines.x) == 4


def test_model_selection_moves_dropdown(five):
    model, view = five
    model.selected = "tcp://10.0.0.1:4000"
    assert view.chooser.value == "tcp://10.0.0.1:4000"
    set_worker_table(model, synthetic_table(6), T0 + 3)  # new options keep the selection
    assert view.chooser.value == "tcp://10.0.0.1:4000"
    assert model.selected == "tcp://10.0.0.1:4000"
    view.chooser.value = ""
    assert model.selected == ""
    assert view.detail_box.children == ()


def test_running_keys_escaped_and_capped(five):
    model, view = five
    address = "tcp://10.0.0.2:4000"
    model.selected = address
    assert view.running.value == ""  # nothing heard about this worker yet
    keys = [EVIL] + [f"inc-{i}" for i in range(99)]
    model.detail = {"address": address, "processing": keys, "n_processing": 120}
    text = view.running.value
    assert html.escape(EVIL) in text and "<img" not in text
    assert text.count("<li>") == MAX_KEYS
    assert "inc-48" in text and "inc-49" not in text
    assert "and 70 more" in text
    assert "Processing 120 tasks" in text


def test_detail_of_another_worker_is_ignored(five):
    model, view = five
    model.selected = "tcp://10.0.0.2:4000"
    model.detail = {"address": "tcp://10.0.0.1:4000", "processing": ["x-1"], "n_processing": 1}
    assert "x-1" not in view.running.value
    model.detail = {"address": "tcp://10.0.0.2:4000", "processing": [], "n_processing": 0}
    assert "nothing" in view.running.value


def test_stream_slot_is_an_empty_box(five):
    model, view = five
    assert list(view.stream_slot.children) == []
    assert view.stream_slot not in view.detail_box.children  # nothing chosen yet
    model.selected = "tcp://10.0.0.1:4000"
    assert view.stream_slot in view.detail_box.children
