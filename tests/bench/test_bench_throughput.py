"""Items 1-2 of the bench: conditions paired on one scheduler, compared within rounds."""

from __future__ import annotations

import pytest

from bench import throughput
from bench.throughput import Window

TASKS = 10_000


def _windows(scheduler_us: dict[str, list[float]], wall: dict[str, list[float]]) -> list[Window]:
    """Windows of the independent workload, one per condition and round."""
    out = []
    for condition, values in scheduler_us.items():
        for r, us in enumerate(values):
            cpu = {"scheduler": us * TASKS / 1e6}
            out.append(Window(condition, "independent", r, wall[condition][r], cpu))
    return out


def _row(rows: list, start: str):
    (row,) = [r for r in rows if r.name.startswith(start)]
    return row


def test_per_task_figures_are_differences_within_each_round():
    # The rounds drift by 100 us a task; within a round the conditions differ
    # by 4 us (the plugin) and 10 us (the dashboard).  Medians of differences
    # see that; differences of medians across rounds would not.
    base = [200.0, 300.0, 250.0, 100.0, 220.0]
    windows = _windows(
        {
            "none": base,
            "plugin": [b + 4 for b in base],
            "dashmon": [b + 10 for b in base],
            "bokeh": [b + 100 for b in base],
        },
        {"none": [10.0] * 5, "plugin": [10.0] * 5, "dashmon": [10.2] * 5, "bokeh": [16.0] * 5},
    )
    rows = throughput._per_task_rows(windows, "independent", TASKS)
    dashmon = _row(rows, "scheduler CPU per task for dashmon (")
    assert dashmon.value == pytest.approx(10.0)
    assert dashmon.met is False and "5 rounds" in dashmon.detail
    assert _row(rows, "scheduler CPU per task for an empty").value == pytest.approx(4.0)
    assert _row(rows, "scheduler CPU per task for dashmon beyond").value == pytest.approx(6.0)
    assert _row(rows, "scheduler CPU per task for bokeh").value == pytest.approx(100.0)
    ratio = _row(rows, "scheduler CPU with dashmon / without")
    assert ratio.value == pytest.approx(1.045, abs=1e-3)  # the round at 220 us is the median


def test_throughput_rows_name_every_condition_and_the_target():
    windows = _windows(
        {"none": [200.0] * 3, "plugin": [204.0] * 3, "dashmon": [210.0] * 3},
        {"none": [10.0, 11.0, 9.0], "plugin": [10.0, 11.0, 9.0], "dashmon": [10.1, 11.5, 9.0]},
    )
    rows = throughput.rows(windows, TASKS, idle=1.0)
    top = _row(rows, "throughput dashmon/none")
    assert top.value == pytest.approx(10.0 / 10.1)
    assert top.met is True  # 0.99 >= 0.97
    assert "per round 0.957-1.000" in top.detail
    assert "none 10.00s, plugin 10.00s, dashmon 10.10s" in top.detail
    assert _row(rows, "throughput empty plugin/none").value == pytest.approx(1.0)


@pytest.mark.slow
def test_conditions_take_turns_on_one_real_scheduler():
    windows = throughput.measure(
        1,
        300,
        ("independent",),
        0.2,
        log=lambda text: None,
        conditions=("none", "plugin", "dashmon"),
    )
    assert [(w.condition, w.workload) for w in windows] == [
        ("none", "idle"),
        ("none", "independent"),
        ("plugin", "independent"),  # an empty plugin gets no idle window
        ("dashmon", "idle"),
        ("dashmon", "independent"),
    ]
    assert all(w.cpu["scheduler"] > 0 for w in windows if w.workload == "independent")


class _LeakyCondition(throughput.Condition):
    """Leaves its plugin on the scheduler when it closes."""

    def close_view(self) -> None:
        if self.name != "plugin":
            super().close_view()


@pytest.mark.slow
def test_a_window_is_not_timed_with_another_conditions_plugin_left_over():
    with pytest.raises(
        RuntimeError, match=r"'dashmon' would be timed with \['dashmon-bench-empty'\]"
    ):
        throughput.measure(
            1,
            100,
            ("independent",),
            0.1,
            log=lambda text: None,
            conditions=("none", "plugin", "dashmon"),
            condition=_LeakyCondition,
        )
