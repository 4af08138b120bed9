"""Unit tests for :mod:`jupyter_dashmon.aggregate.runs`, hand-written spans only."""

from __future__ import annotations

from jupyter_dashmon.aggregate.runs import latest_run, runs


def test_runs_split_at_idle_gaps():
    start = [0.0, 1.0, 2.0, 100.0, 101.0, 300.0]
    stop = [1.5, 2.5, 3.0, 102.0, 103.0, 301.0]
    assert runs(start, stop, idle=5.0) == [(0.0, 3.0), (100.0, 103.0), (300.0, 301.0)]
    assert latest_run(start, stop, idle=5.0) == (300.0, 301.0)


def test_a_long_task_keeps_its_run_together():
    # A task running 0..50 covers the gap between the short ones.
    start = [0.0, 1.0, 40.0]
    stop = [50.0, 2.0, 41.0]
    assert runs(start, stop, idle=5.0) == [(0.0, 50.0)]


def test_order_of_records_does_not_matter_and_empty_history():
    assert runs([100.0, 0.0], [101.0, 1.0], idle=5.0) == [(0.0, 1.0), (100.0, 101.0)]
    assert latest_run([], []) == (0.0, 0.0)
