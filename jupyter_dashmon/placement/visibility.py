"""Runs in the kernel: whether any browser page can see this kernel's dashboards.

A page hidden behind another browser tab or minimised does not draw: its
animation frames stop, and bqplot's pending transitions pile up with every
widget update it receives (measured: the JS heap grew about 9 MiB/s while the
updates kept coming; see ``bench/SOAK.md``).  So the dashboards of a kernel
hold their redraws while every page that reports says it is hidden, and
redraw what changed as soon as one is visible again.

The JupyterLab extension reports each page's ``document.visibilityState`` on
the :data:`~.messages.VISIBILITY_TARGET` comm the first dashboard opens (on
change and once a minute).  With JupyterLab 4.4+ and ipykernel 7 those comm
messages run on a subshell, so they arrive while a cell is busy.

Safe defaults: with no report at all (a front-end without the extension, a
plain script) the dashboards draw as before; a page that stops reporting for
:data:`EXPIRY` seconds (closed without a word) no longer counts.  Data from
the front-end is only compared against fixed strings.
"""

from __future__ import annotations

import contextvars
import logging
import reprlib
import threading
import time
from collections.abc import Callable
from typing import Any

from .kernel import kernel_comm_manager
from .messages import VISIBILITY_STATES, VISIBILITY_TARGET, VisibilityWatch

logger = logging.getLogger("jupyter_dashmon")

#: Seconds after which a page that has not reported no longer counts
#: (pages report once a minute; hidden pages' timers may run late).
EXPIRY = 300.0


class PageVisibility:
    """The pages of one kernel and whether each can see its dashboards.

    Parameters
    ----------
    expiry : float
        Seconds a page's last report stays valid.
    clock : callable
        Returns seconds (``time.monotonic`` by default; tests pass their own).
    """

    def __init__(self, expiry: float = EXPIRY, clock: Callable[[], float] = time.monotonic):
        self.expiry = expiry
        self._clock = clock
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[bool, float]] = {}
        self._subscribers: list[Callable[[], None]] = []
        self._tab_listeners: dict[str, Callable[[int], None]] = {}
        self._comm: Any = None
        self._warned = False

    def seen(self) -> bool:
        """True unless every page still reporting says it is hidden."""
        now = self._clock()
        with self._lock:
            for page, (_, at) in list(self._pages.items()):
                if now - at > self.expiry:
                    del self._pages[page]
            states = [visible for visible, _ in self._pages.values()]
        return not states or any(states)

    def report(self, page: str, state: str) -> None:
        """Record what ``page`` (a front-end session id) says: visible, hidden or closed."""
        if state not in VISIBILITY_STATES:
            raise ValueError(f"visibility must be one of {VISIBILITY_STATES}, got {state!r:.40}")
        before = self.seen()
        with self._lock:
            if state == "closed":
                self._pages.pop(page, None)
            else:
                self._pages[page] = (state == "visible", self._clock())
        if self.seen() != before:
            self._notify()

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` whenever :meth:`seen` changes; returns the undo."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def listen_tabs(self, dashboard: str, callback: Callable[[int], None]) -> Callable[[], None]:
        """Call ``callback(index)`` when a page says the user picked tab ``index``
        of the Tab widget whose model id is ``dashboard``; returns the undo."""
        with self._lock:
            self._tab_listeners[dashboard] = callback

        def forget() -> None:
            with self._lock:
                if self._tab_listeners.get(dashboard) is callback:
                    del self._tab_listeners[dashboard]

        return forget

    def _tab_picked(self, data: dict) -> bool:
        """Route a :class:`~.messages.TabReport`; False if ``data`` is not one."""
        dashboard, tab = data.get("dashboard"), data.get("tab")
        if set(data) != {"dashboard", "tab"} or type(tab) is not int or tab < 0:
            return False
        with self._lock:
            callback = self._tab_listeners.get(dashboard) if isinstance(dashboard, str) else None
        if callback is not None:  # another kernel's dashboard, or one closed since: ignored
            try:
                callback(tab)
            except Exception:
                logger.exception("dashmon: switching to a picked tab failed")
        return True

    def watch(self) -> bool:
        """Ask the pages connected to this kernel to report (once per kernel).

        Returns False outside a Jupyter kernel, where there are no pages.
        """
        if self._comm is not None:
            return True
        if kernel_comm_manager() is None:
            return False
        comm = contextvars.copy_context().run(_open_unparented)
        comm.on_msg(self._on_msg)
        comm.on_close(self._on_close)
        self._comm = comm
        return True

    def _on_msg(self, msg: Any) -> None:
        header = msg.get("header") if isinstance(msg, dict) else None
        content = msg.get("content") if isinstance(msg, dict) else None
        data = content.get("data") if isinstance(content, dict) else None
        page = header.get("session") if isinstance(header, dict) else None
        state = data.get("visibility") if isinstance(data, dict) else None
        if isinstance(data, dict) and "tab" in data and self._tab_picked(data):
            return
        if (
            not isinstance(page, str)
            or not 0 < len(page) <= 200
            or not isinstance(data, dict)
            or set(data) != {"visibility"}
            or state not in VISIBILITY_STATES
        ):
            if not self._warned:  # a misbehaving page would otherwise log once a minute
                self._warned = True
                logger.warning(
                    "ignored a malformed message on %s: %s", VISIBILITY_TARGET, reprlib.repr(data)
                )
            return
        self.report(page, state)

    def _on_close(self, msg: Any) -> None:
        # The front-end closed the comm (it should not): forget the pages, ask again later.
        self._comm = None
        with self._lock:
            self._pages.clear()
        self._notify()

    def _notify(self) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback()
            except Exception:  # one dashboard's failure must not stop the others
                logger.exception("dashmon: a visibility subscriber failed")


def _open_unparented() -> Any:
    """Open the visibility comm as if no request had caused it.

    ipykernel 7 sends the front-end's messages on a comm to the subshell of the
    request that last published on it (here: the busy cell that created the
    dashboard), which would hold every report until that cell ends.  Opened
    without a parent request, the reports go where the front-end sends them:
    JupyterLab's per-target subshell, which answers while a cell runs.  Runs
    in a copied context, so the cell's own parent is left as it was.
    """
    from comm import create_comm
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is not None and _subshell_kernel():
        # Context-local in ipykernel 7 (this copied context only); in ipykernel 6 the
        # parent is process-wide and clearing it would cut the cell's own output off,
        # and there are no subshells to route to anyway.
        kernel.set_parent([], {}, channel="shell")
    data: VisibilityWatch = {"watch": "visibility"}
    return create_comm(target_name=VISIBILITY_TARGET, data=data)


def _subshell_kernel() -> bool:
    """True for ipykernel 7 or later (subshells, context-local parent requests)."""
    try:
        import ipykernel
    except ImportError:
        return False
    major = str(getattr(ipykernel, "__version__", "0")).split(".")[0]
    return major.isdigit() and int(major) >= 7


#: This kernel's pages (one per process).
pages = PageVisibility()
