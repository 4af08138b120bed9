"""The pure parts of the browser-load benchmark.

Busy share, frame statistics, lag matching, heap growth, medians, budgets
(bench/load_figures.py), and the step selection of `python -m bench`.
"""

from __future__ import annotations

import math

import pytest

from bench import load_figures as bl
from bench.report import Row


def test_busy_share_is_task_time_over_wall_time():
    before = {"TaskDuration": 10.0, "ScriptDuration": 3.0}
    after = {"TaskDuration": 14.5, "ScriptDuration": 4.0}
    assert bl.busy_share(before, after, 10.0) == pytest.approx(0.45)
    assert bl.busy_share({}, {"TaskDuration": 2.0}, 4.0) == pytest.approx(0.5)
    assert math.isnan(bl.busy_share(before, after, 0.0))


def test_frame_stats_counts_frames_in_the_window_and_its_edges_as_gaps():
    # 1 s window; frames every 100 ms from 100 to 600 ms, then nothing until the end.
    frames = [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]
    got = bl.frame_stats(frames, 0.0, 1000.0)
    assert got["frames"] == 6
    assert got["fps"] == pytest.approx(6.0)
    assert got["gaps_ms"] == pytest.approx([400.0, 100.0, 100.0])


def test_frame_stats_ignores_frames_outside_the_window_and_sorts_them():
    got = bl.frame_stats([1500.0, 50.0, 1016.0, 1033.0, 2100.0], 1000.0, 2000.0)
    assert got["frames"] == 3
    assert got["fps"] == pytest.approx(3.0)
    assert got["gaps_ms"] == pytest.approx([500.0, 467.0, 17.0])
    nothing = bl.frame_stats([], 0.0, 500.0)
    assert nothing["fps"] == 0.0 and nothing["gaps_ms"] == [500.0]


def test_lag_is_from_the_model_change_to_the_page_showing_it_or_later():
    model = [(100.0, "a"), (100.5, "b"), (101.0, "c"), (101.2, "d")]
    page = [(100_050.0, "a"), (100_700.0, "b"), (101_900.0, "d")]  # ms; "c" skipped by the page
    lag = bl.lag_seconds(model, page)
    assert lag == pytest.approx([0.05, 0.2, 0.9, 0.7])


def test_lag_matches_repeated_text_to_its_latest_model_change():
    # The counts line reads "idle" before and after the run; the final "idle" on the
    # page must count for the last model change, not for the first.
    model = [(10.0, "idle"), (11.0, "busy"), (12.0, "idle")]
    page = [(10_010.0, "idle"), (11_300.0, "busy"), (12_400.0, "idle")]
    assert bl.lag_seconds(model, page) == pytest.approx([0.01, 0.3, 0.4])


def test_lag_allows_the_page_to_show_a_change_just_before_the_model_sample():
    model = [(10.0, "a"), (11.0, "b")]
    lag = bl.lag_seconds(model, [(10_970.0, "b")], slack=0.05)
    assert lag == pytest.approx([0.97, -0.03])
    # Outside the slack the mark cannot be that change; nothing caught up.
    assert bl.lag_seconds(model, [(10_800.0, "b")], slack=0.05) == [None, None]


def test_lag_is_none_for_changes_the_page_never_reached():
    model = [(1.0, "a"), (2.0, "b"), (3.0, "c")]
    assert bl.lag_seconds(model, [(1_100.0, "a"), (2_500.0, "b")]) == pytest.approx(
        [0.1, 0.5, None]
    )
    assert bl.lag_seconds(model, [(5_000.0, "unknown text")]) == [None, None, None]
    assert bl.lag_seconds([], [(1.0, "a")]) == []


def test_heap_growth_over_the_second_half_decides_bounded():
    flat = [30.0, 34.0, 35.0, 35.5, 36.0, 35.0, 36.5, 36.0, 37.0, 36.0]
    got = bl.heap_growth(flat)
    assert got["first_last"] == pytest.approx(6.0)
    assert got["half_last"] == pytest.approx(0.0)  # run 5 (36.0) to run 10 (36.0)
    assert got["bounded"] is True
    leak = [30.0 + 2 * i for i in range(10)]  # 38 at run 5, 48 at run 10: +26 %
    assert bl.heap_growth(leak)["bounded"] is False
    assert bl.heap_growth([1.0])["bounded"] is None


def _run(busy, fps, gaps, seconds=20.0, lag=None):
    run = {"busy": busy, "fps": fps, "gaps_ms": gaps, "seconds": seconds}
    if lag is not None:
        run["lag"] = lag
    return run


def test_summarise_takes_medians_and_pools_the_lags():
    runs = [
        _run(0.3, 50.0, [150.0, 100.0, 90.0], lag=[0.1, 0.4]),
        _run(0.5, 40.0, [300.0, 120.0, 80.0], lag=[0.2, None]),
        _run(0.35, 60.0, [180.0, 110.0, 70.0], lag=[0.9]),
    ]
    got = bl.summarise(runs)
    assert got["runs"] == 3
    assert got["busy"] == pytest.approx(0.35)
    assert got["fps"] == pytest.approx(50.0)
    assert got["gap"] == pytest.approx(180.0)
    assert got["gaps"] == pytest.approx([180.0, 110.0, 80.0])
    assert got["lag_max"] == pytest.approx(0.9)
    assert got["lag_missing"] == 1
    assert "lag_max" not in bl.summarise([_run(0.8, 30.0, [100.0, 90.0, 80.0])])


def test_verdicts_apply_each_budget_to_our_page():
    good = {"busy": 0.39, "fps": 31.0, "gap": 190.0, "lag_max": 0.8, "lag_missing": 0}
    heap = {"first_last": 1.0, "half_last": 0.1, "bounded": True}
    assert all(met for _, met in bl.verdicts(good, heap))
    assert len(bl.verdicts(good, heap)) == len(bl.BUDGETS) + 1
    for key, bad in [("busy", 0.41), ("fps", 29.0), ("gap", 201.0), ("lag_max", 1.2)]:
        failed = [name for name, met in bl.verdicts(dict(good, **{key: bad}), heap) if not met]
        assert len(failed) == 1, key
    # A change never shown fails the lag budget however small the measured lags.
    assert not dict(bl.verdicts(dict(good, lag_missing=2), None))["lag page behind model, max"]
    assert not all(met for _, met in bl.verdicts(good, dict(heap, bounded=False)))
    # No figure is no pass.
    assert not dict(bl.verdicts(dict(good, busy=math.nan), None))[bl.BUDGETS[0].name]


def test_table_and_rows_show_bokeh_beside_ours_with_verdicts():
    ours = {
        "runs": 3,
        "busy": 0.9,
        "fps": 15.5,
        "gap": 950.0,
        "gaps": [950.0, 850.0, 733.0],
        "seconds": 30.0,
        "lag_max": 0.5,
        "lag_p95": 0.3,
        "lag_missing": 0,
    }
    bokeh = {"runs": 3, "busy": 0.81, "fps": 30.7, "gap": 183.0, "gaps": [183.0] * 3}
    mib = [30.0, 31.0, 32.0, 33.0, 34.0, 34.0, 34.5, 34.0, 34.2, 34.5]
    heap_runs = [{"heap": m * 2**20, "nodes": 1000 + i} for i, m in enumerate(mib)]
    heap = bl.heap_growth([r["heap"] for r in heap_runs])
    text = bl.comparison(ours, bokeh, heap, heap_runs)
    busy_line = next(line for line in text.splitlines() if line.startswith("main thread busy"))
    assert "90.0 %" in busy_line and "81.0 %" in busy_line and busy_line.endswith("FAIL")
    lag_line = next(line for line in text.splitlines() if line.startswith("lag page"))
    assert "n/a" in lag_line and lag_line.endswith("PASS")
    assert "30.0, 31.0" in text and "1009" in text
    rows = bl.rows({"ours": ours, "bokeh": bokeh, "heap": heap, "heap_runs": heap_runs})
    assert all(isinstance(r, Row) for r in rows)
    busy = rows[0]
    assert busy.value == pytest.approx(90.0) and busy.met is False
    assert "81.0 %" in busy.detail
    fps = next(r for r in rows if "frames per second" in r.name)
    assert fps.met is False and "30.7" in fps.detail
    lag = next(r for r in rows if "lag" in r.name)
    assert lag.name.endswith("max over 3 runs") and "no counterpart" in lag.detail
    assert rows[0].name.endswith("median of 3 runs")
    heap_row = rows[-1]
    assert heap_row.value == pytest.approx(0.5) and heap_row.met is True  # run 5 -> 10


def test_only_runs_the_named_steps_and_quick_leaves_the_browser_out():
    from bench.__main__ import STEPS, steps_to_skip

    assert "load" in STEPS
    assert steps_to_skip(False, "", "load") == set(STEPS) - {"load"}
    assert steps_to_skip(True, "", "load, browser") == set(STEPS) - {"load", "browser"}
    assert steps_to_skip(True, "scale", "") == {"scale", "browser", "load"}
    assert steps_to_skip(False, "", "") == set()
    with pytest.raises(ValueError, match="nonsense"):
        steps_to_skip(False, "", "nonsense")


def test_stall_summary_tells_an_unscheduled_process_from_a_busy_thread():
    from bench.browser_load import stall_summary

    trace = {
        "loop": [[10.0, 0.3], [12.0, 0.9]],
        # (time, seconds late, CPU-seconds each thread used meanwhile, where they were)
        "gil": [[10.1, 0.2, {"IO loop": 0.19}, {}], [12.1, 0.8, {}, {}]],
        "update": [[1.0, 1.01], [2.0, 2.02]],
    }
    assert stall_summary(trace) == {
        "loop_max": 0.9,
        "lock_max": 0.8,
        "lock_cpu": 0.0,  # the worst stall: no thread ran, the machine was busy elsewhere
        "updates": 2,
    }
    assert stall_summary({})["lock_max"] == 0.0
