"""Runs in the kernel: pulls deltas from the collector and updates the models.

A :class:`Listener` lives on the Client's own event loop.  For a synchronous
Client that loop runs in a background thread, which is what keeps the
dashboard live while the notebook's main thread is blocked in
``future.result()``; for ``Client(asynchronous=True)`` it is the notebook's
loop.  Every ``interval`` it asks the scheduler, over the Client's connection,
for what changed since its cursors, and writes the result into the models
with the pure functions of :mod:`.transforms`.  When nothing changed, no trait
changes, so nothing is sent to the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, cast

from distributed.comm.core import CommClosedError

from ..collect import DashmonPlugin, pickled_plugin, python_mismatch
from ..collect.messages import (
    PLUGIN_NAME,
    Delta,
    PackedColumns,
    PollRequest,
    ResourceColumns,
    WorkerTable,
)
from ..collect.packing import decode, encode
from ..config import Options, collector_options
from . import transforms as tf
from .colors import assign_colors
from .derive import add_resources, clear_resources, set_progress, set_worker_table
from .models import DashboardModel
from .task_windows import append_tasks, reset_store
from .views_fetch import ViewsFetcher
from .work import merge_errors, merge_runs

logger = logging.getLogger("jupyter_dashmon")

#: Longest wait between retries while the scheduler is unreachable.
MAX_BACKOFF = 2.0
#: How long the collector may hold a poll while nothing happens (seconds).
IDLE_WAIT = 2.0
#: Seconds :meth:`Listener.start` waits, at most, for the collector to be sent
#: (a new dashboard's first registration: a version check and the plugin).
FIRST_TRY_WAIT = 5.0


class CollectorUnavailable(RuntimeError):
    """The scheduler could not load or run the collector."""


class CollectorMissing(RuntimeError):
    """The scheduler answered without the collector (a new scheduler): register again."""


class Listener:
    """Keeps a :class:`DashboardModel` in step with the scheduler.

    Parameters
    ----------
    client : distributed.Client
        The user's Client; its connection and event loop are used.
    model : DashboardModel
        Written to on the Client's event loop.
    options : Options
        Interval, buffer lengths and the collector's settings.
    """

    def __init__(self, client: Any, model: DashboardModel, options: Options):
        self.client = client
        self.model = model
        self.options = options
        # Prefixed with the Client's id, so the collector can drop the subscribers of a
        # Client the scheduler removes (see DashmonPlugin.remove_client).
        self.subscriber = f"{getattr(client, 'id', 'Client')}/dashmon-{uuid.uuid4().hex[:12]}"
        self.polls = 0
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._registered = False
        self._registering: asyncio.Future | None = None
        self._first_try = threading.Event()
        self._failure: str | None = None
        self._apply_errors: set[str] = set()
        self.fetcher = ViewsFetcher(client, model, lambda: self._registered)
        self._request: PollRequest = {
            "subscriber": self.subscriber,
            "epoch": "",
            "cursor": 0,
            "version": 0,
            "resource_cursor": 0,
            "worker_version": 0,
            "limit": options.history,
            "detail": "",
            "wait": IDLE_WAIT,
        }

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        """Start polling on the Client's event loop.

        From another thread (a notebook cell, a script), returns once the
        collector's first registration has succeeded or failed, within
        :data:`FIRST_TRY_WAIT` seconds: work submitted right after opening a
        dashboard then meets the collector, and is counted for its cell.
        """
        loop = self.client.loop
        loop.add_callback(self._spawn)
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is None or here is not getattr(loop, "asyncio_loop", None):
            self._first_try.wait(FIRST_TRY_WAIT)

    def _spawn(self) -> None:
        if not self._stopping:
            self._task = asyncio.ensure_future(self._run())
            self.fetcher.start()

    async def stop(self) -> None:
        """Stop polling and tell the collector this subscriber has gone."""
        self._stopping = True
        self._first_try.set()
        task, self._task = self._task, None
        self.fetcher.stop()
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        registering = self._registering
        if registering is not None and not registering.done():
            # Closed while the collector was being sent: let it arrive, then say
            # goodbye, or it would sit on the scheduler until its lease ran out.
            try:
                await asyncio.wait_for(asyncio.shield(registering), 5.0)
            except Exception as exc:
                logger.debug("dashmon: registration did not finish: %s", exc)
        # "closing": the Client closes its dashboards before its connection goes.
        if self._registered and self.client.status in ("running", "closing"):
            try:
                await asyncio.wait_for(
                    self.client.scheduler.dashmon_unsubscribe(subscriber=self.subscriber), 2.0
                )
            except Exception as exc:  # the scheduler drops us after its lease anyway
                logger.debug("dashmon: unsubscribe failed: %s", exc)
        self._registered = False

    def stop_soon(self) -> None:
        """:meth:`stop` from any thread, without waiting for it."""
        self._stopping = True
        loop = self.client.loop
        # A loop that is already gone raises RuntimeError: nothing left to stop.
        with contextlib.suppress(RuntimeError):
            loop.add_callback(self.stop)

    # -- the poll loop ------------------------------------------------------

    async def _run(self) -> None:
        backoff = self.options.interval
        while not self._stopping:
            if self.client.status not in ("running", "connecting", "newly-created"):
                self._set_status(
                    "closed", "The Dask Client was closed; this dashboard has stopped."
                )
                self._first_try.set()
                return
            try:
                if self.client.status == "connecting":
                    raise CommClosedError("the Client is reconnecting to its scheduler")
                if not self._registered:
                    try:
                        await self._register()
                    finally:
                        self._first_try.set()
                delta: Delta = await self._poll()
            except asyncio.CancelledError:
                raise
            except CollectorUnavailable as exc:
                self._fail("error", str(exc))
                backoff = min(backoff * 2, MAX_BACKOFF * 5)
            except (CommClosedError, OSError, asyncio.TimeoutError) as exc:
                # One message whatever the exception, so a scheduler that stays away
                # is one warning, not one per kind of failed retry.
                logger.debug("dashmon: poll failed: %r", exc)
                self._fail(
                    "disconnected",
                    f"Lost contact with the scheduler at {self._address()}; "
                    "retrying. The dashboard resumes when the Client reconnects.",
                )
                backoff = min(backoff * 2, MAX_BACKOFF)
            except Exception as exc:
                # Most often the scheduler restarted without the collector: register again.
                self._registered = False
                self._fail(
                    "disconnected", f"The dashboard lost its collector ({exc}); re-registering."
                )
                backoff = min(backoff * 2, MAX_BACKOFF)
            else:
                backoff = self.options.interval
                self._recovered()
                try:
                    self.apply(delta)
                except Exception as exc:
                    self._apply_failed(exc)
            self._first_try.set()  # also when this try never reached the registration
            await asyncio.sleep(backoff)

    async def _poll(self) -> Delta:
        """One poll, given up as soon as the Client has lost its scheduler.

        A new connection to a scheduler that died keeps retrying for the
        connect timeout (30 s by default); the Client notices the loss at
        once, so watching its status shows "disconnected" within a second.
        """
        request = encode(self._request)  # one blob: measured at once on its way out
        poll = asyncio.ensure_future(self.client.scheduler.dashmon_poll(request=request))
        try:
            while True:
                done, _ = await asyncio.wait({poll}, timeout=0.25)
                if done:
                    delta = decode(poll.result())
                    if not isinstance(delta, dict):
                        # A scheduler without the collector's handler answers None.
                        raise CollectorMissing("the scheduler has no dashboard collector")
                    return cast(Delta, delta)
                if self.client.status == "connecting":
                    raise CommClosedError("the Client lost its connection to the scheduler")
        finally:
            if not poll.done():
                poll.cancel()

    async def _register(self) -> None:
        # Shielded: cancelling the poll loop must not cut a registration in half.
        self._registering = asyncio.ensure_future(self._send_collector())
        await asyncio.shield(self._registering)

    async def _send_collector(self) -> None:
        # Checked first: the pickled collector could crash a scheduler on another Python.
        mismatch = python_mismatch(await self.client.scheduler.versions())
        if mismatch is not None:
            raise CollectorUnavailable(
                f"The dashboard cannot watch the scheduler at {self._address()}: {mismatch}."
            )
        plugin = DashmonPlugin(**collector_options(self.options))
        try:
            payload = pickled_plugin(plugin)
        except Exception as exc:
            raise CollectorUnavailable(
                f"Could not serialise the dashboard collector: {exc}"
            ) from exc
        try:
            await self.client.scheduler.register_scheduler_plugin(
                plugin=payload, name=PLUGIN_NAME, idempotent=True
            )
        except (CommClosedError, OSError, asyncio.TimeoutError):
            raise
        except Exception as exc:
            raise CollectorUnavailable(
                f"The scheduler at {self._address()} could not load the dashboard collector "
                f"({type(exc).__name__}: {exc}). The scheduler's environment needs distributed "
                "and cloudpickle compatible with this kernel's; installing jupyter_dashmon there "
                "is not required."
            ) from exc
        self._registered = True

    def _address(self) -> str:
        return str(getattr(self.client.scheduler, "address", "") or "unknown address")

    def _set_status(self, state: str, message: str = "") -> None:
        status = self.model.status
        with status.hold_trait_notifications():
            status.state = state
            status.message = message

    def _fail(self, state: str, message: str) -> None:
        if self._failure != message:
            # One warning per distinct failure, not one per tick.
            logger.warning("dashmon: %s", message)
            self._failure = message
        self._set_status(state, message)

    def _apply_failed(self, exc: Exception) -> None:
        # The same fault would recur on every tick: log it with its traceback once.
        text = f"{type(exc).__name__}: {exc}"
        if text in self._apply_errors:
            logger.debug("dashmon: could not apply an update again: %s", text)
            return
        self._apply_errors.add(text)
        logger.error("dashmon: could not apply an update; skipping it", exc_info=exc)

    def _recovered(self) -> None:
        if self._failure is not None:
            logger.warning("dashmon: connected to the scheduler again")
            self._failure = None
        if self.model.status.state != "live":
            self.model.status.scheduler = self._address()
            self._set_status("live")

    # -- applying deltas ----------------------------------------------------

    def apply(self, delta: Delta) -> None:
        """Write one delta into the models (on the Client's event loop)."""
        self.polls += 1
        req = self._request
        m = self.model
        if delta["reset"]:
            self._reset()
        req["detail"] = m.workers.selected
        req.update(
            {
                "epoch": delta["epoch"],
                "cursor": delta["cursor"],
                "version": delta["version"],
                "resource_cursor": delta["resource_cursor"],
                "worker_version": delta["worker_version"],
            }
        )
        m.status.updated = delta["now"]
        m.status.collector_cost = delta["cost"]
        if delta["workers"] is not None:
            m.status.workers = dict(delta["workers"])
        if delta["progress"]:
            self._apply_progress(delta["progress"])
        if delta["tasks"]["n"]:
            self._apply_tasks(delta["tasks"], delta["now"])
        if delta["resources"]["time"]:
            self._apply_resources(delta["resources"])
        if delta["worker_table"] is not None:
            self._apply_worker_table(delta["worker_table"], delta["now"])
        if delta["runs"] or delta["errors"]:
            self._apply_work(delta["runs"], delta["errors"])
        detail: Mapping[str, Any] = delta["detail"] or {}
        if detail.get("address", "") == m.workers.selected and (detail or m.workers.detail):
            m.workers.detail = dict(detail)

    def _reset(self) -> None:
        m = self.model
        m.progress.prefixes = {}
        reset_store(m.history, m.tasks)
        m.workers.table = {}
        m.work.runs, m.work.errors = {}, []
        self._reset_cluster()

    def _reset_cluster(self) -> None:
        # The new scheduler's first delta rebuilds these.
        m = self.model
        clear_resources(m.resources)
        set_progress(m.progress, m.progress.prefixes)
        set_worker_table(m.workers, m.workers.table, 0.0)

    def _apply_progress(self, changed: dict) -> None:
        p = self.model.progress
        prefixes = tf.merge_progress(p.prefixes, changed, self.options.max_prefixes)
        # A new prefix can only be among the changed ones: no pass over every prefix.
        new = [prefix for prefix in changed if prefix in prefixes]
        with p.hold_trait_notifications():
            self._color(new)
            set_progress(p, prefixes, changed)

    def _apply_tasks(self, packed: PackedColumns, now: float) -> None:
        # Colours first: the task windows colour new records as soon as they land.
        self._color(packed["tables"]["prefix"])
        append_tasks(self.model.history, self.model.tasks, packed, now)

    def _color(self, prefixes: Iterable[str]) -> None:
        """A colour for each new prefix (most polls bring none: no trait set then)."""
        p = self.model.progress
        colors = assign_colors(p.colors, prefixes, 2 * self.options.max_prefixes)
        if colors is not p.colors:
            p.colors = colors

    def _apply_work(self, runs: dict, errors: list) -> None:
        w = self.model.work
        # A run's counts and its errors land together. A hold sets each trait it
        # saw change a second time as it ends: not taken for the counts alone.
        together = w.hold_trait_notifications() if runs and errors else contextlib.nullcontext()
        with together:
            if runs:
                w.runs = merge_runs(w.runs, runs, w.runs_kept)
            if errors:
                w.errors = merge_errors(w.errors, errors, w.error_groups)

    def _apply_resources(self, columns: ResourceColumns) -> None:
        add_resources(self.model.resources, columns)

    def _apply_worker_table(self, table: WorkerTable, now: float) -> None:
        set_worker_table(self.model.workers, table, now)
