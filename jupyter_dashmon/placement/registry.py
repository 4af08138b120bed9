"""Runs in the kernel: the open dashboards of each Client, closed when the Client closes.

Every dashboard registers here while it is open, which is how
``Dashboard.for_client`` finds a Client's dashboard again.

The registry learns that a Client closes through distributed's preload
interface, without replacing any of the Client's methods: the first dashboard
of a Client adds a :class:`ClosingPreload` to the Client's own ``preloads``,
and ``Client.close()`` (synchronous or asynchronous) awaits every preload's
teardown first thing, while the connection to the scheduler is still open.
So each dashboard tells the collector it has gone before the Client's
connection does.  Two other paths cover what this one cannot: the collector
drops the subscribers of a Client the scheduler removes (a kernel that died),
and a dashboard closes itself when its listener finds the Client closed (a
Client whose preloads were replaced).
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Protocol

from distributed import Client
from distributed.preloading import Preload, PreloadManager

logger = logging.getLogger("jupyter_dashmon")


class Stoppable(Protocol):
    """The listener of a dashboard, as far as the registry needs it."""

    async def stop(self) -> None: ...


class OpenDashboard(Protocol):
    """A dashboard, as far as the registry needs it."""

    client: Client
    listener: Stoppable

    def close(self) -> None: ...


_lock = threading.Lock()
#: Open dashboards per Client id, in the order they opened.
_open: dict[str, list[OpenDashboard]] = {}


def add(dashboard: OpenDashboard) -> None:
    """Register an open dashboard, and watch its Client for closing."""
    with _lock:  # two dashboards opening at once must not add two preloads
        watch_close(dashboard.client)
        _open.setdefault(dashboard.client.id, []).append(dashboard)


def remove(dashboard: OpenDashboard) -> None:
    """Forget a dashboard (it is closing); removing one twice does nothing."""
    with _lock:
        siblings = _open.get(dashboard.client.id, [])
        if dashboard in siblings:
            siblings.remove(dashboard)
        if not siblings:
            _open.pop(dashboard.client.id, None)


def dashboards_of(client: Client) -> list[OpenDashboard]:
    """The open dashboards of ``client``, oldest first."""
    with _lock:
        return list(_open.get(client.id, []))


def watch_close(client: Client) -> bool:
    """Have ``client.close()`` close the Client's dashboards first.

    Returns False when the Client has no preloads to join (then the
    dashboards close once their listener sees the Client closed).
    """
    preloads = getattr(client, "preloads", None)
    if not isinstance(preloads, PreloadManager):
        logger.debug("dashmon: %r has no preloads; closing is noticed by polling", client)
        return False
    if not any(isinstance(preload, ClosingPreload) for preload in preloads):
        client.preloads = PreloadManager([*preloads, ClosingPreload(client)])
    return True


async def close_dashboards_of(client: Client) -> None:
    """Close every dashboard of ``client``, telling the collector before returning."""
    for dashboard in dashboards_of(client):
        try:
            # Awaited here, on the Client's loop, so the collector hears before the
            # connection closes; the close that follows finds the listener stopped.
            await dashboard.listener.stop()
            dashboard.close()
        except Exception:  # one dashboard's failure must not keep the others open
            logger.exception("dashmon: error while closing a dashboard")


class ClosingPreload(Preload):
    """The preload of one Client that closes its dashboards when the Client closes.

    Parameters
    ----------
    client : distributed.Client
        Whose dashboards to close.
    """

    def __init__(self, client: Client):
        # Not Preload.__init__: that imports a module by name and logs at INFO,
        # which distributed prints in the notebook; this preload needs neither.
        self.client = client
        self.dask_object = client
        self.name = "jupyter_dashmon"
        self.argv = []
        self.file_dir = None
        self.module = sys.modules[__name__]

    async def start(self) -> None:
        """Nothing to do as the Client starts."""

    async def teardown(self) -> None:
        """Close the Client's dashboards (``Client.close()`` awaits this first)."""
        await close_dashboards_of(self.client)
