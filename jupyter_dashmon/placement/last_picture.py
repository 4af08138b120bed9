"""Runs in the kernel: the static picture a closed dashboard leaves in its cell outputs.

A widget view needs a kernel and the extension; a saved notebook, nbconvert
and a notebook viewer have neither.  So every display of a dashboard carries
one display id, and on closing the dashboard replaces each of them with a
static rendering (HTML and SVG, :func:`..views.picture.closed_html`) by
``update_display``.

Who hears the update depends on the request it is sent as the answer to
(its parent).  JupyterLab applies it in the output area of the cell that
displayed the widget, and only for messages answering that cell's request;
nbclient (``nbconvert --execute``, nbval) listens to the cell running now
and applies display updates across cells.  Closing often happens on the
Client's event-loop thread, whose parent is whichever cell started it.  The
update is therefore sent once as the answer to each: the displaying cell's
request, and the latest request of the kernel.  A second copy changes
nothing where the first already applied.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

logger = logging.getLogger("jupyter_dashmon")


def _display_pub() -> Any:
    from IPython import get_ipython

    shell = get_ipython()
    return getattr(shell, "display_pub", None)


class LastPicture:
    """The display id of one widget's displays, and the requests that showed it."""

    def __init__(self) -> None:
        self.display_id = f"dashmon-{uuid.uuid4().hex}"
        self._parents: dict[str, dict] = {}
        self._lock = threading.Lock()

    @property
    def displayed(self) -> bool:
        return bool(self._parents)

    def show(self, bundle: dict[str, Any]) -> None:
        """Display ``bundle`` under the display id, and remember the request doing so."""
        from IPython.display import display

        display(bundle, raw=True, display_id=self.display_id)
        header = getattr(_display_pub(), "parent_header", None) or {}
        msg_id = header.get("msg_id", "") if isinstance(header, dict) else ""
        with self._lock:
            self._parents[msg_id] = header

    def leave(self, bundle: dict[str, Any]) -> None:
        """Put ``bundle`` in place of every display so far."""
        with self._lock:
            parents = list(self._parents.values())
        if not parents:
            return
        from IPython.display import update_display

        pub = _display_pub()
        latest = getattr(pub, "_parent_header_global", None)
        if isinstance(latest, dict) and latest.get("msg_id") not in self._parents:
            parents.append(latest)
        setter = getattr(pub, "set_thread_parent", None)
        if setter is None:  # ipykernel 6: one process-wide parent, the latest request's
            update_display(bundle, raw=True, display_id=self.display_id)
            return
        for parent in parents:
            token = setter(parent)
            try:
                update_display(bundle, raw=True, display_id=self.display_id)
            finally:
                pub.reset_thread_parent(token)
