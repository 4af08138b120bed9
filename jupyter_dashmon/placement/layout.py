"""Runs in the kernel: the views of one dashboard, laid out as a status line over tabs.

:func:`build_views` makes every view of a :class:`DashboardModel`;
:class:`PageLayout` arranges them in pages (Status, Tasks, Workers,
Scheduler, Cells, Errors, Profile, Groups, Metrics, Cluster memory) and
closes every widget they hold when the dashboard closes.
"""

from __future__ import annotations

from typing import Any

from ipywidgets import HTML, HBox, Layout, Tab, VBox, Widget

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
from ..views.base import side_by_side
from ..views.cells import CellsView
from ..views.cluster_memory import ClusterMemoryView
from ..views.errors import ErrorBanner, ErrorsView
from ..views.groups import GroupsView
from ..views.metrics import MetricsView
from ..views.profile import ProfileView
from ..views.worker_stream import WorkerStreamView
from . import visibility
from .messages import TABS_CLASS_PREFIX

#: The tabs, in order.
PAGES = (
    "Status",
    "Tasks",
    "Workers",
    "Scheduler",
    "Cells",
    "Errors",
    "Profile",
    "Groups",
    "Metrics",
    "Cluster memory",
)

#: Layout rules for the dashboard, scoped to its root class.  They travel with
#: the widget (a ``<style>`` in a hidden HTML widget), so they apply wherever
#: the widget is shown: a notebook cell, the side panel, Voila.  Each selector
#: is one class more specific than the ipywidgets rule it overrides.
DASHBOARD_STYLE = """<style>
/* Text written over a chart's marks lets the pointer through to the marks
   beneath, which carry the tooltips.  A halo of the page's colour keeps it
   readable over any colour. */
.dashmon-dashboard .bqplot > svg text.label {
  pointer-events: none;
  paint-order: stroke;
  stroke: var(--jp-layout-color1);
  stroke-width: 3px;
  stroke-linejoin: round;
  stroke-opacity: 0.85;
}
/* Tooltips are drawn outside the dashboard (bqplot appends them to <body>);
   ours hold an element with a class (views/hover.py) and take the theme's
   colours, where bqplot's own turn orange in the dark theme. */
.bqplot_mark_tooltip:has(> .dashmon-tooltip) {
  color: var(--jp-ui-font-color1);
  background-color: var(--jp-layout-color1);
  border: 1px solid var(--jp-border-color1);
  box-shadow: var(--jp-elevation-z4);
  font-family: var(--jp-ui-font-family);
  font-size: 12px;
  line-height: 1.4;
  padding: 2px 6px;
}
.bqplot_mark_tooltip .dashmon-tooltip td {
  color: inherit;
  padding: 0;
  text-align: left;
}
/* Each figure is a size container: in a narrow one (the 250 px side panel)
   titles are a size smaller and every other tick label is left out, so no
   title is cut and no two labels touch. */
.dashmon-dashboard .bqplot.figure {
  container-type: inline-size;
}
@container (max-width: 300px) {
  .dashmon-dashboard .bqplot > svg text.mainheading {
    font-size: 11px !important;
  }
  .dashmon-dashboard .bqplot > svg g.axis g.tick:nth-of-type(even) text {
    display: none;
  }
}
/* ipywidgets pads tab pages by 15 px: a sixth of a 250 px side panel. */
.dashmon-dashboard .jupyter-widgets:is(.widget-tab, .jupyter-widget-tab) > .widget-tab-contents {
  padding: 4px;
}
/* Tabs as wide as their names, wrapping onto a second row in a narrow side
   panel rather than cut. */
.dashmon-dashboard .jupyter-widgets:is(.widget-tab, .jupyter-widget-tab)
  > .lm-TabBar .lm-TabBar-tab {
  flex: 0 1 auto;
  min-width: 0;
  padding: 0 6px;
}
.dashmon-dashboard .jupyter-widgets:is(.widget-tab, .jupyter-widget-tab)
  > .lm-TabBar > .lm-TabBar-content {
  flex-wrap: wrap;
}
/* The status line wraps rather than being cut at the panel's edge. */
.dashmon-dashboard :is(.widget-label, .jupyter-widget-label).dashmon-status {
  height: auto;
  white-space: normal;
  overflow-wrap: anywhere;
  line-height: 1.4;
  padding: 2px 0 4px;
}
/* Drop-downs as narrow as their box allows in a narrow panel. */
.dashmon-dashboard :is(.widget-dropdown, .jupyter-widget-dropdown) > select {
  min-width: 0;
}
/* Cluster memory's summary line: ordinary line spacing, not a 28 px widget row a line. */
.dashmon-dashboard .dashmon-progress-counts > .widget-html-content {
  line-height: 1.4;
  font-size: 12px;
}
/* Small segmented controls (Live / Fixed window, sort order). */
.dashmon-dashboard .dashmon-compact-toggle {
  line-height: 22px;
  align-items: center;
}
.dashmon-dashboard .dashmon-compact-toggle
  .jupyter-button:is(.widget-toggle-button, .jupyter-widget-toggle-button) {
  height: 22px;
  line-height: 20px;
  font-size: 12px;
  padding: 0 8px;
  margin: 0;
  border: 1px solid var(--jp-border-color1);
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  box-shadow: none;
}
.dashmon-dashboard .dashmon-compact-toggle .jupyter-button + .jupyter-button {
  border-left: none;
}
.dashmon-dashboard .dashmon-compact-toggle
  .jupyter-button:is(.widget-toggle-button, .jupyter-widget-toggle-button).mod-active {
  background: var(--jp-brand-color1);
  border-color: var(--jp-brand-color1);
  color: white;
}
</style>"""


def build_views(model: DashboardModel) -> dict[str, Any]:
    """Every view of the dashboard, by name, each reading its part of ``model``."""
    m = model
    return {
        "status": StatusView(m.status),
        "progress": ProgressView(m.progress),
        "memory": MemoryView(m.progress),
        "task_stream": TaskStreamView(m.tasks, m.progress, m.history),
        # Two of them stacked are about as tall as the task stream beside them.
        "resources": ResourcesView(m.resources, height=150),
        "tasks": TasksView(m.history, m.progress, work=m.work),
        "workers": WorkersView(m.workers),
        "worker_stream": WorkerStreamView(m.workers, m.history, m.progress),
        "scheduler": SchedulerView(m.resources, m.progress),
        "cells": CellsView(m.work, colors=lambda: m.progress.colors),
        "errors": ErrorsView(m.work),
        "error_banner": ErrorBanner(m.work),
        "profile": ProfileView(m.profile, m.status, m.progress),
        "groups": GroupsView(m.groups, colors=lambda: m.progress.colors),
        "metrics": MetricsView(m.metrics, m.progress, m.work),
        "cluster_memory": ClusterMemoryView(m.cluster_memory),
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
        # On a wide cell: Progress beside Memory use, then the task stream beside
        # the CPU and network charts (stacked), about as compact as Bokeh's
        # /status.  Narrower, each pair wraps: in a 600 px side panel the
        # stream takes the whole width with CPU and network side by side under
        # it; in a 250 px one every figure has a row of its own.
        resources = side_by_side(v["resources"].usage, v["resources"].network)
        status = VBox(
            [
                v["error_banner"].widget,
                side_by_side(v["progress"].widget, v["memory"].widget, weights=(3, 2)),
                HBox(
                    [
                        VBox([v["task_stream"].widget], layout=Layout(flex="3 1 560px")),
                        VBox([resources], layout=Layout(flex="2 1 300px", min_width="200px")),
                    ],
                    layout=Layout(flex_flow="row wrap", width="100%"),
                ),
            ]
        )
        self.contents = [
            status,
            v["tasks"].widget,
            v["workers"].widget,
            v["scheduler"].widget,
            v["cells"].widget,
            v["errors"].widget,
            v["profile"].widget,
            v["groups"].widget,
            v["metrics"].widget,
            v["cluster_memory"].widget,
        ]
        self.page_views = [
            [v["error_banner"], v["progress"], v["memory"], v["task_stream"], v["resources"]],
            [v["tasks"]],
            [v["workers"], v["worker_stream"]],
            [v["scheduler"]],
            [v["cells"]],
            [v["errors"]],
            [v["profile"]],
            [v["groups"]],
            [v["metrics"]],
            [v["cluster_memory"]],
        ]
        self._boxes = [VBox(layout=Layout(width="100%")) for _ in PAGES]
        self.tabs = Tab(children=self._boxes, titles=list(PAGES))
        self.tabs.observe(self._attach_shown, names=["selected_index"])
        self._attach_shown()
        # The page also names the tab picked on the visibility comm, which is
        # answered while a cell runs (the Tab's own message waits for the cell).
        self.tabs.add_class(TABS_CLASS_PREFIX + self.tabs.model_id)
        self._forget_tabs = visibility.pages.listen_tabs(self.tabs.model_id, self._picked)
        self.style = HTML(DASHBOARD_STYLE, layout=Layout(display="none"))
        self.children = [self.style, v["status"].widget, self.tabs]

    @property
    def shown(self) -> int:
        """Index of the selected page."""
        return self.tabs.selected_index or 0

    def _picked(self, index: int) -> None:
        if index < len(PAGES) and self.tabs.selected_index != index:
            self.tabs.selected_index = index

    def _attach_shown(self, change: object = None) -> None:
        shown = self.shown
        for page, (box, content) in enumerate(zip(self._boxes, self.contents)):
            box.children = [content] if page == shown else []

    def close(self) -> None:
        """Stop every view's redraws and close every widget the pages hold."""
        self.tabs.unobserve(self._attach_shown, names=["selected_index"])
        self._forget_tabs()
        roots: list[Widget] = [self.style, self.tabs, *self.contents]
        for view in self.views.values():
            redraw = getattr(view, "redraw", None)
            if redraw is not None:
                redraw.close()
            roots.extend(widgets_of(view))
        close_tree(*roots)


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
