"""Runs in the kernel: the Dashboard widget, shown inline in a notebook cell.

:class:`Dashboard` puts the parts of a dashboard together: a
:class:`DashboardModel` kept live by its :class:`Listener`, the views laid
out in pages (:mod:`.layout`), their messages of one turn of the Client's
loop sent as one (:class:`~..views.package_widget.Courier`), their redraws
held while nobody sees them (:mod:`.gate`), and an entry in the open
dashboards of its Client (:mod:`.registry`), which closes it when the Client
closes.  As the last expression of a cell it displays inline, and the same
widget can be shown again elsewhere (the side panel) as a second view of one
model.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from distributed import Client
from ipywidgets import Layout, VBox

from ..aggregate import Listener
from ..config import Options, resolve_options
from ..views import picture
from ..views.package_widget import courier_for
from . import cells, registry
from . import report as saved
from .gate import RedrawGate
from .last_picture import LastPicture
from .layout import PageLayout, build_views, close_tree
from .recorder import check_client, dashboard_model, stop_listener
from .sidebar import show_in_sidebar

logger = logging.getLogger("jupyter_dashmon")


class Dashboard(VBox):
    """Live Dask dashboard for one Client, as a Jupyter widget.

    Parameters
    ----------
    client : distributed.Client
        A live Client (synchronous or ``asynchronous=True``).
    interval : float or str, optional
        Seconds between polls, or a dask time string such as ``"250ms"``
        (default ``dashmon.interval``, 200 ms).
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
        loop = getattr(client.loop, "asyncio_loop", None)
        if loop is not None and not getattr(client, "asynchronous", False):
            # The Client's own loop thread: the views' messages of each turn of it
            # (a poll and the redraws it brings) leave as one.  An asynchronous
            # Client runs on the kernel's loop, where cells run: no batching there.
            courier_for(loop)
        self.views = build_views(self.model)
        self.page_layout = PageLayout(self.views)
        self.pages = self.page_layout.tabs
        super().__init__(children=self.page_layout.children, layout=Layout(width="100%"))
        self.add_class("dashmon-dashboard")
        self._closed = False
        self.last_picture = LastPicture()
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

    def _ipython_display_(self, **kwargs: Any) -> None:
        # Shown by display id, so that closing can leave a static picture in its place.
        self.last_picture.show(self.picture() if self._closed else self._repr_mimebundle_(**kwargs))

    def picture(self) -> dict[str, str]:
        """The dashboard's state now as static HTML (and a line of text): what a
        closed dashboard leaves in its cell outputs, shown without kernel or extension."""
        return {
            "text/html": picture.closed_html(self.model),
            "text/plain": picture.summary_text(self.model),
        }

    def save(self, path: str | os.PathLike, title: str | None = None) -> Path:
        """Write what the dashboard shows now as one self-contained HTML file.

        The file opens in any browser with no network and no Jupyter: the
        Status figures, the Tasks page with the whole retained history (pan,
        zoom, hover), Workers, Scheduler, Cells and Errors.  Returns its path.
        """
        return saved.save(self.model, path, title)

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
        stop_listener(self.client, self.listener)
        status = self.model.status
        status.unobserve(self._on_state, names=["state"])
        if status.state != "closed":  # else the listener has already said why
            status.state = "closed"
            status.message = "This dashboard was closed."
        self._leave_picture()
        self.page_layout.close()
        close_tree(self)

    def _leave_picture(self) -> None:
        if not self.last_picture.displayed:
            return
        try:
            self.last_picture.leave(self.picture())
        except Exception as exc:  # never in the way of closing
            logger.warning("dashmon: could not leave the dashboard's last picture: %s", exc)

    def _on_state(self, change: dict[str, Any]) -> None:
        if change["new"] == "closed":
            self.close()
