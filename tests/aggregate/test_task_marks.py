"""Unit tests for :mod:`jupyter_dashmon.aggregate.task_marks`: codes, colours,
labels, rows and segments, on hand-written and synthetic records (no cluster)."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic import columns

from jupyter_dashmon.aggregate import segments as sg
from jupyter_dashmon.aggregate import task_marks as tm
from jupyter_dashmon.aggregate.colors import DISK, ERRED, OTHER_ACTION, TRANSFER
from jupyter_dashmon.aggregate.history import TaskHistory
from jupyter_dashmon.collect.messages import ACTIONS

# -- codes ---------------------------------------------------------------------------


def test_every_known_code_decodes_and_encodes_back():
    for index, action in enumerate(ACTIONS):
        for erred, status in ((0, "OK"), (1, "error")):
            code = 2 * index + erred
            assert (tm.action_of(code), tm.status_of(code)) == (action, status)
            assert tm.code_of(action, status) == code


@pytest.mark.parametrize("code", [2 * len(ACTIONS), 2 * len(ACTIONS) + 1, 255])
def test_unknown_code_is_other(code):
    assert tm.action_of(code) == "other"
    assert tm.status_of(code) == ("error" if code % 2 else "OK")


def test_unknown_action_encodes_as_other():
    assert tm.action_of(tm.code_of("teleport", "OK")) == "other"


# -- colour -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, status, expected",
    [
        ("compute", "OK", "#123456"),
        ("transfer", "OK", TRANSFER),
        ("transfer", "error", TRANSFER),
        ("compute", "error", ERRED),
        ("disk-read", "OK", DISK),
        ("disk-write", "OK", DISK),
        ("deserialize", "OK", OTHER_ACTION),
        ("other", "OK", OTHER_ACTION),
        ("disk-read", "error", ERRED),
    ],
)
def test_color_of(action, status, expected):
    assert tm.color_of(tm.code_of(action, status), "#123456") == expected


# -- labels -------------------------------------------------------------------------


def test_label_of_compute():
    label = tm.label_of("inc-abc", tm.code_of("compute", "OK"), "tcp://10.0.0.1:1234", 0.0123)
    assert label == "inc-abc | tcp://10.0.0.1:1234 | 12.3 ms"


def test_label_of_other_actions_and_errors():
    assert tm.label_of("x-1", tm.code_of("transfer", "OK"), "tcp://w", 2.5) == (
        "transfer: x-1 | tcp://w | 2.50 s"
    )
    assert tm.label_of("x-1", tm.code_of("compute", "error"), "tcp://w", 2.5) == (
        "x-1 | tcp://w | 2.50 s | erred"
    )


def test_label_keeps_markup_as_text():
    evil = "<img src=x onerror=alert(1)>"
    assert tm.label_of(evil, 0, "tcp://w", 1.0).startswith(evil + " | ")


def test_columns_colour_and_label_every_record_as_one_record_is():
    codes = np.arange(256, dtype=np.uint8)
    h = TaskHistory(256)
    h.append_columns(
        {
            "key": [f"k-{i}" for i in range(256)],
            "prefix": [f"p{i % 7}" for i in range(256)],
            "worker": [f"tcp://w{i % 3}" for i in range(256)],
            "thread": [1] * 256,
            "start": [float(i) for i in range(256)],
            "stop": [i + 0.25 for i in range(256)],
            "code": codes.tolist(),
        }
    )
    colors = {f"p{i}": f"#{i:06x}" for i in range(7)}
    segs = sg.drawn(sg.task_segments(h, h.order(), tm.row_map(3, {0, 1, 2}), colors, 0.0))
    assert segs["color"] == [tm.color_of(c, f"#{c % 7:06x}") for c in codes.tolist()]
    assert segs["label"] == [
        tm.label_of(f"k-{c}", c, f"tcp://w{c % 3}", 0.25) for c in codes.tolist()
    ]
    keys = [f"k-{i}" for i in range(256)]
    workers = [f"tcp://w{i % 3}" for i in range(256)]
    seconds = np.linspace(0.0, 3.0, 256)
    assert tm.labels_of(keys, codes, workers, seconds) == [
        tm.label_of(k, c, w, s) for k, c, w, s in zip(keys, codes.tolist(), workers, seconds)
    ]


def test_run_label_counts_tasks():
    assert tm.run_label(1, 0, "inc") == "1 task, mostly inc | zoom in for detail"
    assert tm.run_label(1234, tm.code_of("transfer", "OK"), "inc").startswith(
        "1,234 tasks, mostly transfer (inc)"
    )


# -- rows ---------------------------------------------------------------------------


def test_rows_follow_first_appearance_in_the_store():
    assert tm.row_map(5, {4, 1, 3}).tolist() == [-1, 0, -1, 1, 2]
    assert tm.row_map(0, set()).tolist() == [-1]


# -- segments -----------------------------------------------------------------------


def hand_history() -> TaskHistory:
    h = TaskHistory(10)
    h.append_columns(
        {
            "key": ["inc-1", "add-1", "bad-1", "inc-2"],
            "prefix": ["inc", "add", "bad", "inc"],
            "worker": ["tcp://w2", "tcp://w1", "tcp://w2", "tcp://w1"],
            "thread": [1, 1, 2, 1],
            "start": [100.0, 100.5, 101.0, 102.0],
            "stop": [101.0, 102.0, 101.5, 103.0],
            "code": [0, 2, 1, 0],
        }
    )
    return h


def test_task_segments_one_per_record_relative_to_origin():
    h = hand_history()
    rows = tm.row_map(len(h.threads), {0, 1, 2})
    segs = sg.drawn(
        sg.task_segments(h, h.order(), rows, {"inc": "#111111", "add": "#222222"}, 100.0)
    )
    assert segs["x0"] == [0.0, 0.5, 1.0, 2.0] and segs["x1"] == [1.0, 2.0, 1.5, 3.0]
    assert segs["row"] == [0, 1, 2, 1]
    assert segs["color"] == ["#111111", TRANSFER, ERRED, "#111111"]
    assert segs["label"] == [
        "inc-1 | tcp://w2 | 1.00 s",
        "transfer: add-1 | tcp://w1 | 1.50 s",
        "bad-1 | tcp://w2 | 500.0 ms | erred",
        "inc-2 | tcp://w1 | 1.00 s",
    ]
    assert segs["tasks"] == 4 and not segs["aggregated"]


def window(*args, **kwargs):
    """:func:`~.segments.window_segments` as lists, labels joined."""
    segs, rows = sg.window_segments(*args, **kwargs)
    return sg.drawn(segs), rows


def test_window_rows_given_threads_plus_those_in_view():
    h = hand_history()
    # Only (w1, 1) is given; the window adds (w2, 1) and (w2, 2): store order.
    segs, rows = window(h, {}, 100.0, 101.2, 100.0, threads=[1])
    assert rows == 3 and segs["row"] == [0, 1, 2]
    # Only the given threads: records elsewhere left out.
    segs, rows = window(h, {}, 100.0, 104.0, 100.0, threads=[1], only=True)
    assert rows == 1 and segs["label"][0].startswith("transfer: add-1") and segs["tasks"] == 2


def test_window_times_are_after_the_origin_and_rows_cover_the_store():
    h = hand_history()
    segs, rows = window(h, {}, 101.9, 110.0, 50.0)
    assert rows == 3  # every thread of the store, drawn or not
    assert segs["x0"] == [50.5, 52.0] and segs["row"] == [1, 1]


def test_exact_segments_when_few_tasks_are_visible():
    h = TaskHistory(100)
    cols = columns(10, threads=2)
    cols["code"][1] = 3  # transfer
    cols["code"][2] = 1  # erred compute
    h.append_columns(cols)
    lo, hi = h.span()
    segs, rows = window(h, {"inc": "#111111", "dec": "#222222"}, lo, hi, lo)
    assert not segs["aggregated"] and segs["tasks"] == 10 and len(segs["x0"]) == 10
    assert segs["color"][:3] == ["#111111", TRANSFER, ERRED]
    assert segs["x0"][0] == pytest.approx(0.0)
    assert all(a < b for a, b in zip(segs["x0"], segs["x1"]))
    assert segs["label"][0].startswith(cols["key"][0] + " | ") and "erred" in segs["label"][2]
    assert set(segs["row"]) == {0, 1} and rows == 2


def test_100_000_tasks_aggregate_to_few_segments():
    h = TaskHistory(100_000)
    h.append_columns(columns(100_000))
    lo, hi = h.span()
    segs, rows = window(h, {}, lo, hi, lo, pixels=1000)
    assert segs["aggregated"] and segs["tasks"] == 100_000
    assert 0 < len(segs["x0"]) <= 8000
    # Every task is counted once, in the run where it starts, even if painted over.
    counted = sum(int(label.split(" ", 1)[0].replace(",", "")) for label in segs["label"])
    assert counted == 100_000
    assert max(segs["x1"]) <= hi - lo + 1e-9 and min(segs["x0"]) >= 0
    assert set(segs["row"]) <= set(range(8)) and rows == 8


def test_aggregated_segments_shift_with_the_origin():
    h = TaskHistory(100_000)
    h.append_columns(columns(20_000))
    lo, hi = h.span()
    at_lo, _ = window(h, {}, lo, hi, lo)
    earlier, _ = window(h, {}, lo, hi, lo - 10.0)
    assert at_lo["aggregated"]
    assert np.allclose(np.array(earlier["x0"]) - 10.0, at_lo["x0"])


def test_zooming_in_gives_individual_tasks():
    h = TaskHistory(100_000)
    h.append_columns(columns(100_000))
    lo, _ = h.span()
    segs, _ = window(h, {}, lo, lo + 0.05, lo)
    assert not segs["aggregated"] and 0 < segs["tasks"] < 200
    assert all(label.count(" | ") == 2 for label in segs["label"])


def test_empty_window_and_empty_history():
    assert window(TaskHistory(5), {}, 0, 1, 0)[0]["x0"] == []
    h = TaskHistory(5)
    h.append_columns(columns(3))
    assert window(h, {}, 0, 1, 0)[0]["tasks"] == 0
    assert window(h, {}, 2000, 1999, 0)[0]["x0"] == []


def test_joined_segments_keep_each_ones_colours_and_workers():
    h = hand_history()
    rows = tm.row_map(len(h.threads), {0, 1, 2})
    colors = {"inc": "#111111", "add": "#222222"}
    whole = sg.task_segments(h, h.order(), rows, colors, 100.0)
    first = sg.task_segments(h, h.order()[:2], rows, colors, 100.0)
    rest = sg.task_segments(h, h.order()[2:], rows, colors, 100.0)
    joined = sg.concat_segments(first, rest)
    assert sg.drawn(joined) == sg.drawn(whole)
    # Runs of pixels name no worker: joined after tasks, they still name none.
    runs, _ = sg.window_segments(h, colors, 100.0, 103.0, 100.0, max_exact=0)
    mixed = sg.drawn(sg.concat_segments(whole, runs))
    assert mixed["label"][:4] == sg.drawn(whole)["label"]
    assert mixed["label"][4:] == sg.drawn(runs)["label"] and "zoom in" in mixed["label"][-1]
