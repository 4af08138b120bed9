"""TaskHistory, the kernel's one task store, on synthetic records (no cluster)."""

from __future__ import annotations

import numpy as np
from synthetic import columns

from jupyter_dashmon.aggregate.history import SMALL_BATCH, TaskHistory


def test_append_and_records_round_trip():
    h = TaskHistory(10)
    cols = columns(4)
    assert h.append_columns(cols) == 4
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
        h.append_columns({k: v[i : i + 30] for k, v in cols.items()})
    assert len(h) == 100 and h.count == 250
    assert [r["key"] for r in h.records()] == cols["key"][-100:]
    assert [r["key"] for r in h.records(last=3)] == cols["key"][-3:]


def test_one_append_larger_than_the_capacity():
    h = TaskHistory(10)
    cols = columns(25)
    h.append_columns(cols)
    assert h.count == 25 and [r["key"] for r in h.records()] == cols["key"][-10:]


def test_bad_times_are_dropped_and_reversed_ones_fixed():
    h = TaskHistory(10)
    cols = columns(3)
    cols["start"][0] = float("nan")
    cols["stop"][1] = float("inf")
    cols["start"][2], cols["stop"][2] = 5.0, 4.0
    assert h.append_columns(cols) == 1
    (r,) = h.records()
    assert (r["start"], r["stop"]) == (4.0, 5.0)


def test_bad_times_dropped_before_the_newest_are_kept():
    # Dropped rows, then more rows than the store holds: the newest valid ones stay.
    h = TaskHistory(3)
    cols = columns(6)
    cols["stop"][4] = float("nan")
    assert h.append_columns(cols) == 3
    assert [r["key"] for r in h.records()] == [cols["key"][i] for i in (2, 3, 5)]
    assert h.count == 5


def test_memory_is_bounded_by_capacity():
    h = TaskHistory(1000)
    cols = columns(1000)
    h.append_columns(cols)
    before = h.nbytes()
    for _ in range(5):
        h.append_columns(cols)
    assert h.nbytes() == before and len(h) == 1000 and h.count == 6000


def test_cursors_give_what_is_new_like_the_collector_ring():
    h = TaskHistory(10)
    cols = columns(6)
    h.append_columns({k: v[:4] for k, v in cols.items()})
    cursor = h.count
    assert len(h.since(cursor)) == 0
    h.append_columns({k: v[4:] for k, v in cols.items()})
    assert [h.keys[i] for i in h.since(cursor)] == cols["key"][4:]
    assert [r["key"] for r in h.records(since=cursor)] == cols["key"][4:]
    # A cursor older than what the ring retains gives what is left.
    h.append_columns(columns(9, seed=1))
    assert h.oldest() == 5 and len(h.since(0)) == 10 and len(h.since(cursor)) == 10


def test_threads_and_prefixes_numbered_by_first_appearance():
    h = TaskHistory(10)
    h.append_columns(
        {
            "key": ["a-1", "b-1", "a-2"],
            "prefix": ["a", "b", "a"],
            "worker": ["tcp://w2", "tcp://w1", "tcp://w2"],
            "thread": [7, 3, 8],
            "start": [0.0, 0.0, 1.0],
            "stop": [1.0, 1.0, 2.0],
            "code": [0, 3, 1],
        }
    )
    assert h.threads == [("tcp://w2", 7), ("tcp://w1", 3), ("tcp://w2", 8)]
    assert h.prefixes == ["a", "b"]
    assert h.thread_id[h.order()].tolist() == [0, 1, 2]
    assert [(r["action"], r["status"]) for r in h.records()] == [
        ("compute", "OK"),
        ("transfer", "error"),
        ("compute", "error"),
    ]


def test_records_round_trip_through_append_records():
    h = TaskHistory(10)
    h.append_columns(columns(5))
    h.records()[2]["action"] = "changed"  # a copy
    again = TaskHistory(10)
    assert again.append_records(h.records()) == 5
    assert again.records() == h.records()


def test_clear_forgets_records_and_threads():
    h = TaskHistory(10)
    h.append_columns(columns(5))
    h.clear()
    assert len(h) == 0 and h.count == 0 and h.threads == [] and h.records() == []


def test_a_run_index_keeps_only_that_runs_records_in_a_window():
    from jupyter_dashmon.aggregate.segments import drawn, window_segments

    h = TaskHistory(100)
    n = 6
    h.append_columns(
        {
            "key": [f"k{i}" for i in range(n)],
            "prefix": ["p"] * n,
            "worker": ["w"] * n,
            "thread": [0] * n,
            "start": [float(i) for i in range(n)],
            "stop": [i + 0.5 for i in range(n)],
            "code": [0] * n,
            "run": [1, 2, 1, 2, 0, 2],
        }
    )
    segs, _ = window_segments(h, {}, 0.0, 10.0, 0.0, run=2)
    assert [label.split(" |")[0] for label in drawn(segs)["label"]] == ["k1", "k3", "k5"]
    segs, _ = window_segments(h, {}, 0.0, 10.0, 0.0)
    assert segs["tasks"] == n
    # Records from before runs existed (no column) belong to none.
    h.append_records(h.records(last=1))
    assert h.run[h.order()[-1]] == 0


def test_thread_pairs_are_numbered_in_order_of_first_appearance():
    # Thread idents are 64-bit and repeat across workers (processes forked alike);
    # the pairs of a batch are numbered as a dict over (worker, thread) would,
    # for a poll's few rows (a dict) and for large batches (numpy) alike.
    rng = np.random.default_rng(7)
    h = TaskHistory(10)
    idents = [7, 12345, 2**40 + 3, 2**47 - 1, 2**62 + 5]
    for _ in range(1000):
        n = int(rng.integers(1, 3 * SMALL_BATCH))
        worker = rng.integers(0, int(rng.choice([4, 5000])), n).astype(np.uint16)
        thread = rng.choice(idents + [int(rng.integers(0, 2**62))], n).astype(np.int64)
        pairs, rank = h._thread_pairs(worker, thread)
        index: dict = {}
        expected = [index.setdefault(p, len(index)) for p in zip(worker.tolist(), thread.tolist())]
        assert pairs == list(index) and rank.tolist() == expected
