"""Tiny runs of the synthetic benchmarks, checking what they count (not how fast)."""

from __future__ import annotations

import math

from bench import memory, scale, tasks
from bench.fakes import FakeScheduler, collector, finish, random_key, started_plugin
from jupyter_dashmon.collect.packing import unpack_tasks


def test_random_keys_look_like_client_map_keys():
    key = random_key("inc")
    prefix, digits = key.split("-")
    assert prefix == "inc" and len(digits) == 32 and int(digits, 16) >= 0


def test_fake_scheduler_drives_the_collector_into_records_and_progress():
    scheduler = FakeScheduler(3)
    plugin = started_plugin(collector(history=10), scheduler)
    worker = next(iter(scheduler.workers))
    for i in range(4):
        finish(plugin, scheduler, random_key("inc"), "inc", worker, start=1000.0 + i)
    sub = scale.Subscriber(plugin)
    delta = sub.poll()
    tasks = unpack_tasks(delta["tasks"])
    assert delta["reset"] and tasks["start"] == [1000.0, 1001.0, 1002.0, 1003.0]
    assert delta["progress"]["inc"]["memory"] == 4
    again = sub.poll()
    assert again["tasks"]["n"] == 0 and again["progress"] == {}


def test_tiny_scale_run_reports_every_figure():
    m = scale.measure(workers=5, prefixes=7, records=300, repeats=3, batch=20, touched=4)
    assert m["retained"] == 300 + 3 * 20 or m["retained"] == 300  # ring bounded at history
    assert m["idle_tasks"] == 0 and m["idle_progress"] == 0
    for name in ("steady", "idle", "first", "sampled_idle"):
        assert m[name] > 0 and math.isfinite(m[name])
    rows = scale.rows(m, 5, 7, 300)
    assert [r.item for r in rows] == ["3"] * len(rows) and rows[0].unit == "ms"


def test_bytes_per_record_counts_retained_records_of_both_plugins():
    rec = memory.per_record(500)
    assert rec["records"] == 500
    assert rec["dashmon"] > 0 and rec["task_stream"] > 0
    assert rec["ring_nbytes"] > 0


def test_synthetic_deltas_advance_cursor_times_and_keys():
    first, steady = memory.template_deltas(10)
    template = unpack_tasks(steady["tasks"])
    assert len(template["key"]) == 10
    out = [d for d, _ in memory.synthetic_deltas(steady, first["cursor"], 3, step=1.0)]
    assert [d["cursor"] for d in out] == [
        first["cursor"] + 10,
        first["cursor"] + 20,
        first["cursor"] + 30,
    ]
    copies = [unpack_tasks(d["tasks"]) for d in out]
    assert copies[1]["start"][0] == template["start"][0] + 2.0
    assert copies[1]["prefix"] == template["prefix"]
    assert not set(copies[0]["key"]) & set(copies[1]["key"])
    assert out[1]["resources"]["time"] == [] and not out[2]["reset"]


def test_tree_graph_has_about_twice_the_leaves_and_one_root():
    dsk, root = tasks.tree_graph(9, tag="-t")
    assert len(dsk) == 2 * 9 - 1
    assert root in dsk and root[0] == "add-t"
    from dask.core import get

    assert get(dsk, [root])[0] == sum(range(1, 10))


def test_per_task_compares_the_collector_with_a_plugin_that_does_nothing():
    m = scale.per_task(rounds=2, batch=50)
    assert set(m) == {"dashmon", "poll", "nothing", "task_stream"}
    assert all(len(v) == 2 and all(math.isfinite(x) for x in v) for v in m.values())
    (row,) = scale.per_task_rows(m)
    assert row.item == "3" and "do-nothing plugin" in row.detail


def test_apply_rows_give_the_median_its_target_and_every_rounds_spread():
    from bench import kernel

    (row,) = kernel.apply_rows([[0.001, 0.002, 0.003], [0.004, 0.005, 0.006]])
    assert row.value == 3.5 and row.unit == "ms" and row.met is False
    assert "rounds 2.00, 5.00 (range 2.00-5.00)" in row.detail


def test_apply_cpu_times_every_packed_delta():
    from bench import kernel

    (seconds,) = kernel.apply_cpu(rounds=1, deltas=3, log=lambda _: None)
    assert len(seconds) == 3 and all(s > 0 for s in seconds)
