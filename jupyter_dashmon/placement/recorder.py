"""Runs in a kernel or a plain script: a dashboard's model recorded without any widget.

:class:`Recorder` is the part of a dashboard that needs no browser: a
:class:`DashboardModel` kept live by its :class:`Listener`.  The
:func:`report` context manager records a block of a script with one and
writes the saved report (:mod:`.report`) when the block ends, also when it
raises: the drop-in for ``distributed.performance_report``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from distributed import Client, default_client

from ..aggregate import DashboardModel, Listener
from ..aggregate.history import TaskHistory
from ..config import Options, resolve_options
from . import report as saved

logger = logging.getLogger("jupyter_dashmon")

#: Longest wait, on leaving a recorded block, for the scheduler's last news.
FLUSH_TIMEOUT = 5.0


def check_client(client: Any) -> Client:
    """``client`` if it is a live ``distributed.Client``, else a clear error."""
    if not isinstance(client, Client):
        raise TypeError(
            "Dashboard needs a distributed.Client, e.g. Dashboard(Client()) or "
            f"client.dashboard(); got {type(client).__name__} {client!r:.80}"
        )
    if client.status in ("closing", "closed"):
        raise ValueError(
            f"this Client is {client.status}; create a new one (distributed.Client(...)) "
            "and open its dashboard"
        )
    return client


def dashboard_model(options: Options) -> DashboardModel:
    """An empty model sized by ``options``."""
    model = DashboardModel()
    model.tasks.length = options.task_stream_length
    model.tasks.gap = options.stream_gap
    model.resources.length = options.resource_length
    model.history.history = TaskHistory(options.history)
    model.progress.max_bars = options.max_bars
    model.work.runs_kept = options.runs_kept
    model.work.error_groups = options.error_groups
    return model


def stop_listener(client: Client, listener: Listener) -> None:
    """Stop ``listener`` from any thread.

    From the user's thread, wait (briefly) until the collector has been told,
    so that closing the Client right after cannot cut the unsubscribe off.
    """
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    client_loop = getattr(client.loop, "asyncio_loop", None)
    if running is None and client_loop is not None and client_loop.is_running():
        try:
            client.sync(listener.stop, callback_timeout=5)
            return
        except Exception as exc:
            logger.debug("dashmon: stopping the listener synchronously failed: %s", exc)
    listener.stop_soon()


class Recorder:
    """A live model of one Client's cluster, with no widget.

    Parameters
    ----------
    client : distributed.Client
        A live synchronous Client.
    **options
        As for :class:`~jupyter_dashmon.Dashboard` (``history``, ``interval``...).

    Attributes
    ----------
    model : DashboardModel
        Kept in step with the scheduler until :meth:`close`.
    """

    def __init__(self, client: Client, **options: Any):
        self.client = check_client(client)
        self.options = resolve_options(**options)
        self.model = dashboard_model(self.options)
        self.listener = Listener(client, self.model, self.options)
        self._closed = False
        self.listener.start()

    def flush(self, timeout: float = FLUSH_TIMEOUT) -> bool:
        """Wait until the model holds what the scheduler knew when this was called.

        True once a delta stamped at or after the call has been applied;
        False when ``timeout`` passed first (a scheduler out of reach, or
        one whose clock runs behind this machine's).
        """
        asked = time.time()
        deadline = time.monotonic() + timeout
        status = self.model.status
        while time.monotonic() < deadline:
            if status.updated >= asked or status.state in ("closed", "error"):
                return status.updated >= asked
            time.sleep(0.02)
        return False

    def save(self, path: str | os.PathLike, title: str | None = None) -> Path:
        """Write the report of what was recorded so far (see :func:`.report.save`)."""
        return saved.save(self.model, path, title)

    def close(self) -> None:
        """Stop recording (idempotent)."""
        if not self._closed:
            self._closed = True
            stop_listener(self.client, self.listener)


@contextlib.contextmanager
def report(
    path: str | os.PathLike, client: Client | None = None, **options: Any
) -> Iterator[Recorder]:
    """Record the Dask work of a block and write it as a saved report on leaving it.

    ``with jupyter_dashmon.report("run.html"):`` records through ``client``
    (the current Client when None) from entering the block to leaving it,
    then writes ``path``, also when the block raises (the exception goes on).
    Needs no notebook and no browser.  ``options`` are those of
    :class:`~jupyter_dashmon.Dashboard`.
    """
    client = default_client() if client is None else client
    if getattr(client, "asynchronous", False):
        raise TypeError(
            "jupyter_dashmon.report() records through a synchronous Client; with "
            "Client(asynchronous=True), open a Dashboard and call its save(path)"
        )
    recorder = Recorder(client, **options)
    try:
        yield recorder
    finally:
        try:
            if not recorder.flush():
                logger.warning("dashmon: the report may miss the last moments of the run")
            recorder.save(path)
        finally:
            recorder.close()
