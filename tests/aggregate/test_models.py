"""Unit tests for :mod:`jupyter_dashmon.aggregate.models`: state, bounds, snapshot."""

from __future__ import annotations

import json

import pytest
from synthetic import counts
from traitlets import TraitError

from jupyter_dashmon.aggregate.models import (
    DashboardModel,
    ProgressModel,
    ResourcesModel,
    StatusModel,
    TaskStreamModel,
    WorkersModel,
)
from jupyter_dashmon.collect.messages import RESOURCE_FIELDS, WORKER_FIELDS, PrefixCounts
from jupyter_dashmon.config import DEFAULT_OPTIONS

RECORD_FIELDS = ("key", "prefix", "worker", "thread", "start", "stop", "action", "status")


def filled_model() -> DashboardModel:
    m = DashboardModel()
    m.status.state = "live"
    m.status.scheduler = "tcp://127.0.0.1:8786"
    m.status.workers = {"tcp://127.0.0.1:1": {"name": "0", "nthreads": 2}}
    m.status.updated = 1700000000.5
    m.progress.prefixes = {"inc": counts(10, 6, 2, 2048), "add": counts(4, 4, 0, 0)}
    m.progress.colors = {"inc": "#1f77b4", "add": "#aec7e8"}
    m.tasks.records = [
        {
            "key": "inc-1",
            "prefix": "inc",
            "worker": "tcp://127.0.0.1:1",
            "thread": 1,
            "start": 1.0,
            "stop": 2.0,
            "action": "compute",
            "status": "OK",
        },
    ]
    with m.resources.hold_trait_notifications():
        for i, name in enumerate(RESOURCE_FIELDS):
            setattr(m.resources, name, [float(i), float(i + 1)])
    return m


# -- ResourcesModel ------------------------------------------------------------


@pytest.mark.parametrize("name", RESOURCE_FIELDS)
def test_resources_lists_bounded_to_length(name):
    r = ResourcesModel(length=3)
    setattr(r, name, [1, 2, 3, 4, 5])
    assert getattr(r, name) == [3.0, 4.0, 5.0]
    setattr(r, name, [7.0])
    assert getattr(r, name) == [7.0]


def test_resources_bounded_whatever_the_keyword_order():
    assert ResourcesModel(time=[1, 2, 3, 4], length=2).time == [3.0, 4.0]
    assert ResourcesModel(length=2, cpu=[1, 2, 3, 4]).cpu == [3.0, 4.0]


def test_resources_default_length():
    r = ResourcesModel()
    r.memory = list(range(1000))
    assert len(r.memory) == 600 and r.memory[-1] == 999.0


def test_resources_reject_non_numbers():
    with pytest.raises(TraitError):
        ResourcesModel().cpu = ["high"]


def test_resources_traits_are_the_declared_columns():
    traits = ResourcesModel.class_trait_names()
    assert set(RESOURCE_FIELDS) <= set(traits)
    assert set(traits) - set(RESOURCE_FIELDS) == {"length", "cost_time", "cost_percent"}
    for name in traits:  # the docstring still documents every trait
        assert name in ResourcesModel.__doc__


# -- WorkersModel --------------------------------------------------------------


def test_worker_table_has_the_declared_columns():
    w = WorkersModel()
    w.table = {field: [] for field in WORKER_FIELDS}
    w.table = {}
    with pytest.raises(TraitError, match="disk_write"):
        w.table = {field: [] for field in WORKER_FIELDS if field != "disk_write"}
    for field in WORKER_FIELDS:
        assert field in WorkersModel.__doc__


# -- trait validation -------------------------------------------------------


@pytest.mark.parametrize(
    "cls, name, value",
    [
        (TaskStreamModel, "length", -1),
        (TaskStreamModel, "length", 0),
        (TaskStreamModel, "gap", -0.5),
        (TaskStreamModel, "start", -1),
        (TaskStreamModel, "generation", -1),
        (ResourcesModel, "length", -1),
        (ResourcesModel, "length", 1),
        (ProgressModel, "max_bars", 0),
        (ProgressModel, "max_bars", 1001),
        (StatusModel, "state", "running"),
        (StatusModel, "collector_cost", -1.0),
        (StatusModel, "workers", ["tcp://w"]),
    ],
)
def test_invalid_trait_values_rejected(cls, name, value):
    with pytest.raises(TraitError):
        cls(**{name: value})
    model = cls()
    before = getattr(model, name)
    with pytest.raises(TraitError):
        setattr(model, name, value)
    assert getattr(model, name) == before


def test_defaults():
    assert StatusModel().state == "connecting"
    assert TaskStreamModel().length == 1000 and TaskStreamModel().gap == 10.0
    assert ProgressModel().max_bars == 25
    assert ResourcesModel().length == 600


def test_trait_defaults_come_from_the_config_table():
    assert ProgressModel().max_bars == DEFAULT_OPTIONS.max_bars
    assert ResourcesModel().length == DEFAULT_OPTIONS.resource_length


def test_dashboard_model_parts_are_separate_per_instance():
    a, b = DashboardModel(), DashboardModel()
    assert a.progress is not b.progress and a.tasks is not b.tasks
    a.progress.prefixes = {"x": counts(1)}
    assert b.progress.prefixes == {}


# -- snapshot ---------------------------------------------------------------


def test_snapshot_is_json_serialisable():
    snap = filled_model().snapshot()
    text = json.dumps(snap, allow_nan=False)
    assert json.loads(text) == snap


def test_snapshot_of_empty_model():
    snap = DashboardModel().snapshot()
    assert snap["progress"] == {} and snap["memory"] == {} and snap["task_stream"] == []
    assert snap["resources"] == {name: [] for name in RESOURCE_FIELDS}
    assert snap["status"]["state"] == "connecting"
    json.dumps(snap, allow_nan=False)


def test_snapshot_fields():
    snap = filled_model().snapshot()
    assert {"progress", "memory", "task_stream", "resources"} <= set(snap)
    progress_fields = set(PrefixCounts.__annotations__) - {"nbytes"}
    assert set(snap["progress"]) == {"inc", "add"}
    for entry in snap["progress"].values():
        assert set(entry) == progress_fields
        assert all(type(v) is int for v in entry.values())
    assert snap["progress"]["inc"]["done"] == 6 and snap["progress"]["inc"]["total"] == 10
    assert snap["memory"] == {"inc": 2048}  # zero bytes left out
    assert [tuple(r) for r in snap["task_stream"]] == [RECORD_FIELDS]
    assert snap["task_stream"][0]["key"] == "inc-1"
    assert set(snap["resources"]) == set(RESOURCE_FIELDS)
    assert snap["resources"]["time"] == [0.0, 1.0]
    assert snap["resources"]["network_write"] == [5.0, 6.0]
    assert snap["status"]["state"] == "live"
    assert snap["status"]["workers"]["tcp://127.0.0.1:1"]["nthreads"] == 2
    assert snap["colors"] == {"inc": "#1f77b4", "add": "#aec7e8"}


def test_snapshot_is_a_copy():
    m = filled_model()
    snap = m.snapshot()
    snap["progress"]["inc"]["done"] = 999
    snap["progress"]["new"] = {}
    snap["memory"]["inc"] = -1
    snap["task_stream"][0]["key"] = "changed"
    snap["task_stream"].append({})
    snap["resources"]["cpu"].append(42.0)
    snap["status"]["workers"]["tcp://127.0.0.1:1"]["nthreads"] = 99
    snap["colors"]["inc"] = "#000000"
    assert m.progress.prefixes["inc"]["done"] == 6 and "new" not in m.progress.prefixes
    assert m.tasks.records[0]["key"] == "inc-1" and len(m.tasks.records) == 1
    assert m.resources.cpu == [1.0, 2.0]
    assert m.status.workers["tcp://127.0.0.1:1"]["nthreads"] == 2
    assert m.progress.colors["inc"] == "#1f77b4"
    assert m.snapshot()["memory"] == {"inc": 2048}


def test_snapshot_follows_the_model():
    m = filled_model()
    m.progress.prefixes = {"inc": counts(10, 10, 0, 0)}
    snap = m.snapshot()
    assert snap["memory"] == {} and snap["progress"]["inc"]["done"] == 10
