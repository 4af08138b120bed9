"""Runs in the scheduler: the collector behind every dashboard.

:class:`DashmonPlugin` is a ``distributed`` :class:`SchedulerPlugin`.  It keeps
compact, bounded state and answers polls from kernels over the scheduler's
ordinary RPC (the Client's own connection; no port is opened):

- progress per task prefix, read at the poll from the scheduler's own
  per-prefix state counts, for the prefixes touched or with tasks under way
  (cost grows with those prefixes, never with tasks), plus the completed
  tasks forgotten since, so finished computations keep their bars;
- bytes in memory per prefix, kept incrementally in the transition hook;
- a ring of task records (one row per start/stop of a finished task), about
  135 bytes per row, with a cursor; the hook copies each record's fields into
  lists, the poll moves them into the ring in bulk and sends them packed
  (:mod:`.packing`);
- a ring of cluster-wide resource samples, taken lazily when someone polls.

The transition hook runs about five times per task on the scheduler's only
thread, so it does nothing it can leave to the poll (see ``transition``).

It imports the standard library and ``distributed`` only, and is shipped to
the scheduler by value, so the scheduler does not need ``jupyter_dashmon``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
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
from .packing import TASK_WIRE, decode, encode, pack
from .ring import Ring
from .sampling import take_sample
from .views_data import ViewsData

logger = logging.getLogger("jupyter_dashmon")

#: Longest a poll with nothing to say is held before it is answered (seconds).
MAX_WAIT = 5.0

_ACTION_CODE = {name: i for i, name in enumerate(ACTIONS)}
_OTHER = _ACTION_CODE["other"]
_TASK_COLUMNS = ring_columns(TaskColumns)
#: Transitions the hook keeps for the next poll (see ``DashmonPlugin.transition``).
_KEPT_FINISH = frozenset({"memory", "erred", "forgotten"})
_KEPT_START = frozenset({"memory", "erred"})
#: Prefix states whose tasks may move without a kept transition (watched at polls).
_UNDER_WAY = ("released", "waiting", "queued", "processing", "no-worker")
#: Kept transitions that are taken in at once, without waiting for a poll.
LOG_LIMIT = 10_000
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
        # Per prefix: the scheduler's count of its tasks ever forgotten when it
        # (re)opened, and how many forgotten since were failed or never finished.
        self._forgotten_base: dict[str, int] = {}
        self._forgotten_erred: dict[str, int] = {}
        self._forgotten_unfinished: dict[str, int] = {}
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
        self._tasks = scheduler.tasks
        # Records of finished tasks since the last poll, and runs whose counts moved.
        self._columns: tuple[list, ...] = ([], [], [], [], [], [], [], [])
        self._moved: dict[str, Any] = {}
        self._rare: list[tuple] = []  # failures, retries, tasks forgotten unfinished
        self._forgotten_keys: list = []
        self._drained = 0
        self._watch: dict[str, tuple[Any, int]] = {}
        self._worker_table: WorkerTable | None = None
        self._recorded: tuple = ()
        self._waiters: dict[str, asyncio.Future] = {}
        self._recorded_activity: tuple = ()
        self._handlers: dict[str, Callable[..., Any]] = {
            POLL_OP: self._poll_blob,
            UNSUBSCRIBE_OP: self.unsubscribe,
        }
        self._handlers.update(ViewsData(self).handlers())  # fetched only while shown
        scheduler.handlers.update(self._handlers)
        for ts in scheduler.tasks.values():
            self._touched.add(ts.group.prefix.name)
            if ts.group.prefix.name not in self._forgotten_base:
                self._opened(ts.group.prefix)
            if ts.state == "memory":
                self._add_memory(ts.key, ts.group.prefix.name, ts.nbytes)
        self._lease_handle: asyncio.TimerHandle | None = None
        self._schedule_lease_check()
        self._call_cost = self._calibrate()
        self._calls_at_start = getattr(scheduler, "transition_counter", 0)

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
        self._columns, self._moved = ([], [], [], [], [], [], [], []), {}
        self._rare, self._forgotten_keys = [], []
        self._watch = {}
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

    # -- scheduler hooks (hot path: the least each transition needs) ---------

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        # Called about five times per task, so it does the least there is. When a
        # result goes to memory: its bytes, its run's counts and its record's
        # fields copied into column lists (no formatting), while the task's
        # objects are still in the processor's cache (keeping references and
        # making the records at the poll cost the scheduler more in all, in a
        # profile of a real one: bench/RESULTS.md, sessions 5 and 15). A task
        # forgotten before it finished leaves its key, so the poll takes it out
        # of its run (a result in memory has left its run already). Nothing at
        # all for the two transitions that only move a task along: progress is
        # read from the prefixes' own state counts at the poll
        # (:meth:`_watch_changed`), and so is the number of finished tasks
        # forgotten since (:meth:`_counts`).
        if finish == "memory":
            ts = self._tasks.get(key)
            if ts is None:
                return
            nbytes = ts.nbytes
            if type(nbytes) is not int or nbytes < 0:
                nbytes = 0
            in_memory, nbytes_of, prefix = self._in_memory, self._nbytes, ts.group.prefix.name
            nbytes_of[prefix] = nbytes_of.get(prefix, 0) + nbytes - in_memory.get(key, 0)
            in_memory[key] = nbytes
            self._touched.add(prefix)
            run = self.runs.run_of_map.pop(key, None)
            if run is not None:
                run["done"] += 1
                finished = run["finished"]
                finished[prefix] = finished.get(prefix, 0) + 1
                run["bytes"] += nbytes
                self._moved[run["name"]] = run
            if start == "processing":
                columns = self._columns
                self._record(columns, key, prefix, kwargs, False, run)
                if len(columns[0]) > LOG_LIMIT:
                    self._drain()
            if self._waiters:
                self._wake()
        elif start == "memory":
            old = self._in_memory.pop(key, 0)
            ts = self._tasks.get(key)
            if ts is not None:
                prefix = ts.group.prefix.name
                if old:
                    nbytes_of = self._nbytes
                    nbytes_of[prefix] = max(nbytes_of.get(prefix, 0) - old, 0)
                self._touched.add(prefix)
            if self._waiters:
                self._wake()
        elif finish == "forgotten":
            if key in self.runs.run_of_map:  # forgotten before it finished: leaves its run
                self._forgotten_keys.append(key)
            if start != "released":
                self._rare.append((self._tasks.get(key), start, finish, kwargs))
            if self._waiters:  # a held poll answers: the prefix's counts moved
                self._wake()
        elif finish == "erred" or start == "erred":
            self._rare.append((self._tasks.get(key), start, finish, kwargs))
            if self._waiters:
                self._wake()

    def update_graph(
        self, scheduler: Any, *, tasks: Any = (), annotations: Any = None, **kwargs: Any
    ) -> None:
        self._drain()  # forgotten tasks leave their runs before the same keys come again
        t0 = time.perf_counter()
        runs = (annotations or {}).get(RUN_ANNOTATION) or {}
        # New tasks change their prefixes' counts: watched from the next poll on.
        new = self.runs.add(tasks, runs, self._tasks, time.time())
        prefixes = self.scheduler.task_prefixes
        for prefix, count in new.items():
            tp = prefixes.get(prefix)
            states = tp.states if tp is not None else {}
            if (
                prefix not in self._forgotten_base
                or prefix in self._closed_prefixes
                # every task it had before these was forgotten: a new computation
                or sum(states.values()) - states.get("forgotten", 0) == count
            ):
                self._opened(tp, prefix)
        self._touched.update(new)
        self._wake()
        self.cost += time.perf_counter() - t0

    def _calibrate(self, calls: int = 2000) -> float:
        """Seconds one call of :meth:`transition` takes here, kept and not (an
        estimate: the hook is too hot to time each call)."""
        hook, missing = self.transition, object()
        t0 = time.perf_counter()
        for _ in range(calls):
            hook(missing, "waiting", "processing", stimulus_id="calibrate")
            hook(missing, "processing", "memory", stimulus_id="calibrate")
        return (time.perf_counter() - t0) / (2 * calls)

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
        # For results already in memory when the collector starts; the hook does
        # the same inline (a method call there costs as much as the work).
        nbytes = nbytes if isinstance(nbytes, int) and nbytes > 0 else 0
        old = self._in_memory.get(key, 0)
        self._in_memory[key] = nbytes
        self._nbytes[prefix] = self._nbytes.get(prefix, 0) + nbytes - old

    def _drain(self) -> None:
        """Take in what the hook kept since the last poll.

        The records the hook copied go into the ring in one step per column;
        failures and retries are counted and grouped; forgotten tasks leave
        their runs.  Called at each poll, before a new graph is taken in, and
        when the hook has kept :data:`LOG_LIMIT` records.
        """
        rare, columns = self._rare, self._columns
        if not (columns[0] or rare or self._forgotten_keys or self._moved):
            return
        t0 = time.perf_counter()
        self._rare, self._columns = [], ([], [], [], [], [], [], [], [])
        self._drained += len(columns[0]) + len(rare)
        runs = self.runs
        moved, self._moved = self._moved, {}
        for ts, start, finish, msg in rare:
            if ts is not None:
                run = self._rare_one(columns, ts, start, finish, msg)
                if run is not None:
                    moved[run["name"]] = run
        if columns[0]:
            self.tasks.extend(columns)
        forgotten, self._forgotten_keys = self._forgotten_keys, []
        run_of = runs.run_of_map
        for key in forgotten:
            run_of.pop(key, None)
        runs.touch(moved.values(), time.time())
        self.cost += time.perf_counter() - t0

    def _rare_one(
        self, columns: tuple[list, ...], ts: Any, start: str, finish: str, msg: dict
    ) -> Any:
        """A failure, a retry, or a task forgotten before it finished; its run."""
        prefix, key = ts.group.prefix.name, ts.key
        self._touched.add(prefix)
        runs = self.runs
        if finish == "erred":
            run = runs.erred(key)
            if start == "processing":
                self._record(columns, key, prefix, msg, True, run)
                self.errors.add(key, prefix, msg, runs.run_of(key), time.time())
            return run
        if finish == "forgotten":
            gone = self._forgotten_erred if start == "erred" else self._forgotten_unfinished
            gone[prefix] = gone.get(prefix, 0) + 1
            return None
        return runs.erred(key, retried=True)  # erred -> released: retried

    def _opened(self, tp: Any, name: str = "") -> None:
        """A prefix seen for the first time, or back after all its tasks were forgotten:
        its forgotten tasks count from here."""
        name = tp.name if tp is not None else name
        self._closed_prefixes.discard(name)
        self._forgotten_base[name] = tp.state_counts.get("forgotten", 0) if tp is not None else 0
        self._forgotten_erred.pop(name, None)
        self._forgotten_unfinished.pop(name, None)

    def _record(
        self, columns: tuple[list, ...], key: Any, prefix: str, msg: dict, erred: bool, run: Any
    ) -> None:
        """A finished task's records (one row per start/stop pair) into ``columns``."""
        startstops = msg.get("startstops")
        if not startstops:
            return
        keys, prefixes, workers, threads, starts, stops, codes, run_ids = columns
        worker = msg.get("worker")
        if type(worker) is not str:
            worker = str(worker)
        thread = msg.get("thread")
        thread = thread & 0xFFFFFFFF if type(thread) is int else 0
        text = key if type(key) is str and len(key) <= self.key_limit else self._key_text(key)
        index = run["index"] if run is not None else 0
        for ss in startstops:
            start, stop = ss.get("start"), ss.get("stop")
            if type(start) is not float or type(stop) is not float:
                try:
                    start, stop = float(start), float(stop)
                except (TypeError, ValueError):
                    continue
            action = _ACTION_CODE.get(ss.get("action"), _OTHER)
            keys.append(text)
            prefixes.append(prefix)
            workers.append(worker)
            threads.append(thread)
            starts.append(start)
            stops.append(stop)
            codes.append(action * 2 + (1 if erred and action == 0 else 0))
            run_ids.append(index)
            if run is not None:
                spent = run["seconds"]
                name = ACTIONS[action]
                spent[name] = spent.get(name, 0.0) + (stop - start)

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

    async def _poll_blob(self, request: bytes | None = None, **fields: Any) -> bytes:
        """The RPC handler: :meth:`poll`'s answer as one blob (:func:`.packing.encode`).

        The kernel sends its :class:`~.messages.PollRequest` as one blob too
        (``request``): the kernel's comm layer measures what it sends, as the
        scheduler's does.  The request's fields as keywords (a kernel of an
        earlier version) are answered alike.
        """
        if request is not None:
            fields = decode(request)
        answer = await self.poll(**fields)
        t0 = time.perf_counter()
        blob = encode(answer)
        self.cost += time.perf_counter() - t0
        return blob

    def _news(self, cursor: int, version: int, resource_cursor: int, worker_version: int) -> bool:
        return bool(
            self._columns[0]
            or self._rare
            or self._touched
            or self._watch_changed()
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
        self._drain()
        if now - self._last_sample >= self.resource_interval:
            self._sample(now)
        self._flush_touched()
        columns, dropped = self.tasks.slices(cursor, limit)
        tasks = pack(columns, TASK_WIRE, self._key_text)
        resources, _ = self.resources.since(resource_cursor)
        delta: Delta = {
            "epoch": self.epoch,
            "reset": reset,
            "now": now,
            "cursor": self.tasks.count,
            "dropped": dropped,
            "tasks": tasks,
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

    def _watch_changed(self) -> bool:
        """Whether a prefix with tasks under way moved since it was last read.

        Prefixes with tasks waiting, queued, processing or released are
        watched: a change of their counts that left no entry in the kept
        transitions shows in the total of their state counts, which the
        scheduler keeps.  Cost: one sum per watched prefix.
        """
        changed = False
        for name, (tp, seen) in self._watch.items():
            if sum(tp.state_counts.values()) != seen:
                self._touched.add(name)
                changed = True
        return changed

    def _flush_touched(self) -> None:
        self._watch_changed()
        if not (self._touched or self.runs.changes.touched or self.errors.changes.touched):
            return
        self._version += 1
        self.runs.changes.flush(self._version)
        self.errors.changes.flush(self._version)
        versions, watch, prefixes = self._versions, self._watch, self.scheduler.task_prefixes
        for prefix in self._touched:
            versions.pop(prefix, None)
            versions[prefix] = self._version
            tp = prefixes.get(prefix)
            states = tp.states if tp is not None else {}
            if any(states.get(state) for state in _UNDER_WAY):
                watch[prefix] = (tp, sum(tp.state_counts.values()))
            else:
                watch.pop(prefix, None)
                if sum(states.values()) == states.get("forgotten", 0):
                    self._closed_prefixes.add(prefix)  # all forgotten: its bar stays as is
        self._touched = set()

    def _progress_since(self, version: int) -> dict[str, PrefixCounts]:
        out: dict[str, PrefixCounts] = {}
        prefixes = self.scheduler.task_prefixes
        for prefix, changed in reversed(self._versions.items()):
            if changed <= version:
                break
            out[prefix] = self._counts(prefix, prefixes.get(prefix))
        return out

    def _counts(self, prefix: str, tp: Any) -> PrefixCounts:
        """Progress of a prefix: its live tasks' states from the scheduler, plus
        the tasks forgotten since it (re)opened, finished or failed."""
        states = tp.states if tp is not None else {}
        erred_gone = self._forgotten_erred.get(prefix, 0)
        forgotten = tp.state_counts.get("forgotten", 0) if tp is not None else 0
        finished = max(
            forgotten
            - self._forgotten_base.get(prefix, forgotten)
            - erred_gone
            - self._forgotten_unfinished.get(prefix, 0),
            0,
        )
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
        activity = (self._drained, self._version, self._worker_version)
        if activity == self._recorded_activity and _similar(sample, self._recorded):
            return
        self._recorded_activity, self._recorded = activity, sample
        self._worker_table = table
        self.resources.append(*sample)

    def _hook_cost(self) -> float:
        """Estimated seconds spent in :meth:`transition`: its calls since the
        collector started (the scheduler counts transitions) times the cost
        of one call measured at start."""
        calls = getattr(self.scheduler, "transition_counter", 0) - self._calls_at_start
        return max(calls, 0) * self._call_cost
