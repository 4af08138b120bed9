"""Fine performance metrics by activity, from hand-written metric rows."""

from __future__ import annotations

import pytest

from jupyter_dashmon.aggregate.fine_metrics import (
    activity_name,
    bandwidth_pairs,
    by_activity,
    functions_of,
)

ROWS = [
    ["execute", "inc", "thread-cpu", "seconds", 2.0],
    ["execute", "inc", "memory-read", "bytes", 100.0],
    ["execute", "inc", "memory-read", "count", 3.0],
    ["execute", "add", "thread-cpu", "seconds", 1.0],
    ["execute", "add", "disk-read", "seconds", 0.5],
    ["execute", "add", "disk-read", "bytes", 4096.0],
    ["gather-dep", "", "network", "seconds", 0.25],
    ["get-data", "", "serialize", "seconds", 0.125],
    ["spill", "", "thing", "seconds", 0.0625],
]


def test_names():
    assert activity_name("gather-dep", "network") == "transfer"
    assert activity_name("execute", "thread-cpu") == "compute (CPU)"
    assert activity_name("spill", "thing") == "spill thing"
    assert functions_of(ROWS) == ["add", "inc"]


def test_all_work():
    s = by_activity(ROWS)
    assert s["seconds"] == pytest.approx(
        {
            "compute (CPU)": 3.0,
            "disk read": 0.5,
            "transfer": 0.25,
            "send serialize": 0.125,
            "spill thing": 0.0625,
        }
    )
    assert list(s["seconds"]) == [
        "compute (CPU)",
        "disk read",
        "transfer",
        "send serialize",
        "spill thing",
    ]
    assert s["bytes"] == {"disk read": 4096.0, "memory read": 100.0}  # counts are left out


def test_one_function():
    s = by_activity(ROWS, "add")
    assert s["seconds"] == {"compute (CPU)": 1.0, "disk read": 0.5}
    assert s["bytes"] == {"disk read": 4096.0}
    assert by_activity(ROWS, "nothing") == {"seconds": {}, "bytes": {}}


def test_bandwidth_pairs_by_name_fastest_first():
    pairs = bandwidth_pairs(
        [["tcp://a", "tcp://b", 1.0], ["tcp://b", "tcp://c", 3.0]],
        {"tcp://a": "w0", "tcp://b": "w1"},
    )
    assert pairs == [["w1", "tcp://c", 3.0], ["w0", "w1", 1.0]]


def test_compute_time_and_memory_by_function():
    from jupyter_dashmon.aggregate.fine_metrics import compute_by_function, memory_shares

    rows = ROWS + [["execute", "inc", "executor", "seconds", 0.5]]
    # Disk reads and transfers are not compute; the executor's overhead is.
    assert compute_by_function(rows) == {"inc": 2.5, "add": 1.0}
    assert memory_shares({"a": {"nbytes": 300}, "b": {"nbytes": 100}, "c": {"nbytes": 0}}) == {
        "a": 0.75,
        "b": 0.25,
    }
    assert memory_shares({"a": {"nbytes": 0}}) == {}


def test_run_choices_label_cells_by_first_line_and_blocks_by_name():
    from jupyter_dashmon.aggregate.work import run_choices

    rows = [
        {"run": "k/2", "name": "In [7]", "code": "for x in xs:"},
        {"run": "k/1", "name": "load", "code": ""},
        {"run": "k/0", "name": "In [1]", "code": "y" * 200},
    ]
    choices = run_choices(rows, most=10)
    assert choices[:2] == [("In [7]: for x in xs:", "k/2"), ("load", "k/1")]
    assert len(choices[2][0]) == 80
    assert run_choices(rows, most=1) == [("In [7]: for x in xs:", "k/2")]
