"""Unit tests for :mod:`jupyter_dashmon.aggregate.task_windows`: the live stream
over the store, and every task figure's window, on hand-written records."""

from __future__ import annotations

import pytest
from synthetic import columns

from jupyter_dashmon.aggregate import task_windows as tw
from jupyter_dashmon.aggregate.models import (
    DashboardModel,
    ProgressModel,
    TaskWindowModel,
    WorkersModel,
)
from jupyter_dashmon.aggregate.segments import drawn
from jupyter_dashmon.collect.packing import pack_tasks
from jupyter_dashmon.config import DEFAULT_OPTIONS


def rows(*specs):
    """Packed task records from (key, worker, thread, start, stop[, code]) tuples;
    prefix = key's head."""
    out = {k: [] for k in ("key", "prefix", "worker", "thread", "start", "stop", "code")}
    for key, worker, thread, start, stop, *code in specs:
        out["key"].append(key)
        out["prefix"].append(key.split("-")[0])
        out["worker"].append(worker)
        out["thread"].append(thread)
        out["start"].append(start)
        out["stop"].append(stop)
        out["code"].append(code[0] if code else 0)
    return pack_tasks(out)


@pytest.fixture
def model():
    return DashboardModel()


def keys(records):
    return [r["key"] for r in records]


# -- the live stream ------------------------------------------------------------------


def test_stream_is_the_last_length_records_of_the_store(model):
    model.tasks.length = 3
    tw.append_tasks(
        model.history, model.tasks, rows(*((f"a-{i}", "w", 1, i, i + 1) for i in range(5))), 9.0
    )
    assert keys(model.tasks.records) == ["a-2", "a-3", "a-4"]
    assert len(model.history.history) == 5 and model.history.revision == 1
    assert model.tasks.now == 9.0 and model.tasks.origin == 0.0 and model.tasks.generation == 1


def test_stream_restarts_after_a_quiet_gap(model):
    t = model.tasks
    tw.append_tasks(model.history, t, rows(("a-1", "w", 1, 0.0, 1.0), ("a-2", "w", 2, 1.0, 5.0)), 5)
    tw.append_tasks(model.history, t, rows(("b-1", "w", 3, 14.0, 15.0)), 15)  # 9 s after 5.0
    assert t.generation == 1 and keys(t.records) == ["a-1", "a-2", "b-1"]
    assert t.threads == [0, 1, 2]
    tw.append_tasks(model.history, t, rows(("c-1", "w", 2, 25.5, 26.0)), 26)  # 10.5 s after
    assert t.generation == 2 and keys(t.records) == ["c-1"] and t.origin == 25.5
    assert t.threads == [1]  # store ids: the thread keeps its id, the row set starts afresh
    assert len(model.history.history) == 4  # the store keeps everything


def test_gap_measured_from_the_latest_stop_not_the_last_record(model):
    t = model.tasks
    tw.append_tasks(
        model.history, t, rows(("a-1", "w", 1, 0.0, 20.0), ("a-2", "w", 2, 1.0, 2.0)), 20
    )
    tw.append_tasks(model.history, t, rows(("b-1", "w", 1, 25.0, 26.0)), 26)
    assert t.generation == 1 and len(t.records) == 3


def test_gap_exactly_equal_does_not_restart(model):
    t = model.tasks
    tw.append_tasks(model.history, t, rows(("a-1", "w", 1, 0.0, 1.0)), 1)
    tw.append_tasks(model.history, t, rows(("b-1", "w", 1, 11.0, 12.0)), 12)
    assert t.generation == 1
    tw.append_tasks(model.history, t, rows(("c-1", "w", 1, 22.5, 23.0)), 23)
    assert t.generation == 2


def test_rows_without_valid_times_change_nothing(model):
    tw.append_tasks(model.history, model.tasks, rows(("a-1", "w", 1, float("nan"), 1.0)), 1)
    assert model.history.revision == 0 and model.tasks.generation == 0 and model.tasks.records == []


def test_reset_forgets_the_store_and_restarts_the_stream(model):
    tw.append_tasks(model.history, model.tasks, rows(("a-1", "w", 1, 0.0, 1.0)), 1)
    tw.reset_store(model.history, model.tasks)
    assert model.tasks.records == [] and model.tasks.generation == 2
    assert model.snapshot()["tasks"] == [] and model.history.revision == 2


def test_assigned_records_are_a_new_generation_in_the_store(model):
    tw.append_tasks(model.history, model.tasks, rows(("a-1", "w", 1, 0.0, 1.0)), 1)
    record = dict(model.tasks.records[0], key="b-1", start=3.0, stop=4.0)
    model.tasks.records = [record]
    assert keys(model.tasks.records) == ["b-1"] and model.tasks.generation == 2
    assert keys(model.snapshot()["tasks"]) == ["a-1", "b-1"]


# -- the stream's window -----------------------------------------------------------------


def stream(model, every=0.0):
    progress = ProgressModel(colors={"a": "#111111", "b": "#222222"})
    out = TaskWindowModel()
    tw.StreamWindow(model.tasks, progress, out, every)
    return out


def test_live_window_appends_only_new_segments(model):
    out = stream(model)
    tw.append_tasks(
        model.history,
        model.tasks,
        rows(("a-1", "w1", 1, 10.0, 11.0), ("a-2", "w2", 1, 10.5, 12.0)),
        12,
    )
    epoch = out.epoch
    assert (
        out.incremental
        and drawn(out.segments)["x0"] == [0.0, 0.5]
        and drawn(out.segments)["row"] == [0, 1]
    )
    assert out.rows == 2 and out.span == (0.0, 2.0) and out.total == 2
    tw.append_tasks(model.history, model.tasks, rows(("b-1", "w1", 2, 12.0, 13.0, 2)), 14)
    assert out.epoch == epoch and out.total == 3  # appended, not replaced
    assert drawn(out.segments)["label"][-1] == "transfer: b-1 | w1 | 1.00 s"
    assert drawn(out.segments)["row"] == [0, 1, 2] and out.span == (0.0, 4.0)


def test_live_span_covers_records_that_arrived_out_of_time_order(model):
    out = stream(model)
    # Drained after one that started later: the span reaches back to it all the same.
    tw.append_tasks(
        model.history,
        model.tasks,
        rows(("a-1", "w", 1, 12.0, 13.0), ("a-2", "w", 2, 10.0, 11.0)),
        13.5,
    )
    t = model.tasks
    lo, hi = out.span
    assert (t.origin + lo, t.origin + hi) == (10.0, 13.5)
    t.window = (t.origin + lo, t.origin + hi)  # what "Fixed window" freezes
    t.mode = "fixed"
    assert out.segments["tasks"] == 2


def test_live_window_keeps_length_segments(model):
    model.tasks.length = 4
    out = stream(model)
    for batch in range(5):
        tw.append_tasks(
            model.history,
            model.tasks,
            rows(*((f"a-{batch}-{i}", "w", 1, batch, batch + 0.5) for i in range(3))),
            batch + 1,
        )
    assert out.total == 15 and len(drawn(out.segments)["x0"]) == 4
    assert drawn(out.segments)["label"][0].startswith("a-3-2 ")


def test_live_window_redraws_whole_on_a_new_generation(model):
    out = stream(model)
    tw.append_tasks(model.history, model.tasks, rows(("a-1", "w", 1, 0.0, 1.0)), 1)
    epoch = out.epoch
    tw.append_tasks(model.history, model.tasks, rows(("b-1", "w", 2, 100.0, 101.0)), 101)
    assert out.epoch == epoch + 1 and drawn(out.segments)["label"] == ["b-1 | w | 1.00 s"]
    assert drawn(out.segments)["x0"] == [0.0] and out.rows == 1


def test_fixed_window_reads_the_whole_store(model):
    out = stream(model)
    t = model.tasks
    tw.append_tasks(model.history, t, rows(("a-1", "w", 1, 0.0, 1.0)), 1)
    tw.append_tasks(model.history, t, rows(("b-1", "w", 2, 100.0, 101.0)), 101)
    t.window = (-1.0, 101.0)
    t.mode = "fixed"
    assert not out.incremental and out.segments["tasks"] == 2
    assert out.span == (-101.0, 1.0)  # relative to the live generation's origin
    # Row order: the generation's thread first, then the other, by store id.
    assert out.rows == 2 and drawn(out.segments)["row"] == [0, 1]
    t.mode = "live"
    assert out.incremental and out.segments["tasks"] == 1


def test_an_inactive_window_computes_nothing_then_catches_up(model):
    out = stream(model)
    out.active = False
    revision = out.revision
    tw.append_tasks(model.history, model.tasks, rows(("a-1", "w", 1, 0.0, 1.0)), 1)
    model.tasks.window = (0.0, 5.0)
    model.tasks.mode = "fixed"
    assert out.revision == revision
    out.active = True
    assert out.revision > revision and out.segments["tasks"] == 1 and not out.incremental


# -- the Tasks page and a worker's window ------------------------------------------------


def test_history_window_follows_then_keeps_a_chosen_window(model):
    out = TaskWindowModel()
    tw.HistoryWindow(model.history, ProgressModel(), out, every=0.0)
    assert out.segments["tasks"] == 0 and out.rows == 0
    model.history.history.append_columns(columns(10))
    model.history.revision += 1
    lo, hi = model.history.history.span()
    assert out.origin == lo and out.segments["tasks"] == 10
    assert hi - lo < 1.0 and out.span == (0.0, 1.0)  # at least a second across
    assert out.rows == 8 and out.retained == 10
    with out.hold_trait_notifications():
        out.follow = False
        out.window = (lo, lo + 0.001)
    assert out.segments["tasks"] < 10 and out.span == (0.0, pytest.approx(0.001))
    model.history.history.append_columns(columns(5, start=lo + 100, seed=1))
    model.history.revision += 1
    assert out.span == (0.0, pytest.approx(0.001)) and out.segments["tasks"] < 10
    out.follow = True
    assert out.segments["tasks"] == 15 and out.origin == lo and out.span[1] > 100


def test_worker_window_shows_the_selected_worker_only(model):
    workers = WorkersModel()
    out = TaskWindowModel()
    tw.WorkerWindow(model.history, workers, ProgressModel(), out, span=5.0, every=0.0)
    tw.append_tasks(
        model.history,
        model.tasks,
        rows(("a-1", "w1", 1, 0.0, 1.0), ("a-2", "w2", 1, 0.0, 2.0), ("a-3", "w1", 2, 1.0, 9.0)),
        9,
    )
    assert out.segments["tasks"] == 0
    workers.selected = "w1"
    assert out.segments["tasks"] == 1 and out.rows == 2 and out.span == (-5.0, 0.0)
    assert drawn(out.segments)["row"] == [1] and drawn(out.segments)["x0"] == [-8.0]


def test_live_stream_takes_in_records_at_least_as_often_as_the_default_poll():
    # Its intake at 0.5 s showed a task up to 0.7 s after it stopped (bench item
    # 5b, session 16): the stream must hold nothing back longer than a poll does.
    assert DEFAULT_OPTIONS.interval >= tw.STREAM_EVERY
