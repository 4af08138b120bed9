"""Unit tests for :mod:`jupyter_dashmon.aggregate.transforms`, hand-written data only."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jupyter_dashmon.aggregate import transforms as tf
from jupyter_dashmon.aggregate.colors import ERRED, OTHER_ACTION, PROCESSING, RELEASED_OPACITY
from jupyter_dashmon.collect.messages import PrefixCounts


def counts(total, done=0, memory=0, erred=0, processing=0, nbytes=0, **extra):
    c = {
        "total": total,
        "done": done,
        "memory": memory,
        "released": 0,
        "erred": erred,
        "processing": processing,
        "waiting": 0,
        "queued": 0,
        "no_worker": 0,
        "nbytes": nbytes,
    }
    c.update(extra)
    return c


# -- progress ----------------------------------------------------------------


def test_progress_totals_sums_every_field():
    progress = {
        "inc": counts(
            10, done=4, memory=3, erred=1, processing=2, waiting=1, queued=2, no_worker=1
        ),
        "add": counts(5, done=5, memory=5, nbytes=100, released=2),
    }
    totals = tf.progress_totals(progress)
    assert totals == {
        "total": 15,
        "waiting": 1,
        "queued": 2,
        "processing": 2,
        "memory": 8,
        "no_worker": 1,
        "erred": 1,
        "done": 9,
        "released": 2,
        "nbytes": 100,
    }
    assert list(totals)[: len(tf.TOTAL_FIELDS)] == list(tf.TOTAL_FIELDS)
    assert set(totals) == set(PrefixCounts.__annotations__)


def test_progress_totals_empty_and_missing_fields():
    assert set(tf.progress_totals({}).values()) == {0}
    assert tf.progress_totals({"x": {"total": 3}})["total"] == 3


def test_moved_totals_visits_only_changed_prefixes():
    before = {"inc": counts(10, done=2), "add": counts(5, done=5, nbytes=64)}
    after = {"inc": counts(10, done=7, memory=1), "add": before["add"], "new": counts(3)}
    totals = tf.moved_totals(tf.progress_totals(before), before, after, ["inc", "new"])
    assert totals == tf.progress_totals(after)
    # a prefix not named as changed is not looked at: its counts stay as they were
    stale = tf.moved_totals(tf.progress_totals(before), before, after, ["new"])
    assert stale["done"] == 7 and stale["total"] == 18


def test_moved_totals_removed_prefix_and_empty_start():
    before = {"inc": counts(10, done=2), "gone": counts(4, done=4)}
    after = {"inc": before["inc"]}
    assert tf.moved_totals(tf.progress_totals(before), before, after, ["gone"]) == (
        tf.progress_totals(after)
    )
    assert tf.moved_totals({}, {}, after, ["inc"]) == tf.progress_totals(after)
    # prefixes held without totals (filled by hand): summed afresh, not from zero
    assert tf.moved_totals({}, before, after, ["gone"]) == tf.progress_totals(after)


def test_moved_totals_subtracts_prefixes_the_limit_dropped():
    held = {"small": counts(1), "big": counts(100), "mid": counts(10)}
    changed = {"huge": counts(1000)}
    merged = tf.merge_progress(held, changed, limit=3)  # drops "small", not in changed
    totals = tf.moved_totals(tf.progress_totals(held), held, merged, changed)
    assert totals == tf.progress_totals(merged)
    assert totals["total"] == 1110


def test_state_counts_from_totals():
    totals = tf.progress_totals(
        {
            "inc": counts(10, waiting=2, queued=3, processing=4, memory=1),
            "add": counts(8, erred=1, no_worker=2, released=5),
        }
    )
    assert tf.state_counts(totals) == {
        "released": 5,
        "waiting": 2,
        "queued": 3,
        "no_worker": 2,
        "processing": 4,
        "memory": 1,
        "erred": 1,
    }
    assert list(tf.state_counts({})) == list(tf.STATES)


def test_merge_progress_updates_adds_and_drops_empty():
    held = {"inc": counts(10, done=1), "old": counts(2, done=2), "kept": counts(1)}
    changed = {
        "inc": counts(10, done=5),
        "new": counts(3),
        "old": counts(0),  # no tasks, no bytes: dropped
        "ghost": counts(0),  # never held, empty: not added
        "bytes_only": counts(0, nbytes=64),  # forgotten tasks but bytes still held
    }
    merged = tf.merge_progress(held, changed, limit=100)
    assert set(merged) == {"inc", "kept", "new", "bytes_only"}
    assert merged["inc"]["done"] == 5
    assert held["inc"]["done"] == 1  # input untouched
    assert "old" in held


def test_merge_progress_limit_keeps_largest():
    held = {"small": counts(1), "big": counts(100), "mid": counts(10)}
    merged = tf.merge_progress(held, {"huge": counts(1000), "tiny": counts(2)}, limit=2)
    assert set(merged) == {"huge", "big"}
    merged = tf.merge_progress(held, {}, limit=3)
    assert set(merged) == {"small", "big", "mid"}


def test_progress_bars_order_fractions_and_hidden():
    progress = {
        "b": counts(10, done=6, memory=2, erred=1, processing=2),
        "a": counts(10, done=0),
        "big": counts(100, done=100, memory=0),
        "empty": counts(0, nbytes=5),
        "c": counts(4, done=4, memory=4),
    }
    bars, hidden = tf.progress_bars(progress, max_bars=10)
    # Unfinished first, then finished holding results, then finished holding
    # nothing (quiet); largest total first within each; ties by name;
    # prefixes without tasks never shown.
    assert [b["prefix"] for b in bars] == ["a", "b", "c", "big"]
    assert [b["quiet"] for b in bars] == [False, False, False, True]
    assert hidden == 0
    b = bars[1]
    assert (b["total"], b["done"]) == (10, 6)
    assert b["released"] == pytest.approx(0.4)
    assert b["memory"] == pytest.approx(0.6)
    assert b["erred"] == pytest.approx(0.7)
    assert b["processing"] == pytest.approx(0.9)
    assert bars[3]["released"] == pytest.approx(1.0) and bars[3]["processing"] == pytest.approx(1.0)
    assert bars[0]["processing"] == 0.0
    assert bars[2]["released"] == 0.0 and bars[2]["memory"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "c, group",
    [
        (counts(10, done=10), 2),  # finished, released or forgotten
        (counts(10, done=9, erred=1), 2),  # finished, one failed
        (counts(10, done=10, memory=3), 1),  # finished, holds results
        (counts(10, done=9), 0),  # one task still to run
        (counts(10, done=10, waiting=1), 0),  # a new task arrived
        (counts(10, done=10, queued=1), 0),
        (counts(10, done=10, no_worker=1), 0),
        (counts(10, done=8, processing=2), 0),
    ],
)
def test_bar_group(c, group):
    assert tf.bar_group(c) == group


def test_finished_functions_make_way_for_running_ones():
    # Twelve finished functions with large totals and two small running ones:
    # with room for five bars, the running ones are on top and shown.
    progress = {f"done{i:02d}": counts(1000 + i, done=1000 + i) for i in range(12)}
    progress["held"] = counts(5, done=5, memory=5)
    progress["run"] = counts(3, done=1, processing=2)
    progress["wait"] = counts(2, waiting=2)
    bars, hidden = tf.progress_bars(progress, max_bars=5)
    assert [b["prefix"] for b in bars] == ["run", "wait", "held", "done11", "done10"]
    assert [b["quiet"] for b in bars] == [False, False, False, True, True]
    assert hidden == 10


def test_more_tooltip_names_what_was_left_out():
    progress = {f"p{i:02d}": counts(100 - i, done=1) for i in range(20)}
    bars, hidden = tf.progress_bars(progress, max_bars=5)
    assert hidden == 15
    text = tf.more_tooltip(progress, bars, most=3)
    assert text.splitlines() == ["p05: 1 / 95", "p06: 1 / 94", "p07: 1 / 93", "and 12 more"]
    bars, hidden = tf.progress_bars(progress, max_bars=18)
    assert hidden == 2
    assert tf.more_tooltip(progress, bars).splitlines() == ["p18: 1 / 82", "p19: 1 / 81"]


def test_short_name_keeps_short_names_whole():
    assert tf.short_name("mean_combine-partial") == "mean_combine-partial"
    assert tf.short_name("x" * 20) == "x" * 20
    cut = tf.short_name("finalize-hlgfinalizecompute")
    assert cut == "finalize-hlgfinaliz\u2026" and len(cut) == 20


def test_bar_tooltip_has_every_count():
    c = counts(1200, done=900, memory=300, erred=7, processing=4, waiting=5, queued=6, no_worker=8)
    c["released"] = 600
    text = tf.bar_tooltip("inc", c)
    assert text.splitlines() == [
        "inc: 900 of 1,200 done",
        "in memory 300 \u00b7 released 600 \u00b7 erred 7",
        "processing 4 \u00b7 waiting 5 \u00b7 queued 6 \u00b7 no-worker 8",
    ]


def test_progress_bars_max_bars_and_hidden_count():
    progress = {f"p{i:02d}": counts(100 - i) for i in range(30)}
    progress["zero"] = counts(0, nbytes=1)
    bars, hidden = tf.progress_bars(progress, max_bars=25)
    assert len(bars) == 25
    assert hidden == 5
    assert [b["prefix"] for b in bars] == [f"p{i:02d}" for i in range(25)]


def test_progress_bars_fractions_clamped_to_one():
    # Inconsistent counts (a snapshot taken mid-transition) never overflow the bar.
    (bar,), _ = tf.progress_bars({"x": counts(2, done=3, memory=1, erred=2, processing=2)}, 5)
    assert all(0.0 <= bar[f] <= 1.0 for f in ("released", "memory", "erred", "processing"))


def test_bar_segments_shades_colours_and_skips_empty():
    bars = [
        {
            "prefix": "inc",
            "total": 10,
            "done": 6,
            "released": 0.4,
            "memory": 0.6,
            "erred": 0.7,
            "processing": 0.9,
        },
        {
            "prefix": "add",
            "total": 5,
            "done": 0,
            "released": 0.0,
            "memory": 0.0,
            "erred": 0.0,
            "processing": 0.4,
        },
        {
            "prefix": "unknown",
            "total": 1,
            "done": 1,
            "released": 0.0,
            "memory": 1.0,
            "erred": 1.0,
            "processing": 1.0,
        },
    ]
    segments = tf.bar_segments(bars, {"inc": "#111111", "add": "#222222"})
    # Released: the function's colour, a tint on the page; every other shade
    # opaque, processing grey included (it no longer fades into the track).
    assert segments == [
        (0.0, 0.4, 0, "#111111", RELEASED_OPACITY),
        (0.4, 0.6, 0, "#111111", 1.0),
        (0.6, 0.7, 0, ERRED, 1.0),
        (0.7, 0.9, 0, PROCESSING, 1.0),
        (0.0, 0.4, 1, PROCESSING, 1.0),
        (0.0, 1.0, 2, OTHER_ACTION, 1.0),
    ]
    assert tf.bar_segments([], {}) == []
    # A quiet bar: every shade faint, the released one fainter still.
    quiet = {**bars[0], "quiet": True}
    faint = tf.bar_segments([quiet], {"inc": "#111111"})
    assert [s[4] for s in faint] == pytest.approx(
        [RELEASED_OPACITY * tf.QUIET_OPACITY] + [tf.QUIET_OPACITY] * 3
    )


# -- memory and formatting ----------------------------------------------------


def test_memory_bars_sorted_and_zeros_left_out():
    progress = {
        "zeta": counts(1, nbytes=5),
        "alpha": counts(1, nbytes=7.0),
        "none": counts(3, nbytes=0),
        "mid": counts(0, nbytes=1),
    }
    memory, hidden, total = tf.memory_bars(progress, most=25)
    assert memory == {"alpha": 7, "mid": 1, "zeta": 5}
    assert list(memory) == ["alpha", "mid", "zeta"]
    assert all(type(v) is int for v in memory.values())
    assert (hidden, total) == (0, 13)


def test_memory_bars_keep_the_largest_and_count_the_rest():
    progress = {f"p{i:02d}": counts(1, nbytes=1000 + i) for i in range(30)}
    progress["tie"] = counts(1, nbytes=1025)  # ties with p25: names decide
    memory, hidden, total = tf.memory_bars(progress, most=5)
    assert list(memory) == ["p25", "p26", "p27", "p28", "p29"]
    assert hidden == 26 and total == sum(1000 + i for i in range(30)) + 1025
    assert tf.memory_bars({}, most=5) == ({}, 0, 0)


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0 B"),
        (921, "921 B"),
        (922, "0.90 KiB"),
        (2048, "2.00 KiB"),
        (1.5 * 2**20, "1.50 MiB"),
        (3 * 2**30, "3.00 GiB"),
        (2 * 2**40, "2.00 TiB"),
        (5 * 2**50, "5.00 PiB"),
        (-2048, "-2.00 KiB"),
    ],
)
def test_format_bytes(n, text):
    assert tf.format_bytes(n) == text


@pytest.mark.parametrize(
    "s, text",
    [
        (0.0, "0 us"),
        (12.3e-6, "12 us"),
        (0.0123, "12.3 ms"),
        (0.999, "999.0 ms"),
        (1.0, "1.00 s"),
        (4.56, "4.56 s"),
        (125.0, "125.00 s"),
    ],
)
def test_format_seconds(s, text):
    assert tf.format_seconds(s) == text


T0 = 1_700_000_000.0


def test_cost_rate():
    times, pct = tf.cost_rate([T0, T0 + 10.0], [2.0, 2.5])
    assert times == [T0 + 10.0] and pct == pytest.approx([5.0])
    # equal times are skipped, a reset counts as zero, not negative
    times, pct = tf.cost_rate([0.0, 0.0, 4.0, 8.0], [0.0, 1.0, 2.0, 0.5])
    assert times == [4.0, 8.0] and pct == pytest.approx([25.0, 0.0])
    assert tf.cost_rate([T0], [1.0]) == ([], [])
    # columns of different lengths: the latest samples of each are paired
    assert tf.cost_rate([T0, T0 + 10.0, T0 + 20.0], [1.0, 2.0]) == (
        [T0 + 20.0],
        pytest.approx([10.0]),
    )
    assert tf.cost_rate([T0, T0 + 1.0], []) == ([], [])


def test_append_bounded():
    assert tf.append_bounded([1, 2, 3], [4, 5], 4) == [2, 3, 4, 5]
    assert tf.append_bounded([], [1, 2, 3], 2) == [2, 3]
    assert tf.append_bounded([1], [2], 10) == [1, 2]
    held = [1, 2]
    out = tf.append_bounded(held, [], 5)
    assert out == [1, 2] and out is not held


def test_append_bounded_bounds_even_when_nothing_new():
    assert tf.append_bounded([1, 2, 3], [], 2) == [2, 3]


def test_format_durations_reads_each_value_as_format_seconds():
    seconds = [0.0, 4e-4, 1e-3, 0.0123, 0.5, 0.99999, 1.0, 2.5, 3600.0, math.nan, math.inf, -1.0]
    assert tf.format_durations(np.array(seconds)) == [tf.format_seconds(s) for s in seconds]
    assert tf.format_durations(np.array([])) == []
