"""Unit tests for :mod:`jupyter_dashmon.views.scheduler`: hand-filled models, no cluster.

Models are filled through :mod:`jupyter_dashmon.aggregate.derive`, as the
listener fills them, so their derived traits (totals, cost rate) are in step.
"""

from __future__ import annotations

import numpy as np
import pytest

from jupyter_dashmon.aggregate.derive import add_resources, set_progress
from jupyter_dashmon.aggregate.models import ProgressModel, ResourcesModel
from jupyter_dashmon.aggregate.transforms import STATES
from jupyter_dashmon.views.scheduler import SchedulerView

T0 = 1_700_000_000.0
MiB = 2**20


def counts(total, **states):
    base = dict.fromkeys(
        (
            "done",
            "memory",
            "released",
            "erred",
            "processing",
            "waiting",
            "queued",
            "no_worker",
            "nbytes",
        ),
        0,
    )
    return base | {"total": total} | states


@pytest.fixture
def resources():
    model = ResourcesModel()
    add_resources(
        model,
        {
            "time": [T0, T0 + 10.0, T0 + 20.0],
            "scheduler_cpu": [5.0, 12.0, 30.0],
            "scheduler_memory": [100.0 * MiB, 110.0 * MiB, 120.0 * MiB],
            "loop_interval": [0.020, 0.025, 0.1],
            "n_workers": [2.0, 2.0, 4.0],
            "n_clients": [1.0, 1.0, 3.0],
            "n_tasks": [0.0, 10.0, 1234.0],
            "dashboard_seconds": [1.0, 1.5, 1.7],
        },
    )
    return model


@pytest.fixture
def progress():
    model = ProgressModel()
    set_progress(
        model,
        {
            "inc": counts(10, waiting=2, queued=3, processing=4, memory=1),
            "add": counts(8, erred=1, no_worker=2, released=5),
        },
    )
    return model


def test_usage_and_loop_marks(resources, progress):
    view = SchedulerView(resources, progress)
    expected_x = (np.array([T0, T0 + 10, T0 + 20]) * 1000).astype("datetime64[ms]")
    assert (np.asarray(view.cpu_line.x) == expected_x).all()
    assert np.asarray(view.cpu_line.y).tolist() == [5.0, 12.0, 30.0]
    assert np.asarray(view.memory_line.y).tolist() == [100.0 * MiB, 110.0 * MiB, 120.0 * MiB]
    assert np.asarray(view.loop_line.y) == pytest.approx([20.0, 25.0, 100.0])
    assert view.usage.title == "Scheduler CPU 30% \u00b7 memory 120.00 MiB"
    assert view.loop.title == "Event loop interval 100.0 ms"
    assert view.connections.value == "3 clients \u00b7 4 workers connected"


def test_dashboard_cost(resources, progress):
    view = SchedulerView(resources, progress)
    assert (
        np.asarray(view.cost_line.x)
        == np.array([(T0 + 10) * 1000, (T0 + 20) * 1000]).astype("datetime64[ms]")
    ).all()
    assert np.asarray(view.cost_line.y) == pytest.approx([5.0, 2.0])  # 0.5 s / 10 s, 0.2 s / 10 s
    assert view.cost.title == "Dashboard cost 2.0% \u00b7 1.70 s total"


def test_state_bars(resources, progress):
    view = SchedulerView(resources, progress)
    bars = view.state_bars
    assert [label.split(":")[0] for label in bars.labels] == list(STATES)
    assert dict(zip(STATES, bars.values)) == {
        "released": 5,
        "waiting": 2,
        "queued": 3,
        "no_worker": 2,
        "processing": 4,
        "memory": 1,
        "erred": 1,
    }
    assert bars.labels[0] == "released: 5 tasks"
    # one row per state, top to bottom: row i at y = -i, its name and count just above
    assert bars.horizontal
    assert bars.lo == pytest.approx([-i - 0.45 for i in range(len(STATES))])
    assert bars.hi == pytest.approx([-i - 0.2 for i in range(len(STATES))])
    assert list(view.state_labels.text) == [
        "released  5",
        "waiting  2",
        "queued  3",
        "no_worker  2",
        "processing  4",
        "memory  1",
        "erred  1",
    ]
    assert np.asarray(view.state_labels.y) == pytest.approx([-i + 0.2 for i in range(7)])
    assert np.asarray(view.state_labels.x).tolist() == [0.0] * len(STATES)
    assert view.states.marks == [bars.mark, view.state_labels]
    assert view.states.title == "Tasks by state \u00b7 1,234 tasks"
    # the count axis follows the data: from 0 to a round number above the largest count
    assert bars.mark.scales["x"].min == 0.0 and bars.mark.scales["x"].max == 6.0
    assert view.states_axis.tick_labels == {"0": "0", "2": "2", "4": "4", "6": "6"}
    set_progress(progress, {"inc": counts(10, memory=10)})
    assert bars.values == [0, 0, 0, 0, 0, 10, 0]
    # what is sent: one closed path per row, reaching the row's count along x
    assert np.asarray(bars.mark.x)[:, 2].tolist() == [0, 0, 0, 0, 0, 10, 0]
    set_progress(progress, {"inc": counts(12345, memory=12345)})
    assert view.state_labels.text[5] == "memory  12,345"
    assert bars.mark.scales["x"].max == 15000.0
    assert view.states_axis.tick_labels["10000"] == "10,000"


def test_updates_follow_the_model(resources, progress):
    view = SchedulerView(resources, progress)
    add_resources(
        resources,
        {
            "time": [T0 + 30.0],
            "scheduler_cpu": [60.0],
            "scheduler_memory": [130.0 * MiB],
            "loop_interval": [0.05],
            "n_clients": [1.0],
            "n_workers": [8.0],
            "n_tasks": [5.0],
            "dashboard_seconds": [2.7],
        },
    )
    assert np.asarray(view.cpu_line.y).tolist()[-1] == 60.0
    assert np.asarray(view.cost_line.y)[-1] == pytest.approx(10.0)
    assert view.connections.value == "1 clients \u00b7 8 workers connected"
    assert view.states.title == "Tasks by state \u00b7 5 tasks"


def test_empty_models():
    view = SchedulerView(ResourcesModel(), ProgressModel())
    assert list(view.cpu_line.x) == [] and list(view.cost_line.y) == []
    assert view.usage.title == "Scheduler CPU and memory"
    assert view.cost.title == "Dashboard cost 0.0% \u00b7 0 us total"
    assert view.state_bars.values == [0] * len(STATES)
    assert view.state_labels.text[0] == "released  0"
    # no tasks: a fixed count range, so x = 0 is still the left edge in the browser
    assert view.state_bars.mark.scales["x"].max == 4.0
    assert view.connections.value == "0 clients \u00b7 0 workers connected"
