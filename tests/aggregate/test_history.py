"""TaskHistory and pixel aggregation, on synthetic records (no cluster)."""

from __future__ import annotations

import pytest
from synthetic import columns

from jupyter_dashmon.aggregate.colors import ERRED, TRANSFER
from jupyter_dashmon.aggregate.history import TaskHistory, aggregate_window, thread_rows


def test_append_and_records_round_trip():
    h = TaskHistory(10)
    cols = columns(4)
    assert h.append(cols) == 4
    records = h.records()
    assert [r["key"] for r in records] == cols["key"]
    assert records[0] == {
        "key": cols["key"][0],
        "prefix": "inc",
        "worker": "tcp://127.0.0.1:9000",
        "thread": 100,
        "start": cols["start"][0],
        "stop": cols["stop"][0],
        "action": "compute",
        "status": "OK",
    }


def test_ring_keeps_the_newest_and_counts_all():
    h = TaskHistory(100)
    cols = columns(250)
    for i in range(0, 250, 30):
        h.append({k: v[i : i + 30] for k, v in cols.items()})
    assert len(h) == 100 and h.count == 250
    assert [r["key"] for r in h.records()] == cols["key"][-100:]
    assert [r["key"] for r in h.records(last=3)] == cols["key"][-3:]


def test_one_append_larger_than_the_capacity():
    h = TaskHistory(10)
    cols = columns(25)
    h.append(cols)
    assert h.count == 25 and [r["key"] for r in h.records()] == cols["key"][-10:]


def test_bad_times_are_dropped_and_reversed_ones_fixed():
    h = TaskHistory(10)
    cols = columns(3)
    cols["start"][0] = float("nan")
    cols["stop"][1] = float("inf")
    cols["start"][2], cols["stop"][2] = 5.0, 4.0
    assert h.append(cols) == 1
    (r,) = h.records()
    assert (r["start"], r["stop"]) == (4.0, 5.0)


def test_memory_is_bounded_by_capacity():
    h = TaskHistory(1000)
    cols = columns(1000)
    h.append(cols)
    before = h.nbytes()
    for _ in range(5):
        h.append(cols)
    assert h.nbytes() == before and len(h) == 1000 and h.count == 6000


def test_exact_segments_when_few_tasks_are_visible():
    h = TaskHistory(100)
    cols = columns(10, threads=2)
    cols["code"][1] = 3  # transfer
    cols["code"][2] = 1  # erred compute
    h.append(cols)
    lo, hi = h.span()
    segs = aggregate_window(h, {"inc": "#111111", "dec": "#222222", "add": "#333333"}, lo, hi)
    assert not segs["aggregated"] and segs["tasks"] == 10 and len(segs["x0"]) == 10
    assert (
        segs["color"][0] == "#111111" and segs["color"][1] == TRANSFER and segs["color"][2] == ERRED
    )
    assert segs["x0"][0] == pytest.approx(0.0)
    assert all(a < b for a, b in zip(segs["x0"], segs["x1"]))
    assert cols["key"][0] in segs["label"][0] and "erred" in segs["label"][2]
    assert set(segs["row"]) == {0, 1}


def test_100_000_tasks_aggregate_to_few_segments():
    h = TaskHistory(100_000)
    h.append(columns(100_000))
    lo, hi = h.span()
    segs = aggregate_window(h, {}, lo, hi, pixels=1000)
    assert segs["aggregated"] and segs["tasks"] == 100_000
    assert 0 < len(segs["x0"]) <= 8000
    # Every task is counted once, in the run where it starts, even if painted over.
    counted = sum(int(label.split(" ", 1)[0].replace(",", "")) for label in segs["label"])
    assert counted == 100_000
    assert max(segs["x1"]) <= hi - lo + 1e-9 and min(segs["x0"]) >= 0
    assert set(segs["row"]) <= set(range(8))


def test_zooming_in_gives_individual_tasks():
    h = TaskHistory(100_000)
    h.append(columns(100_000))
    lo, _ = h.span()
    segs = aggregate_window(h, {}, lo, lo + 0.05)
    assert not segs["aggregated"] and 0 < segs["tasks"] < 200
    assert all("thread" in label for label in segs["label"])


def test_empty_window_and_empty_history():
    assert aggregate_window(TaskHistory(5), {}, 0, 1)["x0"] == []
    h = TaskHistory(5)
    h.append(columns(3))
    assert aggregate_window(h, {}, 0, 1)["tasks"] == 0
    assert aggregate_window(h, {}, 2000, 1999)["x0"] == []


def test_thread_rows_are_sorted_by_worker_then_thread():
    h = TaskHistory(10)
    cols = columns(4, threads=4)
    h.append(cols)
    rows = thread_rows(h)
    assert list(rows) == sorted(rows) and sorted(rows.values()) == list(range(4))
