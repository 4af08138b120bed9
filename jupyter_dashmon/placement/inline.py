"""Runs in the kernel: the Dashboard widget, shown inline in a notebook cell.

:class:`Dashboard` wires one :class:`DashboardModel` to its :class:`Listener`
and lays the views out as an ipywidgets box; as the last expression of a cell
it displays inline, and the same widget can be shown again elsewhere (the
side panel) as a second view of one model.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from distributed import Client
from ipywidgets import HBox, Layout, Tab, VBox, Widget

from ..aggregate import DashboardModel, Listener
from ..aggregate.history import TaskHistory
from ..config import Options, resolve_options
from ..views import (
    MemoryView,
    ProgressView,
    ResourcesView,
    SchedulerView,
    StatusView,
    TaskStreamView,
    TasksView,
    WorkersView,
)
from ..views.worker_stream import WorkerStreamView
from . import visibility

logger = logging.getLogger("jupyter_dashmon")

_lock = threading.Lock()
#: Open dashboards per Client (keyed by id; entries removed on close).
_open: dict[int, list[Dashboard]] = {}


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
    """

    def __init__(self, client: Client, **options: Any):
        self.client = check_client(client)
        self.options: Options = resolve_options(**options)
        self.model = DashboardModel()
        o = self.options
        self.model.tasks.length = o.task_stream_length
        self.model.tasks.gap = o.stream_gap
        self.model.resources.length = o.resource_length
        self.model.history.history = TaskHistory(o.history)
        self.model.progress.max_bars = o.max_bars
        self._recheck: asyncio.TimerHandle | None = None
        self.views = self._build_views()
        super().__init__(children=self._layout(), layout=Layout(width="100%"))
        self.add_class("dashmon-dashboard")
        self._closed = False
        self._unwatch = visibility.pages.subscribe(self._on_visibility)
        visibility.pages.watch()
        self.listener = Listener(client, self.model, o)
        with _lock:
            _open.setdefault(id(client), []).append(self)
        self.listener.start()

    def _build_views(self) -> dict[str, Any]:
        m = self.model
        return {
            "status": StatusView(m.status),
            "progress": ProgressView(m.progress),
            "memory": MemoryView(m.progress),
            "task_stream": TaskStreamView(m.tasks, m.progress, m.history),
            "resources": ResourcesView(m.resources),
            "tasks": TasksView(m.history, m.progress),
            "workers": WorkersView(m.workers),
            "worker_stream": WorkerStreamView(m.workers, m.history, m.progress),
            "scheduler": SchedulerView(m.resources, m.progress),
        }

    def _layout(self) -> list:
        v = self.views
        v["workers"].stream_slot.children = [v["worker_stream"].figure]
        status = VBox(
            [
                tiles((v["progress"].widget, 3), (v["memory"].figure, 2)),
                v["task_stream"].widget,
                tiles((v["resources"].usage, 1), (v["resources"].network, 1)),
            ]
        )
        pages = {
            "Status": status,
            "Tasks": v["tasks"].widget,
            "Workers": v["workers"].widget,
            "Scheduler": v["scheduler"].widget,
        }
        # A page's content is attached only while it is shown: figures laid out in a
        # hidden tab have no size (bqplot draws negative rectangles), and what is
        # not shown costs the browser nothing.
        self._page_contents = list(pages.values())
        self._page_boxes = [VBox(layout=Layout(width="100%")) for _ in pages]
        self.pages = Tab(children=self._page_boxes, titles=list(pages))
        self._page_views = [
            [v["progress"], v["memory"], v["task_stream"], v["resources"]],
            [v["tasks"]],
            [v["workers"], v["worker_stream"]],
            [v["scheduler"]],
        ]
        self.pages.observe(self._on_page, names=["selected_index"])
        self._on_page()
        return [v["status"].widget, self.pages]

    def _on_page(self, change: object = None) -> None:
        shown = self.pages.selected_index or 0
        self._apply_activity()
        for page, (box, content) in enumerate(zip(self._page_boxes, self._page_contents)):
            box.children = [content] if page == shown else []

    def _apply_activity(self) -> None:
        # Views on hidden tabs, or on pages no browser shows, hold their redraws:
        # no traffic for what is not seen; they redraw once shown again.
        shown = self.pages.selected_index or 0
        seen = visibility.pages.seen()
        for page, views in enumerate(self._page_views):
            for view in views:
                view.redraw.active = seen and page == shown
        self._schedule_recheck(seen)

    def _schedule_recheck(self, seen: bool) -> None:
        # While every page says it is hidden, look again after the reports would
        # expire, so that a page closed without a word cannot hold redraws forever.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not on the Client's loop (a tab switch): the next report reschedules
        if loop is not getattr(self.client.loop, "asyncio_loop", None):
            return
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
        if seen or getattr(self, "_closed", True):
            return
        self._recheck = loop.call_later(visibility.pages.expiry + 1.0, self._apply_activity)

    def _on_visibility(self) -> None:
        # Called from the comm's thread (a kernel subshell): redraw on the Client's loop,
        # where the listener writes the models.
        if self._closed:
            return
        try:
            self.client.loop.add_callback(self._apply_activity)
        except Exception:  # a closing loop: nothing left to draw
            logger.debug("dashmon: could not schedule a visibility change", exc_info=True)

    @classmethod
    def for_client(cls, client: Client, **options: Any) -> Dashboard:
        """The Client's open dashboard, or a new one."""
        with _lock:
            existing = list(_open.get(id(client), []))
        for dash in existing:
            if not dash._closed:
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
        from .sidebar import show_in_sidebar

        show_in_sidebar(self)

    def close(self) -> None:
        """Stop updates, unregister from the scheduler, close the widgets.

        Calling it again does nothing.
        """
        if getattr(self, "_closed", True):
            return
        self._closed = True
        self._unwatch()
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
        with _lock:
            siblings = _open.get(id(self.client), [])
            if self in siblings:
                siblings.remove(self)
            if not siblings:
                _open.pop(id(self.client), None)
        self._stop_listener()
        self.model.status.state = "closed"
        self.model.status.message = "This dashboard was closed."
        roots: list[Widget] = [self, *self._page_contents]
        for view in self.views.values():
            redraw = getattr(view, "redraw", None)
            if redraw is not None:
                redraw.close()
            roots.extend(_widgets_of(view))
        close_tree(*roots)

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


def tiles(*figures: tuple[Widget, int]) -> HBox:
    """Figures side by side, sharing the width by weight, wrapping one under
    another when the space is narrow (the side panel)."""
    boxes = [
        VBox([fig], layout=Layout(flex=f"{weight} 1 320px", min_width="200px"))
        for fig, weight in figures
    ]
    return HBox(boxes, layout=Layout(flex_flow="row wrap", width="100%"))


def _widgets_of(view: Any) -> list[Widget]:
    """Every widget a view holds, shown or not (e.g. the Workers page keeps
    both its per-worker bars and its histograms), however nested, including
    inside the package's own helper objects (``RectBars``)."""
    found: list[Widget] = []
    seen: set[int] = set()
    stack: list[Any] = list(vars(view).values())
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Widget):
            found.append(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple, set)):
            stack.extend(value)
        elif type(value).__module__.startswith("jupyter_dashmon.") and hasattr(value, "__dict__"):
            stack.extend(vars(value).values())
    return found


def close_tree(*roots: Widget) -> int:
    """Close ``roots`` and every widget they refer to (children, marks,
    scales, axes, layouts, styles...).

    ``Figure.close()`` or ``Box.close()`` alone leaves what they refer to
    registered in the kernel; closing the whole tree is what lets a closed
    dashboard be collected.  Returns how many widgets were closed.
    """
    seen: set[int] = set()
    found: list[Widget] = []
    stack = list(roots)
    while stack:
        w = stack.pop()
        if id(w) in seen or w.comm is None:
            continue
        seen.add(id(w))
        found.append(w)
        for name in w.keys:
            value = getattr(w, name, None)
            if isinstance(value, dict):
                items = list(value.values())
            elif isinstance(value, (list, tuple)):
                items = list(value)
            else:
                items = [value]
            stack.extend(v for v in items if isinstance(v, Widget))
    for w in found:
        Widget.close(w)  # the base close: Dashboard.close would return early here
    return len(found)


async def close_dashboards_of(client: Client) -> None:
    """Close every dashboard of ``client`` (called as the Client closes)."""
    with _lock:
        dashboards = list(_open.get(id(client), []))
    for dash in dashboards:
        try:
            await dash.listener.stop()
            dash.close()
        except Exception:
            logger.exception("dashmon: error while closing a dashboard")
