"""Runs in the kernel: the package's own widgets, and their messages sent a turn at a time.

:class:`PackageWidget` is the base of every widget drawn by this package's
JupyterLab extension (``js/src``).

A poll of the dashboard redraws several charts (the counts line, Progress,
the task stream, the resources lines...), each a widget of its own, and each
widget message costs the kernel about 0.8 ms: the send on the Client's loop,
then the IOPub thread woken to send it on.  The :class:`Courier` takes the
messages that the package's widgets (:class:`PackageWidget`) send from the
Client's event loop, and at the end of that turn of the loop sends
them on its own comm as one message; ``js/src/courier.ts`` hands each to its
widget's model as if it had come on that model's comm, in the order sent.

Only the loop a dashboard registered (:func:`courier_for`) is batched.  From
any other thread (a cell's, the shell's) a widget sends as ipywidgets does:
the kernel's main thread can sit in a cell for minutes, and its updates must
not wait for the cell to end.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, TypedDict

from ipywidgets import DOMWidget, Widget
from traitlets import Unicode

#: The npm package (js/package.json) whose models and views draw these widgets.
NPM_NAME = "jupyter-dashmon"
#: Its version, kept equal to js/package.json's (a test checks).
NPM_VERSION = "0.1.0"


class PackageWidget(DOMWidget):
    """A widget drawn by this package's JupyterLab extension (``js/src``):
    subclasses name their ``_model_name`` and ``_view_name``.  Sent from a
    dashboard's loop, its messages go with that turn's others (:class:`Courier`)."""

    _model_module = Unicode(NPM_NAME).tag(sync=True)
    _view_module = Unicode(NPM_NAME).tag(sync=True)
    _model_module_version = Unicode(f"^{NPM_VERSION}").tag(sync=True)
    _view_module_version = Unicode(f"^{NPM_VERSION}").tag(sync=True)

    def _send(self, msg: dict, buffers: list | None = None) -> None:
        courier = current_courier()
        if courier is not None:
            courier.carry(self, msg, buffers)
            return
        # Another thread (a cell's, or the shell's answering the browser): what
        # a courier holds leaves first, so this message cannot overtake one sent
        # before it (a page's "resend" answer must come after the appends it holds).
        with _sending:
            for waiting in list(_couriers.values()):
                waiting.flush()
            super()._send(msg, buffers=buffers)


class Carried(TypedDict):
    """One widget message inside a batch: the widget's model id, the message
    ipywidgets would have sent on its comm (``data``), and how many of the
    batch's binary buffers are its own (they follow the previous ones')."""

    id: str
    data: dict
    buffers: int


class Batch(TypedDict):
    """Kernel -> browser, the content of a courier's custom message."""

    batch: list[Carried]


class Courier(Widget):
    """A widget with no view: it carries other widgets' messages, a turn of
    its loop's at a time (:meth:`carry`)."""

    _model_name = Unicode("CourierModel").tag(sync=True)
    _model_module = Unicode(NPM_NAME).tag(sync=True)
    _model_module_version = Unicode(f"^{NPM_VERSION}").tag(sync=True)

    def __init__(self, loop: asyncio.AbstractEventLoop, **kwargs: Any):
        super().__init__(**kwargs)
        self.loop = loop
        self._queue: list[tuple[Widget, dict, list]] = []
        #: Messages sent and batches sent (one message each), for benchmarks.
        self.carried = 0
        self.batches = 0

    def carry(self, widget: Widget, msg: dict, buffers: list | None) -> None:
        """Queue ``widget``'s message; the turn's queue leaves when the turn ends.
        Call on the courier's loop only."""
        with _sending:
            if not self._queue:
                self.loop.call_soon(self.flush)
            self._queue.append((widget, msg, list(buffers or ())))

    def flush(self) -> None:
        """Send what is queued: a lone message on its widget's own comm, as
        ipywidgets would; two or more as one batch."""
        with _sending:
            self._flush()

    def _flush(self) -> None:
        queue, self._queue = self._queue, []
        live = [item for item in queue if item[0].comm is not None]
        if not live:
            return
        self.carried += len(live)
        if len(live) == 1 or self.comm is None:
            for widget, msg, buffers in live:
                Widget._send(widget, msg, buffers=buffers)
            return
        batch: Batch = {
            "batch": [{"id": w.model_id, "data": msg, "buffers": len(b)} for w, msg, b in live]
        }
        self.batches += 1
        self.send(dict(batch), buffers=[buffer for _, _, b in live for buffer in b])


#: Held while a package widget's message is queued or sent: messages leave in
#: the order they were made, whichever thread made them.
_sending = threading.RLock()

#: The courier of each event loop a dashboard registered.
_couriers: dict[asyncio.AbstractEventLoop, Courier] = {}


def courier_for(loop: asyncio.AbstractEventLoop) -> Courier:
    """The courier of ``loop`` (a Client's event loop), made on first use."""
    for gone in [other for other in _couriers if other.is_closed()]:
        _couriers.pop(gone).close()
    courier = _couriers.get(loop)
    if courier is None or courier.comm is None:
        courier = _couriers[loop] = Courier(loop)
    return courier


def current_courier() -> Courier | None:
    """The courier of the event loop running in this thread, if one was registered."""
    if not _couriers:
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    courier = _couriers.get(loop)
    return courier if courier is not None and courier.comm is not None else None


def carried(data: dict, buffers: list | None = None) -> list[tuple[dict, list]]:
    """The widget messages inside the data of a comm message, with their buffers:
    those a courier's batch carries (:class:`Batch`), or the message itself.
    For tools and tests that read the kernel's messages."""
    content = data.get("content")
    if data.get("method") != "custom" or not isinstance(content, dict) or "batch" not in content:
        return [(data, list(buffers or ()))]
    out, at = [], 0
    for item in content["batch"]:
        n = int(item["buffers"])
        out.append((item["data"], list((buffers or [])[at : at + n])))
        at += n
    return out
