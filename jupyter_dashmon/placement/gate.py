"""Runs in the kernel: a dashboard's views redraw only while someone can see them.

A view redraws while its page is the selected tab and some browser page
shows the kernel's dashboards (:mod:`.visibility`); otherwise its redraws are
held, so nothing is sent for what is not seen, and it redraws once shown
again.  The switches happen on the Client's event loop, where the listener
writes the models the views read.
"""

from __future__ import annotations

import asyncio
import logging

from distributed import Client

from . import visibility
from .layout import PageLayout

logger = logging.getLogger("jupyter_dashmon")


class RedrawGate:
    """Switches ``view.redraw.active`` of one dashboard's views.

    Parameters
    ----------
    pages : PageLayout
        The dashboard's pages: which views are on which page, and the tab shown.
    client : distributed.Client
        Whose event loop the switches run on.
    """

    def __init__(self, pages: PageLayout, client: Client):
        self.pages = pages
        self.client = client
        self._closed = False
        self._recheck: asyncio.TimerHandle | None = None
        pages.tabs.observe(self._on_tab, names=["selected_index"])
        # Looked up on the module, so a test can put its own page tracker there.
        self._unsubscribe = visibility.pages.subscribe(self._on_visibility)
        visibility.pages.watch()
        self.apply()

    @property
    def rechecking(self) -> bool:
        """Whether a look after the pages' reports expire is scheduled."""
        return self._recheck is not None

    def apply(self) -> None:
        """Set each view's redraws for the tab shown and the pages' visibility now."""
        if self._closed:
            return  # a switch scheduled before the dashboard closed
        shown = self.pages.shown
        seen = visibility.pages.seen()
        for page, views in enumerate(self.pages.page_views):
            for view in views:
                view.redraw.active = seen and page == shown
        self._schedule_recheck(seen)

    def close(self) -> None:
        """Stop listening to tab changes and page reports; cancel the pending look."""
        self._closed = True
        self.pages.tabs.unobserve(self._on_tab, names=["selected_index"])
        self._unsubscribe()
        self._cancel_recheck()

    def _on_tab(self, change: object = None) -> None:
        self.apply()

    def _on_visibility(self) -> None:
        # Called from the comm's thread (a kernel subshell): switch on the Client's loop.
        loop = self.client.loop
        if self._closed or loop is None:
            return
        try:
            loop.add_callback(self.apply)
        except Exception:  # a closing loop: nothing left to draw
            logger.debug("dashmon: could not schedule a visibility change", exc_info=True)

    def _schedule_recheck(self, seen: bool) -> None:
        # While every page says it is hidden, look again after the reports would
        # expire, so that a page closed without a word cannot hold redraws forever.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not on the Client's loop (a tab switch): the next report reschedules
        if loop is not getattr(self.client.loop, "asyncio_loop", None):
            return
        self._cancel_recheck()
        if seen or self._closed:
            return
        self._recheck = loop.call_later(visibility.pages.expiry + 1.0, self.apply)

    def _cancel_recheck(self) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
