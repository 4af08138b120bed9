"""Runs in the benchmark process: item 4, memory per task record and in the kernel.

Scheduler side: the bytes that :class:`DashmonPlugin` and distributed's
``TaskStreamPlugin`` keep per retained record, measured with tracemalloc in
the same run.  Each task goes processing -> memory -> released -> forgotten
through the hooks with a fresh ``inc-<32 hex>`` key and a fresh message (as
deserialised from a worker), and the scheduler forgets it afterwards; what is
still allocated at the end is what the plugin keeps (including the key text
it alone keeps alive, and its preallocated ring).

Kernel side: a real :class:`jupyter_dashmon.Dashboard` (models and every
view) with its poller stopped, fed deltas of 1,000 records each; the first is
a real reply of a collector driven with :mod:`.fakes`, the rest are copies
with fresh keys and later times.  RSS and the Python heap are read at
checkpoints up to ``total`` tasks.
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from collections.abc import Callable

import psutil

from . import stats
from .fakes import FakeScheduler, collector, finished_message, random_key, started_plugin
from .report import Row


def _drive(plugin: object, scheduler: FakeScheduler, n: int, prefix: str = "inc") -> None:
    from distributed.scheduler import TaskState

    group = scheduler.group(prefix)
    worker = next(iter(scheduler.workers))
    t0 = time.time()
    for i in range(n):
        key = random_key(prefix)
        ts = TaskState(key, None, "released", group, False)
        ts.nbytes = 28
        scheduler.tasks[key] = ts
        ts.state = "processing"
        ts.state = "memory"
        plugin.transition(key, "processing", "memory", **finished_message(worker, t0 + i * 1e-4))
        ts.state = "released"
        plugin.transition(key, "memory", "released", stimulus_id="free")
        ts.state = "forgotten"
        plugin.transition(key, "released", "forgotten", stimulus_id="free")
        del scheduler.tasks[key]


def retained_bytes(make: Callable[[FakeScheduler], object], n: int) -> tuple[float, object]:
    """Bytes still allocated after ``n`` tasks went through the plugin ``make`` builds."""
    scheduler = FakeScheduler(4)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        plugin = make(scheduler)
        _drive(plugin, scheduler, n)
        # dashmon makes its records when it is polled; a poll would do this.
        getattr(plugin, "_drain", lambda: None)()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, plugin


def per_record(n: int = 100_000) -> dict[str, float]:
    """Bytes per retained record for dashmon and TaskStreamPlugin (same messages)."""
    from distributed.diagnostics.task_stream import TaskStreamPlugin

    random.seed(1)
    dash, plugin = retained_bytes(lambda s: started_plugin(collector(history=n), s), n)
    random.seed(1)
    stream, tsp = retained_bytes(lambda s: TaskStreamPlugin(s, maxlen=n), n)
    return {
        "dashmon": dash / len(plugin.tasks),
        "task_stream": stream / len(tsp.buffer),
        "records": len(plugin.tasks),
        "ring_nbytes": plugin.tasks.nbytes() / len(plugin.tasks),
    }


# -- kernel ---------------------------------------------------------------


def template_deltas(batch: int) -> tuple[dict, dict]:
    """A real first reply (reset) and a real steady reply of ``batch`` records."""
    from .fakes import finish
    from .scale import Subscriber

    scheduler = FakeScheduler(8)
    plugin = started_plugin(collector(history=100_000, resource_interval=0.0), scheduler)
    workers = list(scheduler.workers)
    sub = Subscriber(plugin)
    sub.request["limit"] = batch
    first = sub.poll()
    now = time.time()
    for i in range(batch):
        name = ("inc", "dec", "add", "sum")[i % 4]
        finish(plugin, scheduler, random_key(name), name, workers[i % len(workers)], now + i * 1e-4)
    steady = sub.poll()
    return first, steady


def synthetic_deltas(template: dict, start_cursor: int, n: int, step: float):
    """``n`` copies of ``template`` with fresh keys, later times and cursors.

    The template's task records are packed as the collector sends them; each
    copy is packed again, so the kernel sees what a real steady poll carries.
    """
    import numpy as np

    from jupyter_dashmon.collect.packing import TASK_WIRE

    packed = template["tasks"]
    size = packed["n"]
    columns = packed["columns"]
    start = np.frombuffer(columns["start"], dtype="<" + TASK_WIRE["start"])
    stop = np.frombuffer(columns["stop"], dtype="<" + TASK_WIRE["stop"])
    t0 = float(start.min()) if size else 0.0
    heads = [k.rsplit("-", 1)[0] for k in columns["key"]]
    for i in range(n):
        shift = (i + 1) * step
        delta = dict(template)
        cols = dict(columns)
        cols["key"] = [f"{h}-{random.getrandbits(128):032x}" for h in heads]
        cols["start"] = (start + shift).astype("<f8").tobytes()
        cols["stop"] = (stop + shift).astype("<f8").tobytes()
        delta["tasks"] = {**packed, "columns": cols}
        delta["reset"] = False
        delta["cursor"] = start_cursor + (i + 1) * size
        delta["now"] = template["now"] + shift
        if i % 10:  # resources and the worker table arrive about once a second
            delta["resources"] = {k: [] for k in template["resources"]}
            if "worker_table" in delta:
                delta["worker_table"] = None
        else:
            delta["resources"] = {
                k: ([v + shift for v in vals] if k == "time" else list(vals))
                for k, vals in template["resources"].items()
            }
        if i % 10:
            delta["progress"] = {}
        delta["workers"] = None
        yield delta, t0 + shift


def kernel_memory(
    total: int = 1_000_000, batch: int = 1000, checkpoints=(100_000, 500_000, 1_000_000)
):
    """RSS and Python heap of a fed Dashboard at each checkpoint, and apply() CPU."""
    import logging

    from distributed import Client, LocalCluster

    from jupyter_dashmon import Dashboard

    out: dict = {"rss": {}, "apply": []}
    with (
        LocalCluster(
            n_workers=0, processes=False, dashboard_address=None, silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,
    ):
        dash = Dashboard(client)
        deadline = time.monotonic() + 30
        while dash.listener.polls < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        client.sync(dash.listener.stop)
        first, steady = template_deltas(batch)
        dash.listener.apply(first)
        proc = psutil.Process()
        done = 0
        marks = sorted(c for c in checkpoints if c <= total)
        gc.collect()
        out["rss"][0] = proc.memory_info().rss
        for delta, _ in synthetic_deltas(steady, first["cursor"], total // batch, step=0.1):
            c0 = time.thread_time()
            dash.listener.apply(delta)
            out["apply"].append(time.thread_time() - c0)
            done += batch
            if marks and done >= marks[0]:
                gc.collect()
                out["rss"][marks.pop(0)] = proc.memory_info().rss
        out["records_held"] = len(dash.model.tasks.records)
        dash.close()
    return out


def rows(rec: dict, kern: dict | None, batch: int = 1000) -> list[Row]:
    out = [
        Row(
            "4",
            "scheduler bytes per retained record, dashmon",
            rec["dashmon"],
            "B",
            "<= 200",
            rec["dashmon"] <= 200,
            f"{rec['records']:,} records, tracemalloc; "
            f"ring columns {rec['ring_nbytes']:.0f} B/record, rest is the key text kept alive",
        ),
        Row(
            "4",
            "scheduler bytes per retained record, TaskStreamPlugin",
            rec["task_stream"],
            "B",
            "",
            None,
            f"same messages; dashmon/TaskStreamPlugin = {rec['dashmon'] / rec['task_stream']:.2f}",
        ),
    ]
    if kern:
        rss = kern["rss"]
        marks = sorted(k for k in rss if k)
        growth = (rss[marks[-1]] - rss[marks[0]]) / 2**20 if len(marks) > 1 else float("nan")
        detail = "RSS " + ", ".join(
            f"{k // 1000:,}k: {rss[k] / 2**20:.0f} MiB" for k in [0] + marks
        )
        out.append(
            Row(
                "4",
                f"kernel RSS growth {marks[0] // 1000:,}k -> {marks[-1] // 1000:,}k tasks",
                growth,
                "MiB",
                "bounded (~0)",
                abs(growth) < 20,
                detail,
            )
        )
        ms = [a * 1e3 for a in kern["apply"]]
        out.append(
            Row(
                "8",
                f"Listener.apply CPU per {batch:,}-record delta (synthetic)",
                stats.median(ms),
                "ms",
                "",
                None,
                f"p95 {stats.p95(ms):.1f} ms; models and every view attached; "
                "no kernel, so no comm serialisation",
            )
        )
    return out
