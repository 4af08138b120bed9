"""The Task Stream fed real records: a LocalCluster with worker processes, the
Listener writing the one task store, and the view switched between Live and
Fixed.  Both modes must draw each record in the same row, colour and label;
the canvas is sent each record once, and everything again when a new page
model asks for it."""

from __future__ import annotations

from collections import Counter

import numpy as np
from rect_batches import record_batches
from workloads import add, fail, inc

from jupyter_dashmon.aggregate import DashboardModel, Listener, segments
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
    assert view.figure.count == len(records)
    view.mode.value = "fixed"
    assert model.tasks.mode == "fixed" and "fixed window" in view.figure.title
    assert drawn(view) == live
    view.mode.value = "live"
    assert drawn(view) == live and "last" in view.figure.title
    # Rows are the worker threads in the order the store first saw them.
    first_seen = list(dict.fromkeys((r["worker"], r["thread"]) for r in records))
    row_of = {text: row for (text, row, _), _ in live.items()}
    for r in records:
        if r["action"] == "compute":
            label = next(t for t in row_of if t.startswith(r["key"] + " | "))
            assert row_of[label] == first_seen.index((r["worker"], r["thread"]))


def test_canvas_gets_each_record_once_and_all_on_resend(client, waiter, monkeypatch):
    model = DashboardModel()
    listener = Listener(client, model, resolve_options(interval=0.05))
    view = TaskStreamView(model.tasks, model.progress, model.history, every=0.0)
    sent = record_batches(monkeypatch, view.figure)
    listener.start()
    try:
        client.gather(client.map(inc, range(30)))
        waiter(lambda: view.rectangles >= 30, timeout=30, what="the first 30 tasks drawn")
        client.gather(client.map(inc, range(100, 120)))
        waiter(lambda: view.rectangles >= 50, timeout=30, what="20 more tasks drawn")
    finally:
        client.sync(listener.stop)
    window = view.window.segments
    shown = view.figure.drawn()
    assert shown["label"] == segments.drawn(window)["label"]
    assert len(shown["x0"]) == len(model.tasks.records)
    keys = {r["key"] for r in model.tasks.records}
    # "key | worker | duration", or "transfer: key | ..." for other actions.
    assert {label.split(" | ")[0].split(": ")[-1] for label in shown["label"]} == keys
    # Every record went once: appends after the first replace, none sent twice.
    ops = [c["op"] for _, c, _ in sent]
    assert ops[0] == "replace" and set(ops[1:]) <= {"append"} and len(ops) >= 2
    texts = [text for _, c, _ in sent for text in c["texts"]]
    assert len(texts) == len(set(texts)) == len(shown["label"])
    for _, content, buffers in sent:
        n = content["count"]
        assert [len(b) for b in buffers] == [4 * n, 4 * n, 4 * n, n, 4 * n, n, 8 * n]
    # A page that reloads has a new model, which asks for everything.
    sent.clear()
    view.figure._handle_custom_msg({"op": "resend"}, [])
    ((_, content, buffers),) = sent
    assert content["op"] == "replace" and content["texts"] == [
        label.split(" | ")[0].split(": ")[-1] for label in shown["label"]
    ]
    x0 = np.frombuffer(buffers[0], dtype=np.float32)
    assert np.allclose(x0, np.asarray(shown["x0"], dtype=np.float32))
    colors = [content["colors"][i] for i in np.frombuffer(buffers[3], dtype=np.uint8)]
    assert colors == shown["color"]
