"""Runs in the kernel: the Dashboard widget, shown inline in a notebook cell.

:class:`Dashboard` puts the parts of a dashboard together: a
:class:`DashboardModel` kept live by its :class:`Listener`, the views laid
out in pages (:mod:`.layout`), their redraws held while nobody sees them
(:mod:`.gate`), and an entry in the open dashboards of its Client
(:mod:`.registry`), which closes it when the Client closes.  As the last
expression of a cell it displays inline, and the same widget can be shown
again elsewhere (the side panel) as a second view of one model.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from distributed import Client
from ipywidgets import Layout, VBox

from ..aggregate import DashboardModel, Listener
from ..aggregate.history import TaskHistory
from ..config import Options, resolve_options
from . import cells, registry
from .gate import RedrawGate
from .layout import PageLayout, build_views, close_tree
from .sidebar import show_in_sidebar

logger = logging.getLogger("jupyter_dashmon")


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


class Dashboard(VBox):
    """Live Dask dashboard for one Client, as a Jupyter widget.

    Parameters
    ----------
    client : distributed.Client
        A live Client (synchronous or ``asynchronous=True``).
    interval : float or str, optional
        Seconds between polls, or a dask time string such as ``"250ms"``
        (default ``dashmon.interval``, 100 ms).
    task_stream_length, history, resource_length, resource_interval, stream_gap,
    max_bars, max_prefixes, lease : optional
        See :mod:`jupyter_dashmon.config`; each defaults to ``dashmon.<name>``.

    Attributes
    ----------
    model : DashboardModel
        The state every view reads; :meth:`snapshot` copies it.
    options : Options
        The validated options in force.
    views : dict
        The views by name (``"task_stream"``, ``"progress"``...).
    pages : ipywidgets.Tab
        The tabbed pages (Status, Tasks, Workers, Scheduler).
    """

    def __init__(self, client: Client, **options: Any):
        self.client = check_client(client)
        self.options: Options = resolve_options(**options)
        self.model = dashboard_model(self.options)
        self.views = build_views(self.model)
        self.page_layout = PageLayout(self.views)
        self.pages = self.page_layout.tabs
        super().__init__(children=self.page_layout.children, layout=Layout(width="100%"))
        self.add_class("dashmon-dashboard")
        self._closed = False
        self.gate = RedrawGate(self.page_layout, client)
        self.listener = Listener(client, self.model, self.options)
        # The listener finds the Client closed when its preloads could not tell us.
        self.model.status.observe(self._on_state, names=["state"])
        registry.add(self)
        cells.follow(client)
        self.listener.start()

    @classmethod
    def for_client(cls, client: Client, **options: Any) -> Dashboard:
        """The Client's open dashboard, or a new one."""
        for dash in registry.dashboards_of(client):
            if isinstance(dash, cls):
                return dash
        return cls(client, **options)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable copy of what the dashboard shows now.

        Keys: ``status``, ``progress``, ``memory``, ``colors``, ``task_stream``
        and ``resources`` (see the README for their fields).
        """
        return self.model.snapshot()

    def sidebar(self) -> None:
        """Show this dashboard in JupyterLab's right side panel too."""
        show_in_sidebar(self)

    def close(self) -> None:
        """Stop updates, unregister from the scheduler, close the widgets.

        Calling it again does nothing.
        """
        if getattr(self, "_closed", True):
            return
        self._closed = True
        registry.remove(self)
        if not registry.dashboards_of(self.client):
            cells.unfollow(self.client)
        self.gate.close()
        self._stop_listener()
        status = self.model.status
        status.unobserve(self._on_state, names=["state"])
        if status.state != "closed":  # else the listener has already said why
            status.state = "closed"
            status.message = "This dashboard was closed."
        self.page_layout.close()
        close_tree(self)

    def _on_state(self, change: dict[str, Any]) -> None:
        if change["new"] == "closed":
            self.close()

    def _stop_listener(self) -> None:
        # From the user's thread, wait (briefly) until the collector has been told,
        # so that closing the Client right after cannot cut the unsubscribe off.
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        client_loop = getattr(self.client.loop, "asyncio_loop", None)
        if running is None and client_loop is not None and client_loop.is_running():
            try:
                self.client.sync(self.listener.stop, callback_timeout=5)
                return
            except Exception as exc:
                logger.debug("dashmon: stopping the listener synchronously failed: %s", exc)
        self.listener.stop_soon()
