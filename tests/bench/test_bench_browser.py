"""The pure parts of the browser benchmark.

Matching stops to page times, metric deltas, summaries.
"""

from __future__ import annotations

import math

import pytest

from bench import browser
from bench.report import Row


def test_each_record_is_matched_to_the_first_mark_that_counts_it():
    stops = [10.0, 10.5, 11.0]
    marks = [(10_020.0, 0), (10_100.0, 1), (10_700.0, 3)]  # ms; record 1 and 2 arrive together
    lat = browser.match_stops(stops, marks)
    assert lat == pytest.approx([0.1, 0.2, -0.3])


def test_marks_out_of_order_and_records_never_shown():
    stops = [1.0, 2.0, 3.0]
    marks = [(2_500.0, 2), (1_200.0, 1)]
    lat = browser.match_stops(stops, marks)
    assert lat[:2] == pytest.approx([0.2, 0.5])
    assert lat[2] is None
    assert browser.match_stops([], marks) == []
    assert browser.match_stops([1.0], []) == [None]


def test_a_count_that_drops_does_not_unshow_earlier_records():
    # A later restart (count back to 1) must not be taken as the first showing of record 0.
    lat = browser.match_stops([1.0, 2.0], [(1_100.0, 1), (2_300.0, 2), (9_000.0, 1)])
    assert lat == pytest.approx([0.1, 0.3])


def test_metric_delta_sums_the_named_durations_in_ms():
    before = browser.metrics_dict(
        {
            "metrics": [
                {"name": "ScriptDuration", "value": 1.0},
                {"name": "LayoutDuration", "value": 0.5},
                {"name": "RecalcStyleDuration", "value": 0.25},
                {"name": "Nodes", "value": 10},
            ]
        }
    )
    after = dict(
        before, ScriptDuration=1.010, LayoutDuration=0.503, RecalcStyleDuration=0.251, Nodes=99
    )
    assert browser.metric_delta(before, after) == pytest.approx(14.0)
    assert browser.metric_delta(before, after, ("LayoutDuration",)) == pytest.approx(3.0)
    assert browser.metric_delta({}, {}) == 0


def test_summary_ignores_missing_values_and_uses_the_shared_percentiles():
    med, p95 = browser.summary([None, 1.0, 2.0, 3.0, float("nan"), 4.0])  # type: ignore[list-item]
    assert med == 2.5
    assert p95 == pytest.approx(3.85)
    assert all(math.isnan(x) for x in browser.summary([]))


def test_rows_carry_targets_and_verdicts():
    m = {
        "latency": [0.05, 0.1, None],
        "trickle": 3,
        "interval": 0.1,
        "update_work_ms": [100.0, 120.0, 300.0],
        "update_wall_ms": [5.0, 6.0, 7.0],
        "live_work_ms": [10.0, 12.0, 30.0],
        "live_wall_ms": [3.0, 4.0, 5.0],
        "update_parts_ms": {"ScriptDuration": 9.0},
        "idle_work_ms_per_s": [0.0, 1.0],
        "render_ms": [400.0, 600.0],
        "pan_frames_ms": [16.7] * 10,
    }
    rows = browser.rows(m)
    assert all(isinstance(r, Row) for r in rows)
    by = {(r.item, r.name): r for r in rows}
    p95 = next(r for r in rows if r.item == "5b" and r.name.endswith("p95"))
    assert p95.met is True and p95.value == pytest.approx(97.5)
    work = next(r for r in rows if r.item == "7a" and "live update" in r.name)
    assert work.value == 12.0 and work.met is True
    full = next(r for r in rows if r.item == "7a" and "full redraw" in r.name)
    assert full.value == 120.0 and full.met is None
    render = next(r for r in rows if r.item == "7b" and "click" in r.name)
    assert render.value == pytest.approx(0.5) and render.met is True
    assert len(by) == len(rows)
