"""Runs in the kernel: the views of one dashboard, laid out as a status line over four tabs.

:func:`build_views` makes every view of a :class:`DashboardModel`;
:class:`PageLayout` arranges them in pages (Status, Tasks, Workers,
Scheduler) and closes every widget they hold when the dashboard closes.
"""

from __future__ import annotations

from typing import Any

from ipywidgets import HBox, Layout, Tab, VBox, Widget

from ..aggregate import DashboardModel
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

#: The tabs, in order.
PAGES = ("Status", "Tasks", "Workers", "Scheduler")


def build_views(model: DashboardModel) -> dict[str, Any]:
    """Every view of the dashboard, by name, each reading its part of ``model``."""
    m = model
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


class PageLayout:
    """The status line above a :class:`~ipywidgets.Tab` of four pages.

    A page's content is attached only while its tab is selected: figures laid
    out in a hidden tab have no size (bqplot draws negative rectangles), and
    what is not shown costs the browser nothing.

    Parameters
    ----------
    views : dict
        From :func:`build_views`.

    Attributes
    ----------
    tabs : ipywidgets.Tab
        The pages; ``tabs.selected_index`` is the page shown.
    children : list
        The widgets to put in the dashboard's box.
    """

    def __init__(self, views: dict[str, Any]):
        self.views = views
        v = views
        v["workers"].stream_slot.children = [v["worker_stream"].figure]
        status = VBox(
            [
                tiles((v["progress"].widget, 3), (v["memory"].figure, 2)),
                v["task_stream"].widget,
                tiles((v["resources"].usage, 1), (v["resources"].network, 1)),
            ]
        )
        self.contents = [status, v["tasks"].widget, v["workers"].widget, v["scheduler"].widget]
        self.page_views = [
            [v["progress"], v["memory"], v["task_stream"], v["resources"]],
            [v["tasks"]],
            [v["workers"], v["worker_stream"]],
            [v["scheduler"]],
        ]
        self._boxes = [VBox(layout=Layout(width="100%")) for _ in PAGES]
        self.tabs = Tab(children=self._boxes, titles=list(PAGES))
        self.tabs.observe(self._attach_shown, names=["selected_index"])
        self._attach_shown()
        self.children = [v["status"].widget, self.tabs]

    @property
    def shown(self) -> int:
        """Index of the selected page."""
        return self.tabs.selected_index or 0

    def _attach_shown(self, change: object = None) -> None:
        shown = self.shown
        for page, (box, content) in enumerate(zip(self._boxes, self.contents)):
            box.children = [content] if page == shown else []

    def close(self) -> None:
        """Stop every view's redraws and close every widget the pages hold."""
        self.tabs.unobserve(self._attach_shown, names=["selected_index"])
        roots: list[Widget] = [self.tabs, *self.contents]
        for view in self.views.values():
            redraw = getattr(view, "redraw", None)
            if redraw is not None:
                redraw.close()
            roots.extend(widgets_of(view))
        close_tree(*roots)


def tiles(*figures: tuple[Widget, int]) -> HBox:
    """Figures side by side, sharing the width by weight, wrapping one under
    another when the space is narrow (the side panel)."""
    boxes = [
        VBox([fig], layout=Layout(flex=f"{weight} 1 320px", min_width="200px"))
        for fig, weight in figures
    ]
    return HBox(boxes, layout=Layout(flex_flow="row wrap", width="100%"))


def widgets_of(view: Any) -> list[Widget]:
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
        Widget.close(w)  # the base close: a subclass's own close may return early here
    return len(found)
