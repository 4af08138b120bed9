"""The Profile, Groups and Metrics views draw what their models hold (hand-written)."""

from __future__ import annotations

import numpy as np
import pytest

from jupyter_dashmon.aggregate.fine_metrics import by_activity
from jupyter_dashmon.aggregate.flame import flame_rects
from jupyter_dashmon.aggregate.groups import layout_groups
from jupyter_dashmon.aggregate.models import (
    GroupsModel,
    MetricsModel,
    ProfileModel,
    ProgressModel,
    StatusModel,
)
from jupyter_dashmon.views.groups import GroupsView
from jupyter_dashmon.views.metrics import MetricsView
from jupyter_dashmon.views.profile import ProfileView, fitted

FRAMES = {
    "parent": [-1, 0, 1, 0],
    "count": [100, 60, 30, 40],
    "name": ["all", "compute_things", "inner", "<b>not markup</b>"],
    "filename": ["", "x.py", "y.py", "x.py"],
    "line_number": [0, 3, 7, 9],
    "line": ["", "a()", "a1()", "b()"],
    "ident": ["root", "a", "a1", "b"],
}


def profile_view():
    model, status, progress = ProfileModel(), StatusModel(), ProgressModel()
    view = ProfileView(model, status, progress, every=0.0)
    return model, status, progress, view


def test_profile_draws_one_rectangle_per_frame_with_its_tooltip():
    model, _, _, view = profile_view()
    assert view.figure.title == "Profile: waiting for data"
    model.frames = FRAMES
    model.flame = flame_rects(FRAMES, [])
    x = np.asarray(view.frames.x)
    y = np.asarray(view.frames.y)
    assert x.shape == (4, 5) and y.shape == (4, 5)
    assert x[0].min() == 0.0 and x[0].max() == 1.0  # "all" spans the width
    assert view.frames.labels[1].startswith("compute_things  60.0% of the time\nx.py:3")
    assert view.figure.title == "Profile: 100 samples"
    assert float(view.scales["y"].max) == 4.0  # three levels, room for four
    # Names are SVG text, cut to their frame; the markup-looking one is plain text.
    assert list(view.names.text) == ["all", "compute_things", "inner", "<b>not markup\u2026"]
    assert fitted("compute_things", 0.3) == "compute_t\u2026"  # 10 characters fit
    assert fitted("x", 0.01) == ""


def test_profile_click_zooms_and_the_bottom_frame_zooms_out():
    model, _, _, view = profile_view()
    model.frames = FRAMES
    model.flame = flame_rects(FRAMES, [])
    index = view.nodes.index(1)
    view._clicked(view.frames, {"event": "element_click", "data": {"index": index}})
    assert model.path == ["a"]
    model.flame = flame_rects(FRAMES, model.path)  # what the fetcher does on a path change
    assert view.nodes == [1, 2]
    assert "Zoomed into compute_things (60.0% of the time)" in view.info.value
    view._clicked(view.frames, {"event": "element_click", "data": {"index": 0}})
    assert model.path == []
    view._clicked(view.frames, {"data": {"index": 99}})  # stale click: ignored
    view._clicked(view.frames, {"data": None})
    assert model.path == []


def test_profile_choosers_follow_workers_and_functions_and_write_the_model():
    model, status, progress, view = profile_view()
    status.workers = {"tcp://w1": {"name": "1", "nthreads": 2}, "tcp://w0": {"name": "0"}}
    progress.prefixes = {"inc": {}, "add": {}}
    view.redraw()
    assert list(view.worker.options) == [("all", ""), ("0", "tcp://w0"), ("1", "tcp://w1")]
    assert list(view.function.options) == [("all", ""), ("add", "add"), ("inc", "inc")]
    model.path = ["a"]
    view.worker.value = "tcp://w1"
    assert model.worker == "tcp://w1" and model.path == []
    view.window.value = 10.0
    assert model.window == 10.0
    view.source.value = "scheduler"
    assert model.source == "scheduler" and view.worker.disabled


def test_profile_view_switches_fetching_with_its_redraws():
    model, _, _, view = profile_view()
    assert not model.active
    view.redraw.active = True
    assert model.active
    view.redraw.active = False
    assert not model.active


GROUPS = {
    "name": ["ones-1", "add-1", "mul-1"],
    "prefix": ["ones", "add", "mul"],
    "total": [4, 4, 4],
    "released": [4, 2, 0],
    "memory": [0, 2, 1],
    "erred": [0, 0, 1],
    "processing": [0, 0, 1],
    "waiting": [0, 0, 1],
    "nbytes": [0, 0, 0],
    "duration": [0.0, 0.0, 0.0],
    "deps": [[], [0], [1]],
}


def test_groups_draw_boxes_progress_and_edges():
    model = GroupsModel()
    colors = {"ones": "#111111", "add": "#222222", "mul": "#333333"}
    view = GroupsView(model, colors=lambda: colors, every=0.0)
    assert view.figure.title == "Task groups: none yet"
    model.nodes = layout_groups(GROUPS)
    boxes_x = np.asarray(view.boxes.x)
    assert boxes_x.shape == (3, 5)
    assert list(boxes_x.mean(axis=1).round(3)) == pytest.approx([0.0, 1.0, 2.0], abs=0.1)
    assert list(view.boxes.colors) == ["#111111", "#222222", "#333333"]
    assert view.boxes.labels[2].startswith("mul-1\n4 tasks:")
    # ones: released (1 part); add: released + memory; mul: memory, erred, processing.
    assert list(view.fills.fill_colors) == [
        "#111111",
        "#222222",
        "#222222",
        "#333333",
        "#000000",
        "#9e9e9e",
    ]
    assert np.asarray(view.edges.x).shape == (2, 2)
    assert view.figure.title == "Task groups: 3"
    model.hidden = 5
    model.nodes = dict(layout_groups(GROUPS))
    assert view.figure.title == "Task groups: largest 3 of 8"


def test_metrics_rows_and_function_choice():
    model = MetricsModel()
    view = MetricsView(model, every=0.0)
    rows = [
        ["execute", "inc", "thread-cpu", "seconds", 2.0],
        ["execute", "add", "thread-cpu", "seconds", 1.0],
        ["gather-dep", "", "network", "seconds", 0.5],
        ["execute", "add", "disk-read", "bytes", 2048.0],
    ]
    model.rows = rows
    model.functions = ["add", "inc"]
    model.summary = by_activity(rows)
    model.bandwidth_types = {"numpy.ndarray": 2e8}
    model.bandwidth_workers = [["0", "1", 3e8]]
    assert view.time.names == ["compute (CPU)", "transfer"]
    assert view.time.values == [3.0, 0.5]
    assert view.time.figure.title == "Time by activity: 3.50 s"
    assert view.bytes.names == ["disk read"]
    assert view.types.names == ["numpy.ndarray"]
    assert view.pairs.names == ["0 \u2192 1"]
    assert view.pairs.figure.title == "Bandwidth by worker pair"  # rates are not summed
    assert list(view.function.options) == [("all work", ""), ("add", "add"), ("inc", "inc")]
    view.function.value = "add"
    assert model.function == "add"
    assert view.compute.names == ["inc", "add"] and view.compute.values == [2.0, 1.0]
    assert view.memory.names == []  # no progress model: nothing held


def test_metrics_memory_share_by_function():
    progress = ProgressModel()
    view = MetricsView(MetricsModel(), progress, every=0.0)
    progress.prefixes = {"x": {"nbytes": 3 * 2**20}, "y": {"nbytes": 2**20}}
    assert view.memory.names == ["x", "y"] and view.memory.values == [0.75, 0.25]
    rows = view.memory.figure.rows
    assert [r["text"] for r in rows] == ["x  75%", "y  25%"]
    assert [r["segments"][0][1] for r in rows] == [0.75, 0.25]  # on the whole 0-100 % axis
    assert view.memory.figure.axis == [
        [0.0, "0%"],
        [0.25, "25%"],
        [0.5, "50%"],
        [0.75, "75%"],
        [1.0, "100%"],
    ]
    progress.prefixes = {}
    assert [r["text"] for r in view.memory.figure.rows] == ["no results in memory"]
    assert view.memory.figure.axis == []


def test_cluster_memory_stacks_the_bands_and_draws_the_limits():
    from jupyter_dashmon.aggregate.models import ClusterMemoryModel
    from jupyter_dashmon.views.cluster_memory import ClusterMemoryView

    model = ClusterMemoryModel()
    view = ClusterMemoryView(model, every=0.0)
    assert view.summary.value == "No workers yet."
    model.thresholds = {"target": 0.6, "spill": 0.7, "pause": 0.0}
    model.series = {
        "time": [100.0, 101.0],
        "managed": [10.0, 20.0],
        "unmanaged": [5.0, 5.0],
        "unmanaged_recent": [0.0, 2.0],
        "spilled": [0.0, 30.0],
        "memory_limit": [100.0, 100.0],
    }
    managed, old, recent, spilled = (
        np.asarray(view.areas[n].y)
        for n in ("managed", "unmanaged_old", "unmanaged_recent", "spilled")
    )
    assert managed.tolist() == [[10.0, 20.0], [0.0, 0.0]]
    assert old.tolist() == [[15.0, 23.0], [10.0, 20.0]]
    assert recent.tolist() == [[15.0, 25.0], [15.0, 23.0]]
    assert spilled.tolist() == [[15.0, 55.0], [15.0, 25.0]]
    # The limit and the spill threshold; pause is off, so not drawn.
    assert np.asarray(view.limits.y).tolist() == [[100.0, 100.0], [70.0, 70.0]]
    assert list(view.names.mark.text) == ["limit", "spill"]
    assert "spilled 30 B" in view.summary.value
    assert view.hover.mark.labels[-1].endswith(
        "managed 20 B \u00b7 unmanaged old 3 B \u00b7 unmanaged recent 2 B \u00b7 spilled 30 B"
    )
    assert "unmanaged recent 2 B" in view.summary.value


def test_cluster_memory_names_a_limit_far_above_the_data_instead_of_drawing_it():
    from jupyter_dashmon.aggregate.models import ClusterMemoryModel
    from jupyter_dashmon.views.cluster_memory import ClusterMemoryView

    model = ClusterMemoryModel(thresholds={"target": 0.6, "spill": 0.7, "pause": 0.8})
    view = ClusterMemoryView(model, every=0.0)
    model.series = {
        "time": [100.0, 101.0],
        "managed": [1e6, 2e6],
        "unmanaged": [1e7, 1e7],
        "unmanaged_recent": [0.0, 0.0],
        "spilled": [0.0, 0.0],
        "memory_limit": [1e10, 1e10],
    }
    assert list(view.names.mark.text) == []
    assert float(view.scales["y"].max) < 2e7  # the bands fill the figure
    assert view.summary.value.endswith("limit 9.31 GiB (spill at 70%, pause at 80%)")


def test_metrics_cell_chooser_offers_the_runs_by_label():
    from jupyter_dashmon.aggregate.models import WorkModel
    from jupyter_dashmon.aggregate.work import RUN_LABELS

    RUN_LABELS.add("t/1", {"cell": 3, "name": "In [3]", "code": "x = <b>1</b>"})
    RUN_LABELS.add("t/2", {"cell": None, "name": "load", "code": ""})
    work = WorkModel()
    model = MetricsModel()
    view = MetricsView(model, work=work, every=0.0)
    assert list(view.cell.options) == [("all work", "")]

    def counts(start):
        return {
            "total": 2,
            "done": 2,
            "erred": 0,
            "bytes": 0,
            "start": start,
            "stop": start + 1,
            "seconds": {},
            "prefixes": {},
            "finished": {},
        }

    work.runs = {"t/1": counts(10.0), "t/2": counts(20.0), "other": counts(5.0)}
    # Newest first; the label is plain text (the chooser writes it as text);
    # work with no run has no span to split out and is not offered.
    assert list(view.cell.options) == [
        ("all work", ""),
        ("load", "t/2"),
        ("In [3]: x = <b>1</b>", "t/1"),
    ]
    assert view.types.figure.title == "Bandwidth by type"
    view.cell.value = "t/1"
    assert model.run == "t/1"
    # What is never split by cell says so while a cell is chosen.
    assert view.types.figure.title == "Bandwidth by type (all work)"
    assert view.pairs.figure.title == "Bandwidth by worker pair (all work)"
    assert view.memory.figure.title == "Memory by function now (all work)"
    model.run = "t/2"
    assert view.cell.value == "t/2"
    # A run chosen before its first task is counted is still offered.
    RUN_LABELS.add("t/3", {"cell": 4, "name": "In [4]", "code": ""})
    model.run = "t/3"
    assert view.cell.value == "t/3" and ("In [4]", "t/3") in view.cell.options


def test_profile_says_why_a_source_has_no_profile():
    model, _, _, view = profile_view()
    assert view.why.value == ""
    model.source = "scheduler"
    off = {**{k: [] for k in FRAMES}, "enabled": False, "reason": "off <because> of 3.11"}
    model.frames = off
    model.flame = flame_rects(off, [])
    assert (
        view.figure.title == "Scheduler event loop: not profiled (distributed leaves it off here)"
    )
    assert view.why.value == "off &lt;because&gt; of 3.11"  # plain text in an HTML widget
    assert view.source.value == "scheduler"  # the chooser follows a choice made in code
    assert view.info.value == ""  # no frame to click
    model.frames = FRAMES
    model.flame = flame_rects(FRAMES, [])
    assert view.why.value == ""
