"""Runs in the benchmark process: item 3, the collector's cost at scale (synthetic).

Builds a collector holding ``records`` task records over ``prefixes`` task
prefixes on ``workers`` workers by calling its hooks with the fake scheduler
objects of :mod:`.fakes`, then times :meth:`DashmonPlugin.poll`:

- a steady tick: 1,000 new records over 100 prefixes since the last poll
  (10,000 tasks per second at a 100 ms interval, a busy scheduler's pace);
- a tick when nothing changed;
- a first poll (a new dashboard: every prefix, 1,000 records, every worker);
- the resource sample (once per second while polled) over every worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import msgpack

from jupyter_dashmon.collect.plugin import DashmonPlugin

from . import stats
from .fakes import FakeScheduler, collector, finish, lifecycle, random_key, started_plugin
from .report import Row


def build(workers: int, prefixes: int, records: int) -> tuple[DashmonPlugin, FakeScheduler, float]:
    """A started collector holding ``records`` records; also seconds per hook call."""
    scheduler = FakeScheduler(workers)
    plugin = started_plugin(collector(history=max(records, 1), resource_interval=3600.0), scheduler)
    names = [f"func{i}" for i in range(prefixes)]
    addresses = list(scheduler.workers)
    t0 = time.time() - 60
    elapsed = 0.0
    for i in range(records):
        name = names[i % prefixes]
        key = random_key(name)
        elapsed += finish(
            plugin, scheduler, key, name, addresses[i % len(addresses)], t0 + i * 1e-4
        )
    return plugin, scheduler, elapsed / max(records, 1)


def _timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeats):
        c0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - c0)
    return times, result


def finish_now(coroutine: Any) -> Any:
    """Run a coroutine that does not wait (a poll with ``wait=0``) to its result.

    The collector's ``poll`` is a coroutine because it may hold an idle poll;
    with nothing to wait for it completes at its first step, so it is timed
    here without an event loop's own overhead.
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("the poll waited; benchmarks poll with wait=0")


class Subscriber:
    """A kernel's cursors, advanced by each reply, as the Listener keeps them."""

    def __init__(self, plugin: DashmonPlugin, name: str = "bench"):
        self.plugin = plugin
        self.request = {
            "subscriber": name,
            "epoch": "",
            "cursor": 0,
            "version": 0,
            "resource_cursor": 0,
            "worker_version": 0,
            "limit": 1000,
        }

    def poll(self) -> dict:
        delta = finish_now(self.plugin.poll(**self.request))
        self.request.update(
            epoch=delta["epoch"],
            cursor=delta["cursor"],
            version=delta["version"],
            resource_cursor=delta["resource_cursor"],
            worker_version=delta["worker_version"],
        )
        return delta


def measure(
    workers: int = 1000,
    prefixes: int = 5000,
    records: int = 100_000,
    repeats: int = 30,
    batch: int = 1000,
    touched: int = 100,
) -> dict[str, float]:
    """All item-3 figures, in seconds (and bytes for reply sizes)."""
    plugin, scheduler, hook = build(workers, prefixes, records)
    sub = Subscriber(plugin)
    first, delta = _timed(sub.poll, 1)
    first_bytes = len(msgpack.packb(delta))
    # A new subscriber each time measures the first poll repeatedly.
    first_polls = [
        _timed(Subscriber(plugin, f"new-{i}").poll, 1)[0][0] for i in range(min(repeats, 10))
    ]
    addresses = list(scheduler.workers)
    steady = []
    for r in range(repeats):
        for i in range(batch):
            name = f"func{(r * touched + i % touched) % prefixes}"
            finish(plugin, scheduler, random_key(name), name, addresses[i % len(addresses)])
        t, delta = _timed(sub.poll, 1)
        steady += t
    steady_bytes = len(msgpack.packb(delta))
    idle, delta = _timed(sub.poll, repeats * 10)
    idle_bytes = len(msgpack.packb(delta))
    plugin.resource_interval = 0.0
    sampled, _ = _timed(sub.poll, repeats)
    plugin.resource_interval = 3600.0
    return {
        "hook": hook,
        "first": stats.median(first_polls + first),
        "first_bytes": first_bytes,
        "steady": stats.median(steady),
        "steady_p95": stats.p95(steady),
        "steady_bytes": steady_bytes,
        "idle": stats.median(idle),
        "idle_p95": stats.p95(idle),
        "idle_bytes": idle_bytes,
        "idle_tasks": delta["tasks"]["n"],
        "idle_progress": len(delta["progress"]),
        "sampled_idle": stats.median(sampled),
        "retained": len(plugin.tasks),
    }


class _DoNothing:
    """A scheduler plugin whose hooks do nothing: what any transition hook costs."""

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        pass

    def update_graph(self, scheduler: Any, **kwargs: Any) -> None:
        pass


def per_task(rounds: int = 30, batch: int = 1000) -> dict[str, list[float]]:
    """Seconds per task over a task's whole life (hooks, then the poll that takes it
    in), for dashmon, a do-nothing plugin and distributed's TaskStreamPlugin,
    each minus the same loop with no plugin, in alternating rounds."""
    from distributed.diagnostics.task_stream import TaskStreamPlugin

    scheduler = FakeScheduler(4)
    worker = next(iter(scheduler.workers))
    plugin = started_plugin(collector(resource_interval=3600.0), scheduler)
    sub = Subscriber(plugin)
    sub.poll()
    others = {"nothing": _DoNothing(), "task_stream": TaskStreamPlugin(scheduler)}
    out: dict[str, list[float]] = {"dashmon": [], "poll": [], "nothing": [], "task_stream": []}
    for r in range(rounds):
        prefix = f"f{r % 5}"
        base = lifecycle(None, scheduler, batch, prefix, worker, time.time())
        hooks = lifecycle(plugin, scheduler, batch, prefix, worker, time.time())
        c0 = time.thread_time()
        sub.poll()
        poll = time.thread_time() - c0
        out["dashmon"].append((hooks - base + poll) / batch)
        out["poll"].append(poll / batch)
        for name, other in others.items():
            base = lifecycle(None, scheduler, batch, prefix, worker, time.time())
            spent = lifecycle(other, scheduler, batch, prefix, worker, time.time())
            out[name].append((spent - base) / batch)
    return out


def per_task_rows(m: dict[str, list[float]]) -> list[Row]:
    us = 1e6

    def fig(name: str) -> str:
        lo, mid, hi = (f(m[name]) * us for f in (min, stats.median, max))
        return f"{mid:.2f} us (range {lo:.2f}-{hi:.2f})"

    return [
        Row(
            "3",
            "collector per task, whole life, synthetic (hooks + poll)",
            stats.median(m["dashmon"]) * us,
            "us",
            "",
            None,
            f"of which the poll {fig('poll')}; a do-nothing plugin {fig('nothing')}; "
            f"distributed's TaskStreamPlugin {fig('task_stream')}; {len(m['dashmon'])} "
            "alternating rounds of 1,000 tasks released -> waiting -> processing -> memory "
            "-> released -> forgotten, real TaskStates, no scheduler around them, CPU time",
        )
    ]


def rows(m: dict[str, float], workers: int, prefixes: int, records: int) -> list[Row]:
    scale = f"{workers:,} workers, {prefixes:,} prefixes, {m['retained']:,} records"
    ms = 1e3
    return [
        Row(
            "3",
            "poll, steady tick (1,000 new records, 100 prefixes changed)",
            m["steady"] * ms,
            "ms",
            "<= 2 ms",
            m["steady"] <= 2e-3,
            f"{scale}; p95 {m['steady_p95'] * ms:.2f} ms; reply {m['steady_bytes'] / 1024:.0f} KiB",
        ),
        Row(
            "3",
            "poll, nothing changed",
            m["idle"] * ms,
            "ms",
            "<= 0.1 ms",
            m["idle"] <= 1e-4,
            f"p95 {m['idle_p95'] * ms:.3f} ms; reply still sent: {m['idle_bytes']} B, "
            f"{m['idle_tasks']} tasks, {m['idle_progress']} prefixes",
        ),
        Row(
            "3",
            "poll, first (new dashboard: all prefixes and workers)",
            m["first"] * ms,
            "ms",
            "",
            None,
            f"reply {m['first_bytes'] / 1024:.0f} KiB",
        ),
        Row(
            "3",
            "poll with resource sample (once a second)",
            m["sampled_idle"] * ms,
            "ms",
            "",
            None,
            f"loops over {workers:,} workers",
        ),
    ]
