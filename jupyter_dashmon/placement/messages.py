"""Runs in the kernel: the messages of the ``jupyter_dashmon`` comm target.

One definition for the kernel side; ``js/src/protocol.ts`` mirrors it for the
JupyterLab side. Change both together.

Front-end to kernel: the front-end opens a comm on :data:`COMM_TARGET` with a
:class:`DashboardRequest`; the kernel answers once on that comm with a
:class:`DashboardReplyOk` or :class:`DashboardReplyError`, then closes it.

Kernel to front-end: ``Dashboard.sidebar()`` opens a comm on
:data:`COMM_TARGET` with a :class:`ShowMessage`.

Visibility: a dashboard opens a comm on :data:`VISIBILITY_TARGET` with a
:class:`VisibilityWatch`; every page connected to the kernel answers on it
with :class:`VisibilityReport` messages (a page opened later finds the comm
with a ``comm_info_request`` and joins it).
"""

from __future__ import annotations

from typing import Literal, TypedDict

#: The one comm target name, used in both directions.
COMM_TARGET = "jupyter_dashmon"


class DashboardRequest(TypedDict):
    """Data of the front-end's ``comm_open``: asks for the kernel's dashboard."""

    request: Literal["dashboard"]


class DashboardReplyOk(TypedDict):
    """The dashboard of the kernel's default Client is this widget model."""

    status: Literal["ok"]
    model_id: str


class DashboardReplyError(TypedDict):
    """No dashboard; ``message`` says why in plain words, for the side panel."""

    status: Literal["error"]
    message: str


DashboardReply = DashboardReplyOk | DashboardReplyError


class ShowMessage(TypedDict):
    """Data of the kernel's ``comm_open``: show this widget model in a side panel."""

    action: Literal["show"]
    model_id: str
    title: str


#: Comm target on which the kernel learns whether the pages showing its
#: dashboards are visible (a separate target, so a page can find the kernel's
#: open comm with a ``comm_info_request``).
VISIBILITY_TARGET = "jupyter_dashmon_visibility"

#: What a page may report on the visibility comm.
VISIBILITY_STATES = ("visible", "hidden", "closed")


class VisibilityWatch(TypedDict):
    """Data of the kernel's ``comm_open`` on :data:`VISIBILITY_TARGET`: report, please."""

    watch: Literal["visibility"]


class VisibilityReport(TypedDict):
    """A page's message on the visibility comm: its ``document.visibilityState``,
    or ``"closed"`` when it goes away.  Sent on every change and once a minute."""

    visibility: Literal["visible", "hidden", "closed"]


#: Class of a dashboard's Tab widget, followed by its model id: the page names
#: the dashboard in a :class:`TabReport` by it.
TABS_CLASS_PREFIX = "dashmon-tabs-"


class TabReport(TypedDict):
    """A page's message on the visibility comm when the user picks a dashboard's
    tab: the Tab widget's model id and the tab's index.  The Tab's own
    ``selected_index`` message waits while a cell runs (ipykernel 7 queues it
    behind the cell that displayed the widget); this comm is answered on a
    subshell, so the page picked is drawn at once."""

    dashboard: str
    tab: int
