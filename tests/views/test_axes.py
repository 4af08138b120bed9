"""The axes of every figure over time or quantity: round ticks, units, no negative ranges.

Hand-filled models, no kernel.  Each test reads what bqplot is told (scale
min/max, ``tick_values``, ``tick_labels``, ``tick_format``) as the browser
would draw it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from synthetic import columns

from jupyter_dashmon.aggregate import ticks as tk
from jupyter_dashmon.aggregate.derive import set_progress
from jupyter_dashmon.aggregate.history import TaskHistory
from jupyter_dashmon.aggregate.models import (
    ProgressModel,
    ResourcesModel,
    TaskHistoryModel,
    TaskStreamModel,
    WorkersModel,
)
from jupyter_dashmon.views import ResourcesView, TaskStreamView, TasksView
from jupyter_dashmon.views.line_chart import NAME_GAP
from jupyter_dashmon.views.scheduler import SchedulerView
from jupyter_dashmon.views.workers import WorkersView

T0 = 1_700_000_000.0
GiB = 2**30
CLOCK = re.compile(r"^\d\d:\d\d:\d\d(\.\d+)?$")


def round_number(value: float) -> bool:
    """Whether ``value`` is a multiple of a nice step (1, 2, 2.5, 5 x 10^k) it shares with 0."""
    if value == 0:
        return True
    mantissa = abs(value) / 10 ** math.floor(math.log10(abs(value)))
    return any(math.isclose(mantissa, m) or math.isclose(mantissa % m, 0) for m in (1, 2, 2.5, 5))


def check_quantity_axis(axis, peak: float) -> None:
    """0-based, round evenly spaced ticks, the top above ``peak``, every tick labelled."""
    values = np.asarray(axis.tick_values, dtype=float)
    assert axis.scale.min == 0.0 and values[0] == 0.0
    assert axis.scale.max == values[-1] > peak
    steps = np.diff(values)
    assert np.allclose(steps, steps[0])
    assert set(axis.tick_labels) == {tk.js_key(v) for v in values}
    assert axis.scale.allow_padding is False  # padding would push the range below 0


def check_clock_axis(axis, t0: float, t1: float, count: int = 4) -> None:
    values = np.asarray(axis.tick_values).astype("datetime64[ms]").astype(float) / 1000
    assert axis.tick_format in ("%H:%M:%S", "%H:%M:%S.%L")
    assert len(values) >= 1
    offset = tk.local_offset(t1)
    assert all(t0 + offset - 1e-3 <= v <= t1 + offset + 1e-3 for v in values)
    step = tk.clock_step(t1 - t0, count)
    assert all(abs(v / step - round(v / step)) < 1e-6 for v in values)


def fill(model: ResourcesModel, n: int, gap_at: int | None = None) -> None:
    times = [T0 + i for i in range(n)]
    if gap_at is not None:
        times = [t + (120 if i >= gap_at else 0) for i, t in enumerate(times)]
    with model.hold_trait_notifications():
        model.time = times
        model.cpu = [5.0 + (i % 3) for i in range(n)]
        model.memory = [1.3 * GiB] * n
        model.memory_limit = [8.0 * GiB] * n
        model.network_read = [57e6] * n
        model.network_write = [1e6] * n


def check_chart_axis(chart, peak: float) -> dict[float, str]:
    """A line chart's value axis (:class:`LineChart`): 0-based, round evenly
    spaced ticks, the top above ``peak``, every tick labelled.  Its labels by value."""
    values = np.asarray([v for v, _ in chart.y_ticks], dtype=float)
    assert values[0] == 0.0 and values[-1] > peak
    steps = np.diff(values)
    assert np.allclose(steps, steps[0])
    assert all(label for _, label in chart.y_ticks)
    return dict(chart.y_ticks)


def test_resource_axes_are_round_with_units_and_never_negative():
    model = ResourcesModel()
    fill(model, 60)
    view = ResourcesView(model)
    pct = check_chart_axis(view.usage, peak=16.25)
    assert pct[0.0] == "0"
    assert all(v.endswith("%") for k, v in pct.items() if k != 0.0)
    # The clock axis: the browser picks round times for its width, from these steps.
    assert view.usage.t[0] == T0 and view.usage.t[-1] == T0 + 59
    assert view.usage.clock == {
        "offset": tk.local_offset(T0 + 59),
        "steps": [float(s) for s in tk.CLOCK_STEPS],
    }
    rate = check_chart_axis(view.network, peak=57e6)
    assert all(re.fullmatch(r"[\d.,]+ (B|KiB|MiB)/s", v) for v in list(rate.values())[1:])
    assert "56 MiB/s" not in rate.values()  # steps are 1, 2, 2.5, 5 x 10^k units
    assert all(round_number(float(v.split()[0].replace(",", ""))) for v in rate.values())


def test_resource_lines_break_across_idle_gaps_and_are_named_at_their_ends():
    model = ResourcesModel()
    fill(model, 20, gap_at=10)
    view = ResourcesView(model)
    y = np.asarray([line["y"] for line in view.usage.lines], dtype=float)  # None: NaN
    assert y.shape == (2, 21) and np.isnan(y[:, 10]).all()
    assert not np.isnan(np.delete(y, 10, axis=1)).any()
    names = view.usage.ends
    assert [n[0] for n in names] == ["CPU", "mem"]
    # CPU ends at 6 %, memory at 16.25 %: the names are moved apart, never on each other
    hi = view.usage.y_ticks[-1][0]
    margin = view.usage.margin
    gap_px = abs(names[0][2] - names[1][2]) / hi * (220 - margin["top"] - margin["bottom"])
    assert gap_px >= NAME_GAP - 1e-2


def test_scheduler_axes_have_units_and_start_at_zero():
    resources, progress = ResourcesModel(), ProgressModel()
    with resources.hold_trait_notifications():
        resources.time = [T0, T0 + 1, T0 + 2]
        resources.scheduler_cpu = [1.0, 3.0, 2.0]
        resources.scheduler_memory = [100e6, 120e6, 130e6]
        resources.loop_interval = [0.02, 0.0769, 0.03]
        resources.cost_time = [T0, T0 + 2]
        resources.cost_percent = [0.2, 0.5]
    view = SchedulerView(resources, progress)
    loop_axis = view.loop.axes[1]
    check_quantity_axis(loop_axis, peak=76.9)
    assert loop_axis.tick_labels["50"] == "50 ms"
    check_quantity_axis(view.usage_axes[1], peak=3.0)
    check_quantity_axis(view.usage_axes[2], peak=130e6)
    assert view.usage_axes[2].tick_labels[tk.js_key(100 * 2**20)] == "100 MiB"
    check_quantity_axis(view.cost.axes[1], peak=0.5)
    for axis in (view.usage_axes[0], view.loop.axes[0]):
        check_clock_axis(axis, T0, T0 + 2)


def test_no_message_leaves_a_tick_outside_its_axis_range(monkeypatch):
    """The page draws after each message, and an axis's ticks and its scale's
    range are two widgets' messages: after every one of them, as the window
    slides and the peak falls, every tick the page holds is inside the range
    it holds (CI once read two clock labels left of the Dashboard cost plot)."""
    from ipywidgets import Widget

    resources, progress = ResourcesModel(), ProgressModel()
    view = SchedulerView(resources, progress)
    axes = [*view.usage_axes, *view.loop.axes, *view.cost.axes]
    page: dict[int, dict] = {}
    bad: list[str] = []
    original = Widget._send

    def _send(self, msg, buffers=None):
        page.setdefault(id(self), {}).update({k: getattr(self, k) for k in msg.get("state", {})})
        for axis in axes:
            ticks = page.get(id(axis), {}).get("tick_values")
            held = page.get(id(axis.scale), {})
            if ticks is None or held.get("min") is None or held.get("max") is None:
                continue
            lo, hi = np.asarray([held["min"], held["max"]], dtype=np.asarray(ticks).dtype)
            if not ((np.asarray(ticks) >= lo) & (np.asarray(ticks) <= hi)).all():
                bad.append(f"{axis.side or 'bottom'} axis: {ticks} outside {lo}..{hi}")
        return original(self, msg, buffers)

    monkeypatch.setattr(Widget, "_send", _send)
    for axis in axes:  # what the page holds when the test starts
        page[id(axis)] = {"tick_values": axis.tick_values}
        page[id(axis.scale)] = {"min": axis.scale.min, "max": axis.scale.max}
    for i in range(1, 40):
        # A window that slides by a second and values that rise, then fall away.
        t = T0 + np.arange(max(0, i - 8), i + 1, dtype=float)
        peak = 90.0 if i < 20 else 90.0 / (i - 18)
        with resources.hold_trait_notifications():
            resources.time = list(t)
            resources.scheduler_cpu = [peak] * len(t)
            resources.scheduler_memory = [peak * 1e6] * len(t)
            resources.loop_interval = [peak / 1000] * len(t)
            resources.cost_time = list(t)
            resources.cost_percent = [peak / 10] * len(t)
        view._refresh()
    assert page
    assert not bad, bad[:3]


def stream_model() -> tuple[TaskStreamModel, ProgressModel]:
    from test_views import add_records, record

    tasks, progress = TaskStreamModel(), ProgressModel()
    add_records(
        tasks,
        [
            record("inc-1", "inc", "tcp://w1", 1, T0 + 0.3, T0 + 2.0),
            record("inc-2", "inc", "tcp://w1", 2, T0 + 1.0, T0 + 7.4),
        ],
    )
    return tasks, progress


def test_task_stream_asks_the_browser_for_clock_ticks_in_local_time():
    tasks, progress = stream_model()
    view = TaskStreamView(tasks, progress)
    lo, hi = view.figure.span
    assert lo >= 0 and hi > lo
    origin = view.window.origin
    # The browser picks round clock times for the figure's width (js/src/taskplot.ts
    # clockTicks; tests/browser/test_axes_hover.py reads what it drew).
    assert view.figure.clock == {
        "origin": origin,
        "offset": tk.local_offset(origin),
        "steps": [float(s) for s in tk.CLOCK_STEPS],
    }
    assert view.figure.tick_values == [] and view.figure.tick_labels == []


def test_task_stream_hovers_always_and_pans_on_demand():
    tasks, progress = stream_model()
    view = TaskStreamView(tasks, progress)
    assert view.figure.pan_zoom is False  # the wheel scrolls the notebook until asked
    assert all(label.count(" | ") == 2 for label in view.drawn()["label"])  # hover text
    view.pan.value = True
    assert view.figure.pan_zoom is True
    view.pan.value = False
    assert view.figure.pan_zoom is False


def test_zooming_the_stream_keeps_its_clock_and_the_window():
    tasks, progress = stream_model()
    view = TaskStreamView(tasks, progress)
    clock = view.figure.clock
    view.figure.set_state({"span": [1.0, 1.5]})  # a zoom in the browser
    assert view.figure.span == (1.0, 1.5) and view.figure.clock == clock
    assert tasks.mode == "fixed"
    assert tasks.window == (tasks.origin + 1.0, tasks.origin + 1.5)


def test_tasks_page_has_clock_ticks_and_a_pan_toggle():
    model = TaskHistoryModel(history=TaskHistory(1000))
    model.history.append_columns(columns(200))
    model.revision += 1
    view = TasksView(model, ProgressModel())
    assert view.figure.clock, "the Tasks page labels its time axis with clock times"
    assert view.figure.clock["origin"] == view.window.origin
    assert view.figure.pan_zoom is False
    view.pan.value = True
    assert view.figure.pan_zoom is True


def test_worker_stream_reads_seconds_ago():
    from jupyter_dashmon.views.worker_stream import WorkerStreamView

    history = TaskHistoryModel(history=TaskHistory(1000))
    view = WorkerStreamView(WorkersModel(), history, ProgressModel(), span=60.0)
    assert view.figure.tick_values == [-60, -30, 0]  # three labels fit a 250 px side panel
    assert view.figure.tick_labels == ["60 s ago", "30 s ago", "now"]
    assert view.figure.span == (-60.0, 0.0)


def workers(n: int) -> WorkersModel:
    from test_workers_view import feed

    model = WorkersModel()
    feed(model, n)
    return model


def test_per_worker_bars_are_named_and_round():
    model = workers(5)
    view = WorkersView(model)
    names_axis, pct_axis = view._cpu_axes[0]
    assert list(names_axis.tick_values) == [0, 1, 2, 3, 4]
    assert names_axis.tick_labels == {str(i): f"w{i:04d}" for i in range(5)}
    check_quantity_axis(pct_axis, peak=max(view.cpu_bars.values))


def test_worker_detail_leaves_headroom_above_the_memory_limit():
    model = workers(5)
    view = WorkersView(model)
    view.chooser.value = model.table["address"][3]
    memory_axis = view.detail_memory.axes[1]
    check_quantity_axis(memory_axis, peak=8 * GiB)
    assert memory_axis.scale.max >= 8 * GiB * (1 + tk.HEADROOM)
    assert memory_axis.tick_labels[tk.js_key(5 * GiB)] == "5 GiB"
    check_clock_axis(view.detail_cpu.axes[0], T0, T0 + 2, count=2)
    assert list(view._memory_ends.mark.text) == ["used", "limit"]


@pytest.mark.parametrize("peak", [0.0, 0.3, 7, 76.9, 1234, 6.6e9])
def test_every_quantity_tick_is_a_multiple_of_a_nice_step(peak):
    t = tk.quantity_ticks(peak)
    step = t.values[1] - t.values[0]
    assert round_number(step)
    assert all(math.isclose(v / step, round(v / step)) for v in t.values)


def test_progress_set_for_scheduler_states_axis():
    resources, progress = ResourcesModel(), ProgressModel()
    view = SchedulerView(resources, progress)
    assert (view.states_axis.scale.min, view.states_axis.scale.max) == (0.0, 4.0)
    set_progress(progress, {"inc": {"total": 3, "memory": 3, "done": 3}})
    check_quantity_axis(view.states_axis, peak=3)


def test_tasks_page_latest_run_zooms_past_idle_time_and_show_all_comes_back():
    model = TaskHistoryModel(history=TaskHistory(10_000))
    model.history.append_columns(columns(200))
    model.history.append_columns(columns(200, start=5000.0, seed=1))
    model.revision += 1
    view = TasksView(model, ProgressModel())
    lo, hi = view.figure.span
    whole = hi - lo
    view.show_latest_run()
    assert not view.following
    lo, hi = view.figure.span
    assert hi - lo < whole / 5
    first_start = float(model.history.start[model.history.order()].min())
    assert lo + view.window.origin > first_start + 1000  # the idle time is cut
    assert all(CLOCK.match(label) for label in view.figure.tick_labels)
    assert view.segments > 0 and all(lo <= x <= hi for x in view.figure.drawn()["x0"])
    view.show_all()
    lo, hi = view.figure.span
    assert view.following and hi - lo == pytest.approx(whole)


def test_idle_resource_axes_still_read_units():
    view = ResourcesView(ResourcesModel())
    assert dict(view.usage.y_ticks)[10.0] == "10%"
    assert dict(view.network.y_ticks)[1024.0] == "1 KiB/s"
    assert view.usage.y_ticks[0][0] == 0 and view.network.y_ticks[0][0] == 0
