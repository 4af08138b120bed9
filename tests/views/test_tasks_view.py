"""The Tasks page and the Status task stream's time window, on synthetic history."""

from __future__ import annotations

from synthetic import columns

from jupyter_dashmon.aggregate import transforms as tf
from jupyter_dashmon.aggregate.history import TaskHistory
from jupyter_dashmon.aggregate.models import ProgressModel, TaskHistoryModel, TaskStreamModel
from jupyter_dashmon.views import TaskStreamView, TasksView


def history_model(n: int) -> TaskHistoryModel:
    model = TaskHistoryModel(history=TaskHistory(100_000))
    model.history.append(columns(n))
    model.revision += 1
    return model


def test_tasks_page_draws_100_000_tasks_as_few_segments():
    model = history_model(100_000)
    view = TasksView(model, ProgressModel(colors={"inc": "#123456"}))
    assert view.aggregated and 0 < view.segments <= 8000
    assert len(view.rects.x) == view.segments
    assert "100,000 retained" in view.figure.title and "aggregated by pixel" in view.figure.title
    assert view.time.min == 0.0 and view.time.max > 0


def test_zooming_the_tasks_page_redraws_the_window_in_detail():
    model = history_model(100_000)
    view = TasksView(model, ProgressModel())
    view.time.max = 0.05  # what a PanZoom in the browser sends
    assert not view.following and not view.aggregated
    assert 0 < view.segments < 200
    assert all("thread" in label for label in view.rects.labels)
    # New tasks do not move a window the user chose.
    model.history.append(columns(10, start=5000.0, seed=1))
    model.revision += 1
    assert view.time.max == 0.05 and not view.following
    view.show_all()
    assert view.following and view.time.max > 100


def test_tasks_page_follows_new_history():
    model = history_model(10)
    view = TasksView(model, ProgressModel())
    assert view.segments == 10
    model.history.append(columns(5, start=2000.0, seed=2))
    model.revision += 1
    assert view.segments == 15


def stream(n=20):
    history = history_model(n)
    tasks = TaskStreamModel()
    records = history.history.records()
    tasks.origin = records[0]["start"]
    tasks.records = records
    tasks.now = records[-1]["stop"]
    return tasks, history


def test_live_stream_follows_and_panning_fixes_the_window():
    tasks, history = stream(20)
    view = TaskStreamView(tasks, ProgressModel(), history)
    assert tasks.mode == "live" and view.rectangles == 20
    view.time.min, view.time.max = 0.0, 0.01  # user zooms in
    assert tasks.mode == "fixed" and view.mode.value == "fixed"
    assert tasks.window[0] == tasks.origin
    fixed = (view.time.min, view.time.max)
    # Updates keep the chosen window.
    more = tf.decode_tasks(columns(5, start=tasks.now + 1, seed=3))
    tasks.records = list(tasks.records) + more
    tasks.now = more[-1]["stop"]
    assert (view.time.min, view.time.max) == fixed and tasks.mode == "fixed"
    assert view.rectangles < 20
    view.mode.value = "live"
    assert tasks.mode == "live" and view.rectangles == 25


def test_fixed_button_freezes_the_current_window():
    tasks, history = stream(20)
    view = TaskStreamView(tasks, ProgressModel(), history)
    before = (view.time.min, view.time.max)
    view.mode.value = "fixed"
    assert tasks.mode == "fixed"
    assert (view.time.min, view.time.max) == before
