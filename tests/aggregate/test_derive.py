"""Unit tests for :mod:`jupyter_dashmon.aggregate.derive`: models filled with
hand-written data keep their derived traits in step."""

from __future__ import annotations

import pytest
from synthetic import counts

from jupyter_dashmon.aggregate import transforms as tf
from jupyter_dashmon.aggregate.derive import (
    add_resources,
    clear_resources,
    set_progress,
    set_worker_table,
)
from jupyter_dashmon.aggregate.models import ProgressModel, ResourcesModel, WorkersModel
from jupyter_dashmon.aggregate.workers import worker_summary
from jupyter_dashmon.collect.messages import RESOURCE_FIELDS, WORKER_FIELDS


def test_set_progress_keeps_totals_in_step():
    p = ProgressModel()
    set_progress(p, {"inc": counts(10, 2), "add": counts(5, 5, 5, 64)})
    assert p.totals == tf.progress_totals(p.prefixes)
    assert p.totals["total"] == 15 and p.totals["nbytes"] == 64
    seen = []
    p.observe(lambda change: seen.append(change["name"]), names=["prefixes", "totals"])
    set_progress(p, {**p.prefixes, "inc": counts(10, 7, 1)}, changed=["inc"])
    assert p.totals["done"] == 12 and p.totals["memory"] == 6
    assert sorted(seen) == ["prefixes", "totals"]
    seen.clear()
    set_progress(p, dict(p.prefixes), changed=[])  # nothing new: nothing notified
    assert seen == []


def test_add_resources_bounds_columns_and_rates_the_cost():
    r = ResourcesModel(length=3)
    add_resources(r, {"time": [0.0, 10.0], "dashboard_seconds": [1.0, 2.0], "cpu": [5.0, 6.0]})
    assert (r.cost_time, r.cost_percent) == ([10.0], [pytest.approx(10.0)])
    add_resources(r, {"time": [20.0, 30.0], "dashboard_seconds": [2.5, 4.5], "cpu": [7.0, 8.0]})
    assert r.time == [10.0, 20.0, 30.0] and r.cpu == [6.0, 7.0, 8.0]
    assert r.cost_time == [20.0, 30.0] and r.cost_percent == pytest.approx([5.0, 20.0])
    clear_resources(r)
    assert all(getattr(r, name) == [] for name in (*RESOURCE_FIELDS, "cost_time", "cost_percent"))


def test_set_worker_table_derives_the_page_and_adds_to_the_series():
    w = WorkersModel()
    table = {field: [0] for field in WORKER_FIELDS} | {
        "address": ["tcp://a"],
        "name": ["a"],
        "cpu": [40.0],
        "memory": [1.0],
        "memory_limit": [4.0],
    }
    set_worker_table(w, table, now=100.0)
    summary = worker_summary(table)
    assert w.table == table and w.table is not table
    assert w.derived == summary["derived"] and w.derived["memory_pct"] == [25.0]
    assert w.total == summary["total"]
    assert w.cpu_histogram == summary["cpu_histogram"]
    assert w.memory_histogram == summary["memory_histogram"]
    assert w.revision == 1 and w.series.get("tcp://a")["time"] == [100.0]
    set_worker_table(w, {}, now=101.0)  # a new scheduler: everything goes
    assert w.derived == {"memory_pct": [], "seen_ago": []}
    assert w.total == {"name": "Total (0 workers)"} and len(w.series) == 0
