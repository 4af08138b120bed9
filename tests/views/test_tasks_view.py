"""The Tasks page and the Status task stream's time window, on synthetic history."""

from __future__ import annotations

from synthetic import columns

from jupyter_dashmon.aggregate.history import TaskHistory
from jupyter_dashmon.aggregate.models import (
    ProgressModel,
    TaskHistoryModel,
    TaskStreamModel,
    WorkersModel,
)
from jupyter_dashmon.aggregate.task_windows import append_tasks
from jupyter_dashmon.collect.packing import pack_tasks
from jupyter_dashmon.views import TaskStreamView, TasksView
from jupyter_dashmon.views.worker_stream import WorkerStreamView


def history_model(n: int) -> TaskHistoryModel:
    model = TaskHistoryModel(history=TaskHistory(100_000))
    model.history.append_columns(columns(n))
    model.revision += 1
    return model


def test_tasks_page_draws_100_000_tasks_as_few_segments():
    model = history_model(100_000)
    view = TasksView(model, ProgressModel(colors={"inc": "#123456"}))
    assert view.aggregated and 0 < view.segments <= 8000
    assert view.figure.count == view.segments
    assert "100,000 retained" in view.figure.title and "aggregated by pixel" in view.figure.title
    assert view.figure.span[0] == 0.0 and view.figure.span[1] > 0


def test_zooming_the_tasks_page_redraws_the_window_in_detail():
    model = history_model(100_000)
    view = TasksView(model, ProgressModel())
    computed = view.window.revision
    view.figure.set_state({"span": [0.0, 0.05]})  # what a zoom in the browser sends
    assert view.window.revision == computed + 1  # follow and window change: one aggregation
    assert not view.following and not view.aggregated
    assert 0 < view.segments < 200
    assert all(label.count(" | ") == 2 for label in view.figure.drawn()["label"])  # one task each
    # New tasks do not move a window the user chose.
    model.history.append_columns(columns(10, start=5000.0, seed=1))
    model.revision += 1
    assert view.figure.span == (0.0, 0.05) and not view.following
    view.show_all()
    assert view.following and view.figure.span[1] > 100


def test_tasks_page_follows_new_history():
    model = history_model(10)
    view = TasksView(model, ProgressModel())
    assert view.segments == 10
    model.history.append_columns(columns(5, start=2000.0, seed=2))
    model.revision += 1
    assert view.segments == 15


def stream(n=20):
    tasks = TaskStreamModel()
    append_tasks(tasks.source, tasks, pack_tasks(columns(n)), now=0.0)
    tasks.now = tasks.records[-1]["stop"]
    return tasks, tasks.source


def test_live_stream_follows_and_panning_fixes_the_window():
    tasks, history = stream(20)
    view = TaskStreamView(tasks, ProgressModel(), history)
    assert tasks.mode == "live" and view.rectangles == 20
    view.figure.set_state({"span": [0.0, 0.01]})  # the user zooms in, in the browser
    assert tasks.mode == "fixed" and view.mode.value == "fixed"
    assert tasks.window[0] == tasks.origin
    fixed = view.figure.span
    # Updates keep the chosen window.
    append_tasks(
        history, tasks, pack_tasks(columns(5, start=tasks.now + 1, seed=3)), now=tasks.now + 2
    )
    assert view.figure.span == fixed and tasks.mode == "fixed"
    assert view.rectangles < 20
    view.mode.value = "live"
    assert tasks.mode == "live" and view.rectangles == 25


def test_fixed_button_freezes_the_current_window():
    tasks, history = stream(20)
    view = TaskStreamView(tasks, ProgressModel(), history)
    before = view.figure.span
    view.mode.value = "fixed"
    assert tasks.mode == "fixed"
    assert view.figure.span == before


def test_worker_stream_draws_the_selected_workers_last_seconds():
    history = history_model(200)
    workers = WorkersModel()
    view = WorkerStreamView(workers, history, ProgressModel(colors={"inc": "#123456"}), span=60.0)
    assert view.tasks == 0 and view.figure.count == 0
    workers.selected = "tcp://127.0.0.1:9001"  # threads 2 and 3 of the synthetic columns
    drawn = view.figure.drawn()
    assert view.tasks == 50 == len(drawn["x0"]) and view.figure.rows == 2
    assert view.figure.span == (-60.0, 0.0)
    assert all(-60.0 <= x <= 0.0 for x in drawn["x0"] + drawn["x1"])
    assert all(" | tcp://127.0.0.1:9001 | " in label for label in drawn["label"])
    assert "#123456" in drawn["color"]
    view.redraw.active = False  # a hidden page: new tasks are not aggregated
    history.history.append_columns(columns(8, start=2000.0, seed=4))
    history.revision += 1
    assert view.tasks == 50 and view.window.active is False
    view.redraw.active = True
    assert view.tasks == 2 and view.figure.title.startswith("Recent tasks on this worker: 2 ")
