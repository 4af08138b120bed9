"""Runs in the scheduler: the collector behind every dashboard.

:class:`DashmonPlugin` is a ``distributed`` :class:`SchedulerPlugin`.  It keeps
compact, bounded state and answers polls from kernels over the scheduler's
ordinary RPC (the Client's own connection; no port is opened):

- progress per task prefix, read from the scheduler's own per-prefix state
  counts for the prefixes touched since the asker's last poll (cost grows with
  prefixes, never with tasks), plus a count of completed tasks that were
  forgotten so finished computations keep their bars;
- bytes in memory per prefix, kept incrementally in the transition hook;
- a ring of task records (one row per start/stop of a finished task), about
  130 bytes per row, with a cursor;
- a ring of cluster-wide resource samples, taken lazily when someone polls.

It imports the standard library and ``distributed`` only, and is shipped to
the scheduler by value, so the scheduler does not need ``jupyter_dashmon``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from distributed.diagnostics.plugin import SchedulerPlugin

from .books import ErrorBook, RunBook
from .messages import (
    ACTIONS,
    DETAIL_KEYS,
    PLUGIN_NAME,
    POLL_OP,
    RESOURCE_FIELDS,
    RUN_ANNOTATION,
    UNSUBSCRIBE_OP,
    Delta,
    PrefixCounts,
    ResourceColumns,
    TaskColumns,
    WorkerDetail,
    WorkerInfo,
    WorkerTable,
    ring_columns,
)
from .ring import Ring
from .sampling import take_sample

logger = logging.getLogger("jupyter_dashmon")

#: Longest a poll with nothing to say is held before it is answered (seconds).
MAX_WAIT = 5.0

_ACTION_CODE = {name: i for i, name in enumerate(ACTIONS)}
_OTHER = _ACTION_CODE["other"]
_TASK_COLUMNS = ring_columns(TaskColumns)
_RESOURCE_COLUMNS = ring_columns(ResourceColumns)
#: Positions in a resource sample of the readings that tell a busy cluster from noise.
_COMPARED = tuple(
    map(RESOURCE_FIELDS.index, ("cpu", "memory", "memory_limit", "network_read", "network_write"))
)


def key_text(key: Any, limit: int) -> str:
    """A task key as display text, at most ``limit`` characters.

    Tuples, integers and bytes become readable text; long keys are cut with an
    ellipsis so that one odd key cannot blow up the record store.
    """
    if isinstance(key, str):
        text = key
    elif isinstance(key, bytes):
        text = key.decode("utf-8", "replace")
    else:
        text = str(key)
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return text


def _similar(sample: tuple, previous: tuple) -> bool:
    """Whether two resource samples differ only by noise (CPU within 5 points,
    memory within 2 %, network below 64 kB/s and within 2 %)."""
    if not previous:
        return False
    cpu, memory, limit, read, write = (sample[i] for i in _COMPARED)
    cpu0, memory0, limit0, read0, write0 = (previous[i] for i in _COMPARED)
    if abs(cpu - cpu0) > 5 or limit != limit0 or abs(memory - memory0) > 0.02 * max(memory0, 1.0):
        return False
    return all(
        rate < 65536 or abs(rate - rate0) <= 0.02 * rate0
        for rate, rate0 in ((read, read0), (write, write0))
    )


class DashmonPlugin(SchedulerPlugin):
    """Scheduler-side collector shared by every dashboard on one scheduler.

    Parameters
    ----------
    history : int
        Task records kept (rows; a task with a transfer has two).
    resource_samples : int
        Resource samples kept.
    resource_interval : float
        Seconds between resource samples (taken only while someone polls).
    lease : float
        Seconds after which a subscriber that stopped polling is dropped; the
        collector removes itself when its last subscriber goes.
    key_limit : int
        Longest task-key text kept in a record.
    runs_kept : int
        Runs (cell executions, tracked blocks) whose counts are kept.
    error_groups : int
        Groups of failed tasks kept.

    Every parameter is required: the kernel passes the values it resolved from
    ``jupyter_dashmon.config`` (``collector_options``), the one table of
    defaults, which this scheduler-side module cannot import.
    """

    name = PLUGIN_NAME
    idempotent = True

    def __init__(
        self,
        *,
        history: int,
        resource_samples: int,
        resource_interval: float,
        lease: float,
        key_limit: int,
        runs_kept: int,
        error_groups: int,
    ):
        self.history = history
        self.resource_samples = resource_samples
        self.resource_interval = resource_interval
        self.lease = lease
        self.key_limit = key_limit
        self.runs_kept = runs_kept
        self.error_groups = error_groups
        self.scheduler: Any = None

    # -- lifecycle ---------------------------------------------------------

    async def start(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.epoch = uuid.uuid4().hex
        self.tasks = Ring(self.history, _TASK_COLUMNS)
        self.resources = Ring(self.resource_samples, _RESOURCE_COLUMNS)
        self._last_sample = 0.0
        self._in_memory: dict[Any, int] = {}
        self._nbytes: dict[str, int] = {}
        self._finished: dict[str, int] = {}
        self._forgotten_erred: dict[str, int] = {}
        self._closed_prefixes: set[str] = set()
        self._touched: set[str] = set()
        self._versions: dict[str, int] = {}
        self.runs = RunBook(self.runs_kept)
        self.errors = ErrorBook(self.error_groups, self._key_text)
        self._version = 0
        self._worker_version = 1
        self._subscribers: dict[str, float] = {}
        self._idle_since = time.monotonic()
        self.cost = 0.0
        self._hook_calls = 0
        self._hook_timed = 0.0
        self._worker_table: WorkerTable | None = None
        self._recorded: tuple = ()
        self._waiters: dict[str, asyncio.Future] = {}
        self._recorded_activity: tuple = ()
        self._handlers = {POLL_OP: self.poll, UNSUBSCRIBE_OP: self.unsubscribe}
        scheduler.handlers.update(self._handlers)
        for ts in scheduler.tasks.values():
            self._touched.add(ts.prefix.name)
            if ts.state == "memory":
                self._add_memory(ts.key, ts.prefix.name, ts.nbytes)
        self._lease_handle: asyncio.TimerHandle | None = None
        self._schedule_lease_check()

    async def close(self) -> None:
        self._teardown()

    def _teardown(self) -> None:
        if self.scheduler is None:
            return
        for op, handler in self._handlers.items():
            if self.scheduler.handlers.get(op) == handler:
                del self.scheduler.handlers[op]
        self._handlers = {}
        if self._lease_handle is not None:
            self._lease_handle.cancel()
            self._lease_handle = None
        self._wake()
        # A removed collector can stay referenced for a while (by the scheduler's
        # handler of the comm that unsubscribed); keep nothing big alive with it.
        self.tasks = Ring(1, _TASK_COLUMNS)
        self.resources = Ring(1, _RESOURCE_COLUMNS)
        self._in_memory, self._nbytes, self._versions = {}, {}, {}
        self.runs, self.errors = RunBook(1), ErrorBook(1, self._key_text)
        self._worker_table = None

    def _schedule_lease_check(self) -> None:
        loop = asyncio.get_running_loop()
        self._lease_handle = loop.call_later(min(self.lease, 10.0), self._check_leases)

    def _check_leases(self) -> None:
        now = time.monotonic()
        for subscriber, seen in list(self._subscribers.items()):
            if now - seen > self.lease:
                del self._subscribers[subscriber]
                self._idle_since = seen
                logger.info(
                    "dashmon: dropped subscriber %s, silent for %.0f s", subscriber, now - seen
                )
        if not self._subscribers and now - self._idle_since > self.lease:
            self._remove_self()
            return
        self._schedule_lease_check()

    def _remove_self(self) -> None:
        self._teardown()
        if self.scheduler.plugins.get(self.name) is self:
            self.scheduler.remove_plugin(name=self.name)

    # -- scheduler hooks (hot path: O(1) per call) --------------------------

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        self._hook_calls += 1
        if self._waiters:
            self._wake()
        if self._hook_calls & 63:
            self._transition(key, start, finish, kwargs)
        else:
            t0 = time.perf_counter()
            self._transition(key, start, finish, kwargs)
            self._hook_timed += time.perf_counter() - t0

    def _transition(self, key: Any, start: str, finish: str, kwargs: dict) -> None:
        ts = self.scheduler.tasks.get(key)
        if ts is None:
            return
        prefix = ts.prefix.name
        self._touched.add(prefix)
        if prefix in self._closed_prefixes and finish != "forgotten":
            # A prefix whose tasks were all forgotten comes back: new computation.
            self._closed_prefixes.discard(prefix)
            self._finished.pop(prefix, None)
            self._forgotten_erred.pop(prefix, None)
        if finish == "memory":
            self._add_memory(key, prefix, ts.nbytes)
        elif start == "memory":
            self._drop_memory(key, prefix)
        if start == "processing" and (finish == "memory" or finish == "erred"):
            startstops = kwargs.get("startstops")
            if startstops:
                self._record(key, prefix, kwargs, startstops, finish == "erred")
            if finish == "erred":
                self.errors.add(key, prefix, kwargs, self.runs.run_of(key), time.time())
        elif finish == "forgotten":
            self._forget(ts, prefix, start)
        if finish == "memory" or finish == "erred" or finish == "forgotten" or start == "erred":
            self.runs.transition(key, prefix, start, finish, ts.nbytes)

    def update_graph(
        self, scheduler: Any, *, tasks: Any = (), annotations: Any = None, **kwargs: Any
    ) -> None:
        runs = (annotations or {}).get(RUN_ANNOTATION) or {}
        self.runs.add(tasks, runs, self.scheduler.tasks, time.time())

    def _key_text(self, key: Any) -> str:
        return key_text(key, self.key_limit)

    def add_worker(self, scheduler: Any = None, worker: str | None = None) -> None:
        self._worker_version += 1
        self._wake()

    def remove_worker(
        self, scheduler: Any = None, worker: str | None = None, **kwargs: Any
    ) -> None:
        self._worker_version += 1
        self._wake()

    def remove_client(self, scheduler: Any = None, client: str = "") -> None:
        # Subscribers are named "<client id>/...": a Client that closes, or whose
        # kernel died, leaves nothing here, and the last one out removes the collector.
        gone = [s for s in self._subscribers if s.startswith(f"{client}/")]
        for subscriber in gone:
            self.unsubscribe(subscriber)

    def _add_memory(self, key: Any, prefix: str, nbytes: int) -> None:
        nbytes = nbytes if isinstance(nbytes, int) and nbytes > 0 else 0
        old = self._in_memory.get(key, 0)
        self._in_memory[key] = nbytes
        self._nbytes[prefix] = self._nbytes.get(prefix, 0) + nbytes - old

    def _drop_memory(self, key: Any, prefix: str) -> None:
        nbytes = self._in_memory.pop(key, None)
        if nbytes:
            self._nbytes[prefix] = max(self._nbytes.get(prefix, 0) - nbytes, 0)

    def _forget(self, ts: Any, prefix: str, start: str) -> None:
        if start == "memory" or start == "released":
            self._finished[prefix] = self._finished.get(prefix, 0) + 1
        elif start == "erred":
            self._forgotten_erred[prefix] = self._forgotten_erred.get(prefix, 0) + 1
        states = ts.prefix.states
        if sum(states.values()) - states.get("forgotten", 0) == 0:
            self._closed_prefixes.add(prefix)

    def _record(self, key: Any, prefix: str, msg: dict, startstops: list, erred: bool) -> None:
        worker = msg.get("worker")
        ws = self.scheduler.workers.get(worker)
        worker = ws.address if ws is not None else str(worker)
        thread = msg.get("thread")
        thread = thread & 0x7FFFFFFFFFFFFFFF if isinstance(thread, int) else 0
        text = key_text(key, self.key_limit)
        append = self.tasks.append
        for ss in startstops:
            try:
                start = float(ss["start"])
                stop = float(ss["stop"])
            except (KeyError, TypeError, ValueError):
                continue
            action = _ACTION_CODE.get(ss.get("action"), _OTHER)
            code = action * 2 + (1 if erred and action == 0 else 0)
            run = self.runs.record(key, ACTIONS[action], stop - start)
            append(text, prefix, worker, thread, start, stop, code, run)

    # -- polls -----------------------------------------------------------

    async def poll(
        self,
        subscriber: str = "",
        epoch: str = "",
        cursor: int = 0,
        version: int = 0,
        resource_cursor: int = 0,
        worker_version: int = 0,
        limit: int = 1000,
        detail: str = "",
        wait: float = 0.0,
    ) -> Delta:
        """Everything newer than the caller's cursors (the RPC handler).

        When there is nothing new, the answer is held for up to ``wait``
        seconds (at most :data:`MAX_WAIT`) until something changes, so an idle
        cluster costs one small message per ``wait`` rather than one per
        interval.
        """
        self._subscribers[subscriber] = time.monotonic()
        deadline = time.monotonic() + min(max(float(wait), 0.0), MAX_WAIT)
        known = epoch == self.epoch and not detail
        while known and not self._news(cursor, version, resource_cursor, worker_version):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            waiter = asyncio.get_running_loop().create_future()
            self._waiters[subscriber] = waiter
            try:
                await asyncio.wait_for(waiter, min(remaining, self.resource_interval))
            except asyncio.TimeoutError:
                pass
            finally:
                self._waiters.pop(subscriber, None)
            if subscriber not in self._subscribers:
                break  # unsubscribed meanwhile: answer at once, do not come back
            if time.time() - self._last_sample >= self.resource_interval:
                self._sample(time.time())
        return self._answer(
            subscriber, epoch, cursor, version, resource_cursor, worker_version, limit, detail
        )

    def _news(self, cursor: int, version: int, resource_cursor: int, worker_version: int) -> bool:
        return bool(
            self._touched
            or self.runs.changes.touched
            or self.errors.changes.touched
            or self._version > version
            or self.tasks.count > cursor
            or self.resources.count > resource_cursor
            or self._worker_version != worker_version
        )

    def _wake(self) -> None:
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_result(None)

    def _answer(
        self,
        subscriber: str,
        epoch: str,
        cursor: int,
        version: int,
        resource_cursor: int,
        worker_version: int,
        limit: int,
        detail: str,
    ) -> Delta:
        t0 = time.perf_counter()
        now = time.time()
        reset = epoch != self.epoch
        if reset:
            cursor = version = resource_cursor = worker_version = 0
        if now - self._last_sample >= self.resource_interval:
            self._sample(now)
        self._flush_touched()
        tasks, dropped = self.tasks.since(cursor, limit)
        resources, _ = self.resources.since(resource_cursor)
        delta: Delta = {
            "epoch": self.epoch,
            "reset": reset,
            "now": now,
            "cursor": self.tasks.count,
            "dropped": dropped,
            "tasks": tasks,  # type: ignore[typeddict-item]
            "version": self._version,
            "progress": self._progress_since(version),
            "resource_cursor": self.resources.count,
            "resources": resources,  # type: ignore[typeddict-item]
            "worker_version": self._worker_version,
            "workers": self._workers() if worker_version != self._worker_version else None,
            "worker_table": self._worker_table if resource_cursor < self.resources.count else None,
            "detail": self._detail(detail) if detail else None,
            "runs": {
                name: {
                    **run,
                    "prefixes": dict(run["prefixes"]),
                    "finished": dict(run["finished"]),
                    "seconds": dict(run["seconds"]),
                }
                for name, run in self.runs.changed_since(version).items()
            },
            "errors": [
                {**group, "keys": list(group["keys"]), "workers": list(group["workers"])}
                for group in self.errors.changed_since(version)
            ],
            "cost": self.cost + self._hook_cost(),
        }
        self.cost += time.perf_counter() - t0
        return delta

    def unsubscribe(self, subscriber: str = "") -> int:
        """Forget a subscriber; the last one out removes the collector."""
        self._subscribers.pop(subscriber, None)
        waiter = self._waiters.pop(subscriber, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if not self._subscribers:
            self._remove_self()
        return len(self._subscribers)

    def _flush_touched(self) -> None:
        if not (self._touched or self.runs.changes.touched or self.errors.changes.touched):
            return
        self._version += 1
        self.runs.changes.flush(self._version)
        self.errors.changes.flush(self._version)
        versions = self._versions
        for prefix in self._touched:
            versions.pop(prefix, None)
            versions[prefix] = self._version
        self._touched = set()

    def _progress_since(self, version: int) -> dict[str, PrefixCounts]:
        out: dict[str, PrefixCounts] = {}
        prefixes = self.scheduler.task_prefixes
        for prefix, changed in reversed(self._versions.items()):
            if changed <= version:
                break
            tp = prefixes.get(prefix)
            out[prefix] = self._counts(prefix, tp.states if tp is not None else {})
        return out

    def _counts(self, prefix: str, states: dict) -> PrefixCounts:
        finished = self._finished.get(prefix, 0)
        erred_gone = self._forgotten_erred.get(prefix, 0)
        live = sum(states.values()) - states.get("forgotten", 0)
        memory = states.get("memory", 0)
        released = states.get("released", 0)
        return {
            "total": live + finished + erred_gone,
            "done": memory + released + finished,
            "memory": memory,
            "released": released + finished,
            "erred": states.get("erred", 0) + erred_gone,
            "processing": states.get("processing", 0),
            "waiting": states.get("waiting", 0),
            "queued": states.get("queued", 0),
            "no_worker": states.get("no-worker", 0),
            "nbytes": self._nbytes.get(prefix, 0),
        }

    def _detail(self, address: str, limit: int = DETAIL_KEYS) -> WorkerDetail | None:
        ws = self.scheduler.workers.get(address)
        if ws is None:
            return None
        processing: list[str] = []
        for ts in ws.processing:
            if len(processing) >= limit:
                break
            processing.append(key_text(ts.key, self.key_limit))
        return {"address": address, "processing": processing, "n_processing": len(ws.processing)}

    def _workers(self) -> dict[str, WorkerInfo]:
        return {
            address: {"name": str(ws.name), "nthreads": int(ws.nthreads)}
            for address, ws in self.scheduler.workers.items()
        }

    def _sample(self, now: float) -> None:
        """One resource sample and worker table, from the last heartbeats.

        A sample of a quiet cluster (no transition, no worker change, readings
        within a few percent of the last recorded ones) is not recorded, so an
        idle dashboard receives nothing at all.
        """
        self._last_sample = now
        sample, table = take_sample(self.scheduler, now, self.cost + self._hook_cost())
        activity = (self._hook_calls, self._worker_version)
        if activity == self._recorded_activity and _similar(sample, self._recorded):
            return
        self._recorded_activity, self._recorded = activity, sample
        self._worker_table = table
        self.resources.append(*sample)

    def _hook_cost(self) -> float:
        """Estimated seconds spent in the transition hook (1 call in 64 is timed)."""
        return self._hook_timed * 64
