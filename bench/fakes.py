"""Runs in the benchmark process: a scheduler without a scheduler, for synthetic benchmarks.

Synthetic benchmarks drive :class:`~jupyter_dashmon.collect.plugin.DashmonPlugin`
directly.  The task, prefix, group and worker objects are distributed's own
(``TaskState``, ``TaskPrefix``, ``TaskGroup``, ``WorkerState``, whose state
setters keep the per-prefix counts); only the ``Scheduler`` is a stand-in that
holds them in the dictionaries the collector reads.  A real scheduler does
more work around every hook call, and no event loop runs here.
"""

from __future__ import annotations

import asyncio
import pickle
import random
import time
from typing import Any

from distributed.core import Status
from distributed.scheduler import TaskGroup, TaskPrefix, TaskState, WorkerState

from jupyter_dashmon.collect.plugin import DashmonPlugin
from jupyter_dashmon.config import DEFAULT_OPTIONS, collector_options


def worker_state(i: int) -> WorkerState:
    """A real ``WorkerState`` with a plausible last heartbeat."""
    ws = WorkerState(
        address=f"tcp://127.0.{i // 250 % 250}.{1 + i % 250}:{40000 + i}",
        status=Status.running,
        pid=1000 + i,
        name=str(i),
        nthreads=2,
        memory_limit=4 * 2**30,
        local_directory="/tmp",
        nanny=None,
        server_id=f"server-{i}",
    )
    ws.metrics = {
        "cpu": random.uniform(0, 200),
        "memory": random.uniform(1e8, 2e9),
        "managed_bytes": 0,
        "spilled_bytes": {"memory": 0, "disk": 0},
        "host_net_io": {"read_bps": 1e5, "write_bps": 2e5},
        "host_disk_io": {"read_bps": 0.0, "write_bps": 0.0},
    }
    return ws


class FakeScheduler:
    """The containers of a ``Scheduler`` that the collector reads, holding real states."""

    def __init__(self, workers: int):
        self.tasks: dict[Any, TaskState] = {}
        self.task_prefixes: dict[str, TaskPrefix] = {}
        self.task_groups: dict[str, TaskGroup] = {}
        self.workers = {ws.address: ws for ws in (worker_state(i) for i in range(workers))}
        self.handlers: dict[str, Any] = {}
        self.plugins: dict[str, Any] = {}
        self.clients: dict[str, Any] = {}

    def group(self, prefix: str) -> TaskGroup:
        """The (one) task group of ``prefix``, created on first use."""
        tg = self.task_groups.get(prefix)
        if tg is None:
            tp = self.task_prefixes.get(prefix)
            if tp is None:
                tp = self.task_prefixes[prefix] = TaskPrefix(prefix)
            tg = self.task_groups[prefix] = TaskGroup(prefix, tp)
        return tg

    def remove_plugin(self, name: str) -> None:
        self.plugins.pop(name, None)


def random_key(prefix: str) -> str:
    """A key as ``client.map`` makes them: ``inc-<32 hex digits>``."""
    return f"{prefix}-{random.getrandbits(128):032x}"


def finished_message(worker: str, start: float, duration: float = 0.001) -> dict[str, Any]:
    """The keyword arguments a scheduler passes to ``transition`` for a finished task.

    Shaped like distributed's ``TaskFinishedMsg`` after the scheduler took
    ``key`` and ``run_id`` out and added ``worker`` and ``stimulus_id``; every
    value is a fresh object, as it is after deserialising a worker's message.
    """
    return {
        "stimulus_id": f"task-finished-{start + duration!r}",
        "worker": worker,
        "metadata": {},
        "nbytes": 28,
        "type": pickle.dumps(int),
        "typename": "int",
        "thread": 140_000_000_000_000 + random.randrange(4),
        "startstops": [{"action": "compute", "start": start, "stop": start + duration}],
        "status": "OK",
    }


def collector(**settings: Any) -> DashmonPlugin:
    """A collector with the default settings, some replaced by ``settings``."""
    return DashmonPlugin(**(collector_options(DEFAULT_OPTIONS) | settings))


def started_plugin(plugin: Any, scheduler: FakeScheduler) -> Any:
    """``plugin`` after its async ``start`` against ``scheduler`` (lease timer inert)."""

    async def go() -> None:
        await plugin.start(scheduler)

    asyncio.run(go())
    return plugin


def finish(
    plugin: Any,
    scheduler: FakeScheduler,
    key: str,
    prefix: str,
    worker: str,
    start: float | None = None,
) -> float:
    """Create ``key`` as processing and drive it to memory through ``plugin``.

    Returns the seconds spent in ``plugin.transition`` alone.
    """
    ts = TaskState(key, None, "released", scheduler.group(prefix), False)
    ts.nbytes = 28
    scheduler.tasks[key] = ts
    ts.state = "processing"
    ts.state = "memory"
    msg = finished_message(worker, time.time() if start is None else start)
    c0 = time.perf_counter()
    plugin.transition(key, "processing", "memory", **msg)
    return time.perf_counter() - c0


def lifecycle(
    plugin: Any, scheduler: FakeScheduler, n: int, prefix: str, worker: str, start: float
) -> float:
    """``n`` tasks of ``prefix`` through the life a finished, then released, result has.

    Calls the collector's hooks as a scheduler does: ``update_graph`` once,
    then per task ``released -> waiting -> processing -> memory -> released
    -> forgotten`` with the scheduler's keyword arguments (the state setter
    runs first, as in ``Scheduler._transition``).  ``plugin=None`` runs the
    same loop without calling any hook.  Returns the CPU seconds of the loop.
    """
    tg = scheduler.group(prefix)
    keys = [random_key(prefix) for _ in range(n)]
    states = []
    for key in keys:
        ts = TaskState(key, None, "released", tg, False)
        scheduler.tasks[key] = ts
        states.append(ts)
    msgs = []
    for i in range(n):
        msg = finished_message(worker, start + i * 1e-4)
        del msg["stimulus_id"]
        msgs.append(msg)
    steps = (
        ("released", "waiting"),
        ("waiting", "processing"),
        ("processing", "memory"),
        ("memory", "released"),
        ("released", "forgotten"),
    )
    empty: dict[str, Any] = {}
    c0 = time.thread_time()
    if plugin is not None:
        plugin.update_graph(
            scheduler,
            client="bench",
            keys=set(keys),
            tasks=keys,
            annotations={},
            priority={},
            stimulus_id="bench",
        )
    for ts, msg in zip(states, msgs):
        ts.nbytes = 28
        for begin, end in steps:
            ts.state = end
            if plugin is not None:
                kwargs = msg if end == "memory" else empty
                plugin.transition(ts.key, begin, end, stimulus_id="bench", **kwargs)
            if end == "forgotten":
                del scheduler.tasks[ts.key]
    return time.thread_time() - c0
