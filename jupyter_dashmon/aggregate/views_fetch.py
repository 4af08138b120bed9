"""Runs in the kernel: fetches the Profile, Groups and Metrics data while they are shown.

These views are not fed by the collector's poll (:mod:`.listener`): their
data is asked of the scheduler (``collect/views_data.py``) only while a
view has set its model's ``active``, every model's ``interval`` seconds,
and at once when it becomes active or a choice changes (worker, function,
time window).  Hidden, they cost the scheduler nothing at all.

A :class:`ViewsFetcher` runs as its own task on the Client's event loop,
started and stopped by the :class:`~.listener.Listener`.  Models are
written on that loop; choices made in the notebook's thread are handed to
it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from ..collect.messages import GroupTable, MetricsReply, ProfileFrames
from . import cluster_memory as cm
from . import fine_metrics as fm
from .flame import flame_rects
from .groups import layout_groups
from .models import DashboardModel

logger = logging.getLogger("jupyter_dashmon")

#: Longest a fetch may take before it is given up (the profile waits on every worker).
FETCH_TIMEOUT = 10.0
#: Seconds between looks at what is due, while anything is shown.
TICK = 0.25


class ViewsFetcher:
    """Keeps the on-demand models of one dashboard fresh while they are shown.

    Parameters
    ----------
    client : distributed.Client
        Whose connection to the scheduler is used.
    model : DashboardModel
        ``profile``, ``groups`` and ``metrics`` are written.
    ready : callable
        True once the collector (and so its handlers) is on the scheduler.
    """

    def __init__(self, client: Any, model: DashboardModel, ready: Callable[[], bool]):
        self.client = client
        self.model = model
        self.ready = ready
        self.fetches = {"profile": 0, "groups": 0, "metrics": 0}
        self._due = {"profile": 0.0, "groups": 0.0, "metrics": 0.0}
        self._task: asyncio.Task | None = None
        self._wakeup: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        m = model
        m.profile.observe(
            self._refetch("profile"), names=["active", "source", "worker", "function", "window"]
        )
        m.profile.observe(self._on_loop(self._draw_flame), names=["path"])
        m.groups.observe(self._refetch("groups"), names=["active", "limit"])
        m.metrics.observe(self._forget_rows, names=["run"])
        m.metrics.observe(self._refetch("metrics"), names=["active", "run"])
        m.metrics.observe(self._on_loop(self._summarise), names=["function"])
        # Cluster memory is kept from the worker tables the poll brings, on the same loop.
        m.cluster_memory.thresholds = cm.thresholds()
        m.workers.observe(self._add_memory_sample, names=["revision"])

    # -- lifecycle (on the Client's loop) -----------------------------------

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._task = asyncio.ensure_future(self._run())

    def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    # -- choices, from any thread -------------------------------------------

    def _refetch(self, view: str) -> Callable[[Any], None]:
        def changed(change: Any = None) -> None:
            self._due[view] = 0.0
            self._call_on_loop(self._wake)

        return changed

    def _on_loop(self, fn: Callable[[], None]) -> Callable[[Any], None]:
        def changed(change: Any = None) -> None:
            self._call_on_loop(fn)

        return changed

    def _call_on_loop(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            fn()  # not started (tests, a closed dashboard): derive in place
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn()
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing to do
                loop.call_soon_threadsafe(fn)

    def _wake(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()

    # -- the fetch loop -----------------------------------------------------

    async def _run(self) -> None:
        assert self._wakeup is not None
        while True:
            shown = self._shown()
            if shown and self.ready() and self.client.status == "running":
                await self._fetch_due(shown)
            self._wakeup.clear()
            # While nothing is shown, sleep until a view becomes active.
            timeout = TICK if shown else None
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout)

    def _shown(self) -> list[str]:
        m = self.model
        return [name for name in self._due if getattr(m, name).active]

    async def _fetch_due(self, shown: list[str]) -> None:
        now = time.monotonic()
        for view in shown:
            if now < self._due[view]:
                continue
            model = getattr(self.model, view)
            self._due[view] = now + model.interval
            try:
                await asyncio.wait_for(getattr(self, f"_fetch_{view}")(), FETCH_TIMEOUT)
                self.fetches[view] += 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the poll loop reports a lost scheduler; retry later
                logger.debug("dashmon: fetching the %s view failed: %r", view, exc)

    async def _fetch_profile(self) -> None:
        p = self.model.profile
        request = {
            "source": p.source,
            "worker": p.worker,
            "function": p.function,
            "window": p.window,
        }
        now = self.model.status.updated or time.time()
        frames: ProfileFrames = await self.client.scheduler.dashmon_profile(
            workers=[p.worker] if p.worker else None,
            key=p.function or None,
            start=now - p.window if p.window else None,
            scheduler=p.source == "scheduler",
        )
        chosen = {
            "source": p.source,
            "worker": p.worker,
            "function": p.function,
            "window": p.window,
        }
        if chosen != request:
            return  # the choice changed meanwhile: its own fetch is on the way
        with p.hold_trait_notifications():
            p.frames = dict(frames)
            p.updated = time.time()
            p.cost += float(frames.get("cost", 0.0))
        self._draw_flame()

    def _draw_flame(self) -> None:
        p = self.model.profile
        p.flame = flame_rects(p.frames, p.path)

    async def _fetch_groups(self) -> None:
        g = self.model.groups
        table: GroupTable = await self.client.scheduler.dashmon_groups(limit=g.limit)
        with g.hold_trait_notifications():
            g.cost += float(table.get("cost", 0.0))
            if dict(table, cost=0.0) == dict(g.table, cost=0.0):
                return  # nothing moved: no redraw
            g.table = dict(table)
            g.hidden = int(table["hidden"])
            g.nodes = layout_groups(table)

    async def _fetch_metrics(self) -> None:
        m = self.model.metrics
        run = m.run
        reply: MetricsReply = await self.client.scheduler.dashmon_metrics(run=run)
        names = {a: str(w.get("name", a)) for a, w in self.model.status.workers.items()}
        with m.hold_trait_notifications():
            m.cost += float(reply.get("cost", 0.0))
            if m.run != run:
                return  # another run was chosen meanwhile: its own fetch is on the way
            m.rows = list(reply["rows"])
            m.functions = fm.functions_of(m.rows)
            m.bandwidth_types = dict(reply["bandwidth_types"])
            m.bandwidth_workers = fm.bandwidth_pairs(reply["bandwidth_workers"], names)
            self._summarise()

    def _forget_rows(self, change: Any = None) -> None:
        # Another run chosen: the rows held are not its rows; none until its fetch lands
        # (the view and snapshot() never show one run's figures under another's name).
        m = self.model.metrics
        with m.hold_trait_notifications():
            m.rows, m.functions, m.summary = [], [], {}

    def _add_memory_sample(self, change: Any = None) -> None:
        sample = cm.memory_sample(self.model.workers.table)
        if sample is None:
            return
        c = self.model.cluster_memory
        t = self.model.status.updated or time.time()
        c.series = cm.append_sample(c.series, t, sample, c.length)

    def _summarise(self) -> None:
        m = self.model.metrics
        m.summary = fm.by_activity(m.rows, m.function)
