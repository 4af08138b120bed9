"""Unit tests for :mod:`jupyter_dashmon.views`: hand-filled models, no kernel.

Each test reads the marks' data (x, y, colours, opacities, labels, titles),
changes the model and reads it again.  Widgets here have no kernel; their
``DummyComm`` still goes through ``Widget._send``, which the ``traffic``
fixture records so a test can check that nothing is sent when nothing changed.
"""

from __future__ import annotations

import numpy as np
import pytest
from ipywidgets import Widget
from rect_batches import record_batches
from traitlets import All

from jupyter_dashmon.aggregate.colors import (
    ERRED,
    PROCESSING,
    RELEASED_OPACITY,
    TRACK,
    TRANSFER,
)
from jupyter_dashmon.aggregate.derive import set_progress
from jupyter_dashmon.aggregate.models import (
    ProgressModel,
    ResourcesModel,
    StatusModel,
    TaskStreamModel,
)
from jupyter_dashmon.aggregate.task_marks import code_of, label_of
from jupyter_dashmon.aggregate.task_windows import append_tasks, reset_store
from jupyter_dashmon.aggregate.ticks import clock_text
from jupyter_dashmon.aggregate.transforms import QUIET_OPACITY
from jupyter_dashmon.collect.packing import pack_tasks
from jupyter_dashmon.views import (
    MemoryView,
    ProgressView,
    ResourcesView,
    StatusView,
    TaskStreamView,
)
from jupyter_dashmon.views.bar_rows import MIN_ROWS, ROW_PX, VISIBLE_ROWS
from jupyter_dashmon.views.memory import IDLE

EVIL = "<img src=x onerror=alert(1)>"
#: The resource columns the Resources figures draw.
DRAWN = ("time", "cpu", "memory", "memory_limit", "network_read", "network_write")


def counts(total, done=0, memory=0, erred=0, processing=0, nbytes=0):
    return {
        "total": total,
        "done": done,
        "memory": memory,
        "released": done - memory,
        "erred": erred,
        "processing": processing,
        "waiting": 0,
        "queued": 0,
        "no_worker": 0,
        "nbytes": nbytes,
    }


def record(key, prefix, worker, thread, start, stop, action="compute", status="OK"):
    return {
        "key": key,
        "prefix": prefix,
        "worker": worker,
        "thread": thread,
        "start": start,
        "stop": stop,
        "action": action,
        "status": status,
    }


@pytest.fixture
def traffic(monkeypatch):
    """Every message a widget sends: a list of (widget, sorted state keys)."""
    sent: list[tuple[Widget, list[str]]] = []
    original = Widget._send

    def _send(self, msg, buffers=None):
        sent.append((self, sorted(msg.get("state", {}))))
        return original(self, msg, buffers)

    monkeypatch.setattr(Widget, "_send", _send)
    return sent


@pytest.fixture
def batches(monkeypatch):
    """Every batch of rectangles a widget sends: (widget, batch, binary columns)."""
    return record_batches(monkeypatch)


def notifications(*widgets):
    """A list that grows by one for every trait change on any of ``widgets``."""
    seen: list[str] = []
    for w in widgets:
        w.observe(lambda change: seen.append(change["name"]), names=All)
    return seen


# -- ProgressView ----------------------------------------------------------------


def progress_parts(view):
    """The rows of ``view.figure`` split into tracks, state segments and
    tooltips: tracks and states as (x0, x1, row, colour, opacity), one track
    and four states per bar (zero-width ones included); a tip per row,
    "+N more" included."""
    bars = view.figure.rows[: view.bars_shown]
    tracks = [(*r["segments"][0][:2], i, *r["segments"][0][2:]) for i, r in enumerate(bars)]
    states = [(x0, x1, i, c, o) for i, r in enumerate(bars) for x0, x1, c, o in r["segments"][1:]]
    return tracks, states, [r["tip"] for r in view.figure.rows]


def texts(view):
    return [r["text"] for r in view.figure.rows]


def visible_states(view):
    """(x0, x1, row, colour, opacity) of the progress state segments with a width."""
    return [s for s in progress_parts(view)[1] if s[1] > s[0]]


@pytest.fixture
def progress():
    model = ProgressModel()
    set_progress(
        model,
        {
            "inc": counts(10, done=6, memory=2, erred=1, processing=2, nbytes=3 * 2**20),
            "add": counts(4, done=4, memory=4, nbytes=2**20 // 2),
            "gone": counts(0, nbytes=1024),
        },
    )
    model.colors = {"inc": "#111111", "add": "#222222", "gone": "#333333"}
    return model


def test_progress_view_marks(progress):
    view = ProgressView(progress)
    # inc has work to run: on top (row 0); add finished holding results (row 1).
    shown = visible_states(view)
    assert np.allclose(
        [s[:3] for s in shown],
        [(0.0, 0.4, 0), (0.4, 0.6, 0), (0.6, 0.7, 0), (0.7, 0.9, 0), (0.0, 1.0, 1)],
    )
    assert [s[3] for s in shown] == ["#111111", "#111111", ERRED, PROCESSING, "#222222"]
    # Released is the colour's tint on the page; the rest opaque, grey included.
    assert [s[4] for s in shown] == [RELEASED_OPACITY, 1.0, 1.0, 1.0, 1.0]
    # Five segments per bar whatever their widths: updates only move positions.
    assert [len(r["segments"]) for r in view.figure.rows] == [5, 5]
    tracks, states, _ = progress_parts(view)
    # The track covers only what is still to do, opaque in the theme's faint
    # colour, drawn first: no shade is drawn over it, so none is muddied by it.
    assert [t[:3] for t in tracks] == [(pytest.approx(0.9), 1.0, 0), (1.0, 1.0, 1)]
    assert [t[3:] for t in tracks] == [(TRACK, 1.0), (TRACK, 1.0)]
    assert len(states) == 8
    # Name and counts inside each bar.
    assert texts(view) == ["inc  6 / 10", "add  4 / 4"]
    assert [r["faint"] for r in view.figure.rows] == [False, False]
    assert view.figure.title == "Progress \u2014 total: 14"
    assert view.figure.note == (
        "waiting: 0 \u00b7 queued: 0 \u00b7 processing: 2 \u00b7 in memory: 6 \u00b7 "
        "no-worker: 0 \u00b7 erred: 1"
    )
    # Rows of ROW_PX each, two at least, a dozen and a half before they scroll.
    assert (view.figure.row_px, view.figure.min_rows) == (ROW_PX, MIN_ROWS)
    assert view.figure.visible_rows == VISIBLE_ROWS
    assert (view.bars_shown, view.hidden) == (2, 0)


def test_progress_view_hover_shows_every_count(progress):
    view = ProgressView(progress)
    inc, add = progress_parts(view)[2]
    assert inc.splitlines() == [
        "inc: 6 of 10 done",
        "in memory 2 \u00b7 released 4 \u00b7 erred 1",
        "processing 2 \u00b7 waiting 0 \u00b7 queued 0 \u00b7 no-worker 0",
    ]
    assert add.startswith("add: 4 of 4 done\nin memory 4 ")


def test_progress_view_grows_row_by_row_up_to_max_bars():
    model = ProgressModel(max_bars=25)
    for n in (1, 3, 20, 25, 40):
        set_progress(model, {f"f{i:02d}": counts(100 - i, done=1) for i in range(n)})
        view = ProgressView(model)
        # One row per bar (each keeps its height), and "+N more" past max_bars.
        assert len(view.figure.rows) == min(n, 25) + (n > 25)


def test_progress_view_finished_functions_go_quiet_and_last(progress):
    set_progress(
        progress,
        {
            "old": counts(50, done=50),  # finished long ago, all released
            "run": counts(5, done=1, processing=2),
        },
    )
    progress.colors = {"old": "#333333", "run": "#444444"}
    view = ProgressView(progress)
    assert texts(view) == ["run  1 / 5", "old  50 / 50"]
    assert [r["faint"] for r in view.figure.rows] == [False, True]
    old = [s for s in visible_states(view) if s[2] == 1]
    assert [s[3] for s in old] == ["#333333"]
    assert old[0][4] == pytest.approx(RELEASED_OPACITY * QUIET_OPACITY)


def test_progress_view_follows_model(progress):
    view = ProgressView(progress)
    set_progress(progress, {**progress.prefixes, "inc": counts(10, done=10, memory=0)}, ["inc"])
    # inc finished holding nothing: quiet, below add which holds results.
    assert texts(view) == ["add  4 / 4", "inc  10 / 10"]
    assert [s[:3] for s in visible_states(view)] == [(0.0, 1.0, 0), (0.0, 1.0, 1)]
    assert [s[4] for s in visible_states(view)] == pytest.approx(
        [1.0, RELEASED_OPACITY * QUIET_OPACITY]
    )
    assert "total: 14" in view.figure.title and "erred: 0" in view.figure.note
    progress.colors = {**progress.colors, "inc": "#abcdef"}
    assert [s[3] for s in visible_states(view)] == ["#222222", "#abcdef"]


def test_progress_view_empty_model():
    view = ProgressView(ProgressModel())
    assert view.figure.rows == []
    assert "total: 0" in view.figure.title
    assert view.bars_shown == 0


def test_progress_view_many_prefixes_say_how_many_more():
    model = ProgressModel(max_bars=5)
    set_progress(model, {f"f{i:02d}": counts(100 - i, done=1) for i in range(12)})
    view = ProgressView(model)
    text = texts(view)
    assert len(text) == 6
    assert text[:5] == [f"f{i:02d}  1 / {100 - i}" for i in range(5)]
    assert text[-1] == "+7 more"
    tracks, _, tips = progress_parts(view)
    assert len(tracks) == 5
    assert (view.bars_shown, view.hidden) == (5, 7)
    # Hovering "+7 more" names what was left out; it has no bar.
    assert len(tips) == 6 and view.figure.rows[-1]["segments"] == []
    assert tips[-1].splitlines()[0] == "f05: 1 / 95"
    model.max_bars = 10
    assert texts(view)[-1] == "+2 more" and len(view.figure.rows) == 11
    model.max_bars = 20
    assert not any("more" in t for t in texts(view))
    assert view.hidden == 0


def test_progress_view_labels_are_verbatim_text(progress):
    set_progress(progress, {EVIL: counts(3, done=1)})
    view = ProgressView(progress)
    # Not escaped: the page sets it as text (a long name is cut, its tooltip whole).
    assert texts(view) == [f"{EVIL[:19]}\u2026  1 / 3"]
    assert progress_parts(view)[2][0].startswith(f"{EVIL}: 1 of 3 done")


def test_progress_view_equal_assignment_sends_nothing(progress, traffic):
    view = ProgressView(progress)
    seen = notifications(view.figure)
    traffic.clear()
    set_progress(progress, {k: dict(v) for k, v in progress.prefixes.items()})
    progress.colors = dict(progress.colors)
    progress.max_bars = progress.max_bars
    assert seen == [] and traffic == []
    set_progress(progress, {**progress.prefixes, "add": counts(4, done=3, memory=3)}, ["add"])
    assert "rows" in seen and any(w is view.figure for w, _ in traffic)


def test_progress_view_change_unrelated_to_bars_sends_only_what_changed(progress, traffic):
    view = ProgressView(progress)
    traffic.clear()
    # A colour for a prefix that has no bar: the update runs, nothing drawn changes.
    progress.colors = {**progress.colors, "unseen": "#444444"}
    assert traffic == []
    progress.colors = {**progress.colors, "inc": "#555555"}
    assert [keys for w, keys in traffic if w is view.figure] == [["rows"]]


def test_progress_view_redraw_is_one_message(progress, traffic):
    view = ProgressView(progress)
    traffic.clear()
    # A count changes: the chart's rows travel in one message, with the
    # title when the total moved, and the counts line.
    set_progress(
        progress, {**progress.prefixes, "new": counts(3, done=1), "inc": counts(10, done=7)}
    )
    sent = [(w._model_name, keys) for w, keys in traffic]
    assert sent == [("BarRowsModel", ["note", "rows", "title"])]
    assert [w for w, _ in traffic] == [view.figure]


# -- MemoryView ------------------------------------------------------------------


def memory_bars(view):
    """(share of the width, colour) of each Memory use bar, top to bottom."""
    return [(r["segments"][0][1], r["segments"][0][2]) for r in view.figure.rows[: len(view.names)]]


def test_memory_view_rows(progress):
    view = MemoryView(progress)
    assert view.names == ["add", "gone", "inc"]  # by name, top to bottom
    # Bytes from 0 to a round number above the largest (3 MiB): 4 MiB.
    assert view.figure.axis == [
        [0.0, "0"],
        [0.25, "1 MiB"],
        [0.5, "2 MiB"],
        [0.75, "3 MiB"],
        [1.0, "4 MiB"],
    ]
    assert memory_bars(view) == [
        (pytest.approx(1 / 8), "#222222"),
        (pytest.approx(1024 / 2**22), "#333333"),
        (pytest.approx(3 / 4), "#111111"),
    ]
    assert texts(view) == ["add  512.00 KiB", "gone  1.00 KiB", "inc  3.00 MiB"]
    # Hover says the same, with the whole name.
    assert [r["tip"] for r in view.figure.rows] == [
        "add: 512.00 KiB in memory",
        "gone: 1.00 KiB in memory",
        "inc: 3.00 MiB in memory",
    ]
    assert not any(r["faint"] for r in view.figure.rows)
    assert view.figure.title == "Memory use: 3.50 MiB"
    assert (view.figure.row_px, view.figure.visible_rows) == (ROW_PX, VISIBLE_ROWS)


def test_memory_view_follows_model(progress):
    view = MemoryView(progress)
    progress.prefixes = {"inc": counts(10, nbytes=0), "new": counts(1, nbytes=2048)}
    assert view.names == ["new"]
    assert memory_bars(view) == [(pytest.approx(2048 / 3072), "#7f7f7f")]  # no colour yet
    assert [label for _, label in view.figure.axis] == ["0", "1 KiB", "2 KiB", "3 KiB"]
    progress.colors = {"new": "#0000ff"}
    assert memory_bars(view)[0][1] == "#0000ff"
    assert view.figure.title == "Memory use: 2.00 KiB"
    progress.prefixes = {}
    assert view.names == []
    assert view.figure.title == "Memory use: 0 B"
    # Idle: one faint line that says so, no empty axis, no hover.
    assert view.figure.rows == [{"text": IDLE, "tip": "", "faint": True, "segments": []}]
    assert view.figure.axis == []


def test_memory_view_shows_the_largest_and_counts_the_rest():
    model = ProgressModel(
        prefixes={f"p{i:02d}": counts(1, nbytes=1000 + i) for i in range(30)}, max_bars=5
    )
    view = MemoryView(model)
    assert view.names == ["p25", "p26", "p27", "p28", "p29"]  # the 5 largest, by name
    assert view.hidden == 25 and texts(view)[-1] == "+25 more"
    assert view.figure.rows[-1]["segments"] == []
    # What the others hold: 1000 to 1024 bytes each.
    assert view.figure.rows[-1]["tip"] == "25 more functions hold 24.71 KiB"
    assert view.figure.title == "Memory use: 29.72 KiB"  # the total counts every prefix


def test_memory_view_names_are_verbatim_text():
    model = ProgressModel(prefixes={EVIL: counts(1, nbytes=10)})
    view = MemoryView(model)
    assert view.names == [EVIL]
    assert texts(view)[0].startswith(EVIL[:19])
    assert view.figure.rows[0]["tip"].startswith(EVIL)


def test_memory_view_equal_assignment_sends_nothing(progress, traffic):
    view = MemoryView(progress)
    seen = notifications(view.figure)
    traffic.clear()
    progress.prefixes = dict(progress.prefixes)
    progress.colors = dict(progress.colors)
    assert seen == [] and traffic == []
    progress.prefixes = {**progress.prefixes, "add": counts(4, nbytes=1)}
    assert "title" in seen and "rows" in seen


def test_memory_view_redraw_is_one_message(progress, traffic):
    view = MemoryView(progress)
    traffic.clear()
    # More bytes within the same axis range: the rows change, the axis does not.
    progress.prefixes = {**progress.prefixes, "add": counts(4, done=4, memory=4, nbytes=2**20)}
    assert [(w, sorted(keys)) for w, keys in traffic] == [(view.figure, ["rows", "title"])]
    traffic.clear()
    # Past the axis's top: rows, axis and title in the same one message.
    progress.prefixes = {**progress.prefixes, "add": counts(4, done=4, memory=4, nbytes=2**23)}
    assert [(w, sorted(keys)) for w, keys in traffic] == [(view.figure, ["axis", "rows", "title"])]


# -- TaskStreamView --------------------------------------------------------------


@pytest.fixture
def stream():
    tasks = TaskStreamModel()
    tasks.records = [
        record("inc-1", "inc", "tcp://w1", 1, 100.0, 101.0),
        record("inc-2", "inc", "tcp://w2", 1, 100.5, 102.0),
        record("add-1", "add", "tcp://w1", 2, 101.0, 101.5, action="transfer"),
        record("bad-1", "bad", "tcp://w1", 1, 102.0, 103.0, status="error"),
    ]
    tasks.now = 104.0
    progress = ProgressModel(colors={"inc": "#111111", "add": "#222222"})
    return tasks, progress


def drawn(view):
    """(x0, x1, row) per rectangle the task stream shows."""
    d = view.drawn()
    return list(zip(d["x0"], d["x1"], d["row"]))


def add_records(tasks, new, now=None):
    """Append records to the store the way the listener does."""
    columns = {
        f: [r[f] for r in new] for f in ("key", "prefix", "worker", "thread", "start", "stop")
    }
    columns["code"] = [code_of(r["action"], r["status"]) for r in new]
    now = max(r["stop"] for r in new) if now is None else now
    append_tasks(tasks.source, tasks, pack_tasks(columns), now)


def label(r):
    return label_of(
        r["key"], code_of(r["action"], r["status"]), r["worker"], r["stop"] - r["start"]
    )


def test_task_stream_view_marks(stream):
    tasks, progress = stream
    view = TaskStreamView(tasks, progress)
    # Rows in order of first appearance: (w1, 1) -> 0, (w2, 1) -> 1, (w1, 2) -> 2.
    assert drawn(view) == [(0.0, 1.0, 0), (0.5, 2.0, 1), (1.0, 1.5, 2), (2.0, 3.0, 0)]
    assert view.drawn()["color"] == ["#111111", "#111111", TRANSFER, ERRED]
    labels = view.drawn()["label"]
    assert labels == [label(r) for r in tasks.records]
    assert labels[0] == "inc-1 | tcp://w1 | 1.00 s"
    assert labels[2].startswith("transfer: add-1")
    assert labels[3].endswith(" | erred")
    assert view.figure.title == "Task Stream \u2014 last 4 tasks, 3 threads"
    assert view.figure.span == (0.0, 4.0)  # right end is `now`
    assert view.figure.rows == 3
    assert view.rectangles == 4 == view.figure.count


def test_task_stream_view_follows_model(stream):
    tasks, progress = stream
    view = TaskStreamView(tasks, progress, every=0.0)
    progress.colors = {**progress.colors, "mul": "#999999"}
    add_records(tasks, [record("mul-1", "mul", "tcp://w3", 0, 103.0, 110.0)])
    assert view.figure.title == "Task Stream \u2014 last 5 tasks, 4 threads"
    assert drawn(view)[-1] == (3.0, 10.0, 3)
    assert view.drawn()["color"][-1] == "#999999"
    assert view.figure.span[1] == 10.0  # past `now`: the last stop
    reset_store(tasks.source, tasks)
    assert view.figure.title == "Task Stream \u2014 last 0 tasks, 0 threads"
    assert drawn(view) == [] and view.rectangles == 0


def rect_messages(batches, widget):
    """(op, count, texts, buffer bytes) of each batch of rectangles ``widget`` sent."""
    return [
        (c["op"], c["count"], c["texts"], sum(len(b) for b in buffers))
        for w, c, buffers in batches
        if w is widget
    ]


def test_task_stream_draws_only_what_is_new(stream, batches):
    tasks, progress = stream
    view = TaskStreamView(tasks, progress, every=0.0)
    many = [record(f"inc-{i}", "inc", "tcp://w1", 1, 104.0 + i, 104.5 + i) for i in range(120)]
    add_records(tasks, many)
    batches.clear()
    add_records(tasks, [record("inc-x", "inc", "tcp://w1", 1, 224.0, 224.5)])
    # Only the new record is sent, not the 124 rectangles before it.
    ((op, count, texts, size),) = rect_messages(batches, view.figure)
    assert (op, count, texts) == ("append", 1, ["inc-x"])
    # x0, x1 float32, row int32, colour uint8, worker int32, code uint8, seconds float64
    assert size == 4 + 4 + 4 + 1 + 4 + 1 + 8
    assert view.rectangles == 125 == view.figure.count


def test_a_task_stream_redraw_is_one_message(stream, traffic):
    tasks, progress = stream
    view = TaskStreamView(tasks, progress, every=0.0)
    add_records(
        tasks, [record(f"inc-{i}", "inc", "tcp://w1", 1, 104.0 + i, 104.5) for i in range(3)]
    )
    traffic.clear()
    add_records(tasks, [record("inc-y", "inc", "tcp://w2", 2, 230.0, 231.0)])
    # New rectangles, a new row, a longer time range and a new title: one
    # message, so the page draws them in one frame.
    (keys,) = [keys for w, keys in traffic if w is view.figure]
    assert {"rects", "span", "rows", "title"} <= set(keys)


def test_task_stream_keeps_at_most_length_records_on_screen(stream):
    tasks, progress = stream
    tasks.length = 100
    view = TaskStreamView(tasks, progress, every=0.0)
    for batch in range(10):
        new = [
            record(f"k-{batch}-{i}", "inc", "tcp://w1", 1, 110.0 + batch, 110.5 + batch)
            for i in range(40)
        ]
        add_records(tasks, new)
    assert len(view.drawn()["x0"]) == 100 == view.figure.capacity
    assert view.drawn()["label"][-1].startswith("k-9-39 ")
    assert view.rectangles == 100 and len(tasks.records) == 100


def test_task_stream_labels_are_verbatim_text(stream):
    tasks, progress = stream
    tasks.records = [record(EVIL, EVIL, "tcp://w1", 1, 100.0, 100.5)]
    view = TaskStreamView(tasks, progress)
    (text,) = view.drawn()["label"]
    assert text.startswith(EVIL + " | ")


def test_task_stream_nothing_new_sends_nothing(stream, traffic, batches):
    tasks, progress = stream
    view = TaskStreamView(tasks, progress, every=0.0)
    seen = notifications(view.figure)
    traffic.clear()
    batches.clear()
    tasks.source.revision += 1  # a poll that brought no task
    tasks.now = 104.0
    progress.colors = dict(progress.colors)
    view.redraw()
    assert seen == [] and traffic == []
    add_records(tasks, [record("inc-9", "inc", "tcp://w1", 1, 104.0, 106.0)])
    assert "span" in seen and [op for op, *_ in rect_messages(batches, view.figure)] == ["append"]


def test_hidden_task_stream_computes_nothing_and_catches_up(stream):
    tasks, progress = stream
    view = TaskStreamView(tasks, progress, every=0.0)
    view.redraw.active = False
    assert view.window.active is False
    revision = view.window.revision
    add_records(tasks, [record("inc-9", "inc", "tcp://w1", 1, 104.0, 106.0)])
    assert view.window.revision == revision and view.rectangles == 4
    view.redraw.active = True
    assert view.rectangles == 5 and view.drawn()["label"][-1].startswith("inc-9 ")
    view.redraw.close()
    assert view.window.active is False


def per_record(view):
    """{label: (row, colour)} of what the stream draws, checking labels are unique."""
    d = view.drawn()
    assert len(set(d["label"])) == len(d["label"])
    return {text: (int(row), color) for text, row, color in zip(d["label"], d["row"], d["color"])}


def test_live_and_fixed_draw_the_same_records_alike(stream):
    tasks, progress = stream
    more = [
        record(f"{p}-{i}", p, f"tcp://w{i % 3}", i % 2, 103.0 + i * 0.1, 103.05 + i * 0.1)
        for i, p in enumerate(["inc", "add", "mul"] * 20)
    ]
    more[5]["action"], more[7]["status"] = "disk-read", "error"
    add_records(tasks, more)
    view = TaskStreamView(tasks, progress, every=0.0)
    live = per_record(view)
    n_rows = len({row for row, _ in live.values()})
    assert len(live) == 64 and n_rows == 7 and view.figure.rows == n_rows
    view.mode.value = "fixed"  # the user freezes the current window
    assert tasks.mode == "fixed" and view.figure.title.startswith("Task Stream \u2014 fixed")
    fixed = per_record(view)
    assert fixed == live
    assert view.figure.rows == n_rows
    view.mode.value = "live"
    assert per_record(view) == live and "last 64 tasks" in view.figure.title


# -- ResourcesView ---------------------------------------------------------------


def fill_resources(model, **columns):
    with model.hold_trait_notifications():
        for name in DRAWN:
            setattr(model, name, columns[name])


@pytest.fixture
def resources():
    model = ResourcesModel()
    fill_resources(
        model,
        time=[1_700_000_000.0, 1_700_000_001.0],
        cpu=[50.0, 150.0],
        memory=[1 * 2**30, 2 * 2**30],
        memory_limit=[8 * 2**30, 8 * 2**30],
        network_read=[0.0, 3 * 2**20],
        network_write=[1024.0, 2048.0],
    )
    return model


def ys(chart):
    return [line["y"] for line in chart.lines]


def test_resources_view_lines(resources):
    view = ResourcesView(resources)
    usage, network = view.usage, view.network
    assert usage.t == [1_700_000_000.0, 1_700_000_001.0]
    assert ys(usage) == [[50.0, 150.0], [12.5, 25.0]]
    assert [line["color"] for line in usage.lines] == ["#1f77b4", "#2ca02c"]
    # Named at their right ends, in their colours; the axis in round steps of %.
    assert [e[:2] for e in usage.ends] == [["CPU", "#1f77b4"], ["mem", "#2ca02c"]]
    assert usage.y_ticks == [
        [0.0, "0"],
        [50.0, "50%"],
        [100.0, "100%"],
        [150.0, "150%"],
        [200.0, "200%"],
    ]
    assert usage.title == "CPU 150% \u00b7 memory 2.00 GiB of 8.00 GiB"
    # Hover: the time and every value there, per sample.
    assert usage.tips[1].endswith("  CPU 150% \u00b7 memory 25% (2.00 GiB)")
    assert usage.tips[1].startswith(clock_text(1_700_000_001.0))
    assert usage.clock["steps"][0] > 0 and "offset" in usage.clock
    assert network.t == usage.t
    assert ys(network) == [[0.0, 3 * 2**20], [1024.0, 2048.0]]
    assert network.y_ticks[-1][1].endswith("MiB/s")
    assert network.title == "Net read 3.00 MiB/s \u00b7 write 2.00 KiB/s"


def test_resources_view_follows_model(resources):
    view = ResourcesView(resources)
    fill_resources(
        resources,
        **{
            name: getattr(resources, name) + [v]
            for name, v in zip(DRAWN, [1_700_000_002.0, 25.0, 4 * 2**30, 8 * 2**30, 0.0, 0.0])
        },
    )
    assert ys(view.usage) == [[50.0, 150.0, 25.0], [12.5, 25.0, 50.0]]
    assert len(view.network.t) == 3
    assert view.usage.title == "CPU 25% \u00b7 memory 4.00 GiB of 8.00 GiB"
    assert view.network.title == "Net read 0 B/s \u00b7 write 0 B/s"


def test_resources_view_breaks_lines_across_idle_gaps(resources):
    view = ResourcesView(resources)
    t = [1_700_000_000.0 + i for i in (0, 1, 2, 3, 60)]
    fill_resources(
        resources,
        time=t,
        cpu=[10.0] * 5,
        memory=[2**30] * 5,
        memory_limit=[8 * 2**30] * 5,
        network_read=[0.0] * 5,
        network_write=[0.0] * 5,
    )
    # A point with no value (null) in the gap: the line stops and starts again,
    # and hovering the gap shows nothing.
    assert len(view.usage.t) == 6 and ys(view.usage)[0][4] is None
    assert view.usage.tips[4] == "" and all(view.usage.tips[i] for i in (0, 1, 2, 3, 5))


def test_resources_view_uses_common_length_of_ragged_columns(resources):
    view = ResourcesView(resources)
    resources.time = resources.time + [1_700_000_002.0]  # other columns not yet appended
    assert [len(y) for y in ys(view.usage)] == [2, 2]
    assert view.usage.t[-1] == 1_700_000_002.0


def test_resources_view_zero_memory_limit_does_not_divide_by_zero():
    model = ResourcesModel()
    fill_resources(
        model,
        time=[1.0],
        cpu=[0.0],
        memory=[5.0],
        memory_limit=[0.0],
        network_read=[0.0],
        network_write=[0.0],
    )
    view = ResourcesView(model)
    assert all(v is not None and np.isfinite(v) for v in ys(view.usage)[1])


def test_resources_view_empty_model_draws_nothing():
    view = ResourcesView(ResourcesModel())
    assert view.usage.title == "CPU and memory" and view.network.title == "Network"
    assert view.usage.t == [] and view.usage.lines == [] and view.usage.y_ticks


def test_resources_view_follows_memory_limit(resources):
    view = ResourcesView(resources)
    resources.memory_limit = [4 * 2**30, 4 * 2**30]
    assert ys(view.usage)[1] == [25.0, 50.0]
    assert view.usage.title.endswith("of 4.00 GiB")


def test_resources_view_equal_assignment_sends_nothing(resources, traffic):
    view = ResourcesView(resources)
    seen = notifications(view.usage, view.network)
    traffic.clear()
    fill_resources(resources, **{name: list(getattr(resources, name)) for name in DRAWN})
    assert seen == [] and traffic == []
    resources.cpu = [50.0, 99.0]
    assert "title" in seen and any(w is view.usage for w, _ in traffic)


def test_a_resources_redraw_is_one_message_per_chart(resources, traffic):
    view = ResourcesView(resources)
    traffic.clear()
    fill_resources(
        resources,
        **{
            name: getattr(resources, name) + [v]
            for name, v in zip(DRAWN, [1_700_000_002.0, 25.0, 4 * 2**30, 8 * 2**30, 1.0, 2.0])
        },
    )
    assert sorted(id(w) for w, _ in traffic) == sorted([id(view.usage), id(view.network)])
    keys = {w.title.split()[0]: sorted(k) for w, k in traffic}
    assert set(keys["CPU"]) >= {"t", "lines", "tips", "ends", "title"}


def test_resources_view_clears_when_model_is_emptied(resources):
    view = ResourcesView(resources)
    fill_resources(resources, **{name: [] for name in DRAWN})
    assert view.usage.t == [] and view.network.t == [] and view.usage.lines == []
    assert "GiB" not in view.usage.title


# -- StatusView ------------------------------------------------------------------


def test_status_view_text_and_classes():
    model = StatusModel()
    view = StatusView(model)
    assert view.widget.value == "Dask dashboard \u2014 Connecting to the scheduler"
    assert "dashmon-connecting" in view.widget._dom_classes
    with model.hold_trait_notifications():
        model.state = "live"
        model.scheduler = "tcp://10.0.0.1:8786"
        model.workers = {
            "tcp://a": {"name": "a", "nthreads": 4},
            "tcp://b": {"name": "b", "nthreads": 2},
        }
    assert (
        view.widget.value
        == "Dask dashboard \u2014 Live from tcp://10.0.0.1:8786 \u2014 2 workers, 6 threads"
    )
    classes = list(view.widget._dom_classes)
    assert "dashmon-status" in classes and "dashmon-live" in classes
    assert "dashmon-connecting" not in classes
    with model.hold_trait_notifications():
        model.state = "disconnected"
        model.message = "Lost contact; retrying."
    assert view.widget.value == (
        "Dask dashboard \u2014 Disconnected from tcp://10.0.0.1:8786 \u2014 Lost contact; retrying."
    )
    assert [c for c in view.widget._dom_classes if c != "dashmon-status"] == [
        "dashmon-disconnected"
    ]
    assert view.text() == view.widget.value


@pytest.mark.parametrize("state, words", [("closed", "Closed:"), ("error", "Not available:")])
def test_status_view_other_states(state, words):
    view = StatusView(StatusModel(state=state, message="why"))
    assert view.widget.value == f"Dask dashboard \u2014 {words} the scheduler \u2014 why"


def test_status_view_message_is_verbatim_text():
    model = StatusModel(state="error", message=EVIL, scheduler=EVIL)
    view = StatusView(model)
    assert view.widget.value.count(EVIL) == 2
    assert view.widget.value.endswith(" \u2014 " + EVIL)


def test_status_view_equal_assignment_sends_nothing(traffic):
    model = StatusModel(state="live", scheduler="tcp://s", workers={"tcp://a": {"nthreads": 1}})
    view = StatusView(model)
    seen = notifications(view.widget)
    traffic.clear()
    model.state = "live"
    model.scheduler = "tcp://s"
    model.workers = {"tcp://a": {"nthreads": 1}}
    model.message = ""
    assert seen == [] and traffic == []
    model.message = "busy"
    assert "value" in seen and (view.widget, ["value"]) in traffic


def test_status_view_sends_only_the_new_text_when_state_is_unchanged(traffic):
    model = StatusModel(state="live", scheduler="tcp://s")
    view = StatusView(model)
    traffic.clear()
    model.workers = {"tcp://a": {"name": "a", "nthreads": 1}}
    assert "1 workers" in view.widget.value
    assert traffic == [(view.widget, ["value"])]
