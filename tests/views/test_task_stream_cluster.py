"""The Task Stream fed real records: a LocalCluster with worker processes, the
Listener writing the one task store, and the view switched between Live and
Fixed.  Both modes must draw each record in the same row, colour and label."""

from __future__ import annotations

from collections import Counter

from workloads import add, fail, inc

from jupyter_dashmon.aggregate import DashboardModel, Listener
from jupyter_dashmon.config import resolve_options
from jupyter_dashmon.views import TaskStreamView


def drawn(view) -> Counter:
    """Every rectangle as (label, row, colour), counted (a key can be moved twice)."""
    d = view.drawn()
    return Counter(zip(d["label"], (int(r) for r in d["row"]), d["color"]))


def test_live_and_fixed_draw_real_records_alike(client, waiter):
    model = DashboardModel()
    listener = Listener(client, model, resolve_options(interval=0.05))
    listener.start()
    try:
        xs = client.map(inc, range(40))
        ys = [client.submit(add, a, b) for a, b in zip(xs[::2], xs[1::2])]
        bad = client.map(fail, range(3))
        client.gather(ys)
        client.gather(bad, errors="skip")
        waiter(
            lambda: sum(r["prefix"] == "add" for r in model.tasks.records) >= 20,
            timeout=30,
            what="the add tasks in the stream",
        )
    finally:
        client.sync(listener.stop)
    records = model.tasks.records
    assert {r["status"] for r in records} == {"OK", "error"}
    view = TaskStreamView(model.tasks, model.progress, model.history, every=0.0)
    live = drawn(view)
    assert sum(live.values()) == len(records) and view.rectangles == len(records)
    assert view.live.count == len(records)
    view.mode.value = "fixed"
    assert model.tasks.mode == "fixed" and view.fixed.visible
    assert drawn(view) == live
    view.mode.value = "live"
    assert drawn(view) == live and not view.fixed.visible
    # Rows are the worker threads in the order the store first saw them.
    first_seen = list(dict.fromkeys((r["worker"], r["thread"]) for r in records))
    row_of = {text: row for (text, row, _), _ in live.items()}
    for r in records:
        if r["action"] == "compute":
            label = next(t for t in row_of if t.startswith(r["key"] + " | "))
            assert row_of[label] == first_seen.index((r["worker"], r["thread"]))
