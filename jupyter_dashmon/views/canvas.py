"""Runs in the kernel: task rectangles drawn on a ``<canvas>`` in the browser.

bqplot draws each rectangle as an SVG path, and a full redraw of a thousand
of them costs the page seconds of work.  :class:`TaskCanvas` is a widget of
this package's own (``js/src/stream.ts``) that paints them on a canvas,
batched by colour, with hover on single tasks and pan/zoom of the time axis.

What is small (title, time range, ticks, rows) is synced as traits, and so
is each batch of rectangles (``rects``, with binary columns), ``replace``
(everything held) or ``append`` (only what is new): a redraw that brings new
rectangles, a new time range and a new title is one message, and the
browser draws them in one frame.  Each widget message costs the kernel about
half a millisecond, sending included (``bench/kernel_parts.py``).  The
browser keeps what it was sent, so a second view of the same model (the side
panel beside the notebook) draws without a resend.  A page that lost what it
held (a reload) asks with ``resend``; the answer is a ``replace``.  The batch
a new browser model finds in the state it starts from is the last one sent,
perhaps an ``append``: it takes none but the answer to its ``resend``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Literal, TypedDict

import numpy as np
from ipywidgets import Layout, ToggleButton
from traitlets import Bool, Dict, Float, Int, List, TraitError, Tuple, Unicode, link, validate

from ..aggregate import ticks as tk
from ..aggregate.segments import (
    Segments,
    concat_segments,
    drawn,
    no_segments,
    used,
)
from ..aggregate.task_marks import LABEL_PARTS
from ..aggregate.transforms import DURATION_UNITS
from .package_widget import PackageWidget

#: What :meth:`TaskCanvas.drawn` gives per rectangle.
DRAWN = ("x0", "x1", "row", "color", "label")


#: The binary columns of a batch, in order, with the type each is sent as:
#: x0 and x1 (seconds after the origin), row, colour index into ``colors``,
#: worker index into ``workers`` (-1: none), label code, seconds.
BATCH_COLUMNS = (
    ("x0", "<f4"),
    ("x1", "<f4"),
    ("row", "<i4"),
    ("color", "u1"),
    ("worker", "<i4"),
    ("code", "u1"),
    ("seconds", "<f8"),
)


class RectsBatch(TypedDict):
    """Kernel -> browser, the ``rects`` trait: rectangles, with the columns of
    :data:`BATCH_COLUMNS` as bytes (sent as binary buffers).

    ``texts`` are the keys (or a run's whole text), :func:`joined_texts`: one
    buffer too, as ipywidgets looks into every item of a list for buffers to
    take out, which cost more than the rest of the batch.  The browser joins
    each hover text from them as :func:`~..aggregate.task_marks.labels_of`
    does.  ``seq`` numbers the batches, so two alike are still two changes."""

    op: Literal["replace", "append"]
    seq: int
    count: int
    colors: list[str]
    workers: list[str]
    texts: bytes
    x0: bytes
    x1: bytes
    row: bytes
    color: bytes
    worker: bytes
    code: bytes
    seconds: bytes


class ResendMessage(TypedDict):
    """Browser -> kernel: a new model that holds nothing asks for everything."""

    op: Literal["resend"]


class TaskCanvas(PackageWidget):
    """Rows of task rectangles on a time axis, drawn on a canvas.

    Attributes
    ----------
    title : str
        Written centred above the plot.
    height : int
        Pixel height of the whole figure (title and axis included).
    span : tuple of float
        ``(lo, hi)``, the time range shown, in seconds after the stream's
        origin.  The browser writes it too, when the user pans or zooms.
    tick_values : list of float
        Where the time axis has ticks, in the units of ``span``.
    tick_labels : list of str
        The text under each tick, one per value.
    clock : dict
        When set (by :meth:`set_clock`; empty otherwise), the browser labels the time axis
        itself with round clock times, as many as the figure's width has room
        for: ``origin`` (epoch seconds of ``span``'s 0), ``offset`` (seconds
        from UTC of the clock read: the kernel's local time, as on every other
        axis) and ``steps`` (:data:`~..aggregate.ticks.CLOCK_STEPS`).  Then
        ``tick_values`` and ``tick_labels`` are empty.
    rows : int
        Worker-thread rows; row 0 at the top.
    row_cap : float
        Most pixel height of a rectangle, however few rows.
    pan_zoom : bool
        Whether dragging pans and the wheel zooms the time axis (hover works
        either way; off, the wheel scrolls the page as usual).
    capacity : int
        Most rectangles held after an ``append`` (the oldest go first).  A
        ``replace`` holds all it is given.
    rects : dict
        The last batch of rectangles sent (:class:`RectsBatch`).
    """

    _model_name = Unicode("TaskCanvasModel").tag(sync=True)
    _view_name = Unicode("TaskCanvasView").tag(sync=True)

    title = Unicode("").tag(sync=True)
    height = Int(260, min=40).tag(sync=True)
    span = Tuple(Float(), Float(), default_value=(0.0, 1.0)).tag(sync=True)
    tick_values = List(Float()).tag(sync=True)
    tick_labels = List(Unicode()).tag(sync=True)
    clock = Dict().tag(sync=True)
    rows = Int(0, min=0).tag(sync=True)
    row_cap = Float(40.0, min=1.0).tag(sync=True)
    pan_zoom = Bool(False).tag(sync=True)
    capacity = Int(1000, min=1).tag(sync=True)
    rects = Dict().tag(sync=True)
    #: How the browser joins a hover text: head and tail per label code, and
    #: the duration's units (bound in seconds, None for the last; scale; decimals; unit).
    label_parts = List(default_value=[list(p) for p in LABEL_PARTS]).tag(sync=True)
    duration_units = List(
        default_value=[
            [None if b == float("inf") else b, scale, digits, unit]
            for b, scale, digits, unit in DURATION_UNITS
        ]
    ).tag(sync=True)

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("layout", Layout(width="100%", min_width="200px"))
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self._held: Segments = no_segments()
        self.sent = 0  # batches sent, for the tests and the curious
        self._span_callbacks: list[Callable[[tuple[float, float]], None]] = []
        self.on_msg(self._on_browser)

    def on_user_span(self, callback: Callable[[tuple[float, float]], None]) -> None:
        """Call ``callback(span)`` when the user pans or zooms in the browser.

        Only then: a view that sets ``span`` itself (live mode, on the
        listener's thread) is not mistaken for the user, whichever thread
        the browser's change arrives on meanwhile.
        """
        self._span_callbacks.append(callback)

    def set_state(self, sync_data: dict) -> None:
        super().set_state(sync_data)
        if "span" in sync_data:
            for callback in self._span_callbacks:
                callback(self.span)

    @validate("span")
    def _valid_span(self, proposal: dict) -> tuple[float, float]:
        lo, hi = proposal["value"]
        if not (np.isfinite(lo) and np.isfinite(hi)) or not hi > lo:
            raise TraitError(f"span must be finite with lo < hi, got {(lo, hi)!r:.60}")
        return (float(lo), float(hi))

    # -- what is held ----------------------------------------------------------

    @property
    def count(self) -> int:
        """Rectangles held (and drawn by every view)."""
        return len(self._held["x0"])

    def drawn(self) -> dict[str, list]:
        """Every held rectangle in columns (x0, x1, row, color, label), oldest first."""
        with self._lock:
            columns = drawn(self._held)
        return {k: columns[k] for k in DRAWN}

    def set_ticks(self, ticks: tk.Ticks) -> None:
        """Tick values and labels of ``ticks`` (computed by :mod:`..aggregate.ticks`)."""
        labels = [ticks.labels.get(tk.js_key(v), "") for v in ticks.values]
        with self.hold_sync():
            self.clock = {}
            if self.tick_values != list(ticks.values):
                self.tick_values = [float(v) for v in ticks.values]
            if self.tick_labels != labels:
                self.tick_labels = labels

    def set_clock(self, origin: float) -> None:
        """Label the time axis with clock times, ``span`` being seconds after ``origin``.

        The browser picks the ticks (``clock``): it knows the figure's width,
        and labels a pan or zoom without asking the kernel.
        """
        clock = {
            "origin": float(origin),
            "offset": tk.local_offset(float(origin)),
            "steps": [float(s) for s in tk.CLOCK_STEPS],
        }
        with self.hold_sync():
            if self.clock != clock:
                self.clock = clock
            self.tick_values, self.tick_labels = [], []

    # -- sending -----------------------------------------------------------------

    def replace(self, segments: Segments) -> None:
        """Hold exactly these rectangles, and send them all."""
        with self._lock:
            self._held = concat_segments(no_segments(), segments)
            self._send_rects("replace", self._held)

    def grow(self, segments: Segments, first: int) -> None:
        """Hold ``segments`` (at most the last ``capacity``), of which what is held
        now is the part before ``first``: send only the rectangles from ``first`` on.

        The live stream's window hands over the segments it keeps, so the
        figure shares them rather than copying.
        """
        n = len(segments["x0"]) - first
        if n <= 0:
            return
        drop = max(len(segments["x0"]) - self.capacity, 0)
        with self._lock:
            self._held = segments if not drop else concat_segments(no_segments(), segments, drop)
            self._send_rects("append", segments, max(first, drop))

    def _send_rects(
        self, op: Literal["replace", "append"], segments: Segments, first: int = 0
    ) -> None:
        """Send the rectangles of ``segments`` from ``first`` on, with the colours
        and workers they use: in the message of the caller's ``hold_sync``, if any."""
        colors, color = used(segments["colors"], segments["color"][first:])
        if len(colors) > 256:
            raise ValueError(f"at most 256 colours per message, got {len(colors)}")
        workers, worker = used(segments["workers"], segments["worker"][first:])
        columns = {
            "x0": segments["x0"][first:],
            "x1": segments["x1"][first:],
            "row": segments["row"][first:],
            "color": color,
            "worker": worker,
            "code": segments["code"][first:],
            "seconds": segments["seconds"][first:],
        }
        self.sent += 1
        batch: RectsBatch = {
            "op": op,
            "seq": self.sent,
            "count": len(color),
            "colors": colors,
            "workers": workers,
            "texts": joined_texts(segments["text"][first:].tolist()),
            **{  # type: ignore[typeddict-item]
                name: np.ascontiguousarray(columns[name], dtype).tobytes()
                for name, dtype in BATCH_COLUMNS
            },
        }
        self.rects = dict(batch)

    def _on_browser(self, widget: Any, content: Any, buffers: list) -> None:
        # Data from the page is only compared, never used otherwise.
        if isinstance(content, dict) and content.get("op") == "resend":
            with self._lock:
                self._send_rects("replace", self._held)


def joined_texts(texts: list[str]) -> bytes:
    """``texts`` joined by NUL characters, in UTF-8: the browser splits them
    back (``js/src/stream.ts``).  Work per text is C's, not Python's.  A NUL
    inside a text goes as U+FFFD; a lone surrogate arrives as U+FFFD, the
    browser's text for what it cannot show."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(len(texts) - 1, 0):  # a text holds a NUL
        joined = "\x00".join(t.replace("\x00", "\ufffd") for t in texts)
    return joined.encode("utf-8", "surrogatepass")


def pan_toggle(canvas: TaskCanvas) -> ToggleButton:
    """A button that switches pan/zoom of ``canvas``'s time axis on and off.

    Hover works either way; the switch is there so that the wheel over a
    figure in a notebook scrolls the notebook unless the user asked it to zoom.
    """
    button = ToggleButton(
        value=canvas.pan_zoom,
        description="Pan/zoom",
        icon="arrows-alt",
        tooltip="Drag to pan and wheel to zoom the time axis (hover shows tasks either way)",
        layout=Layout(width="auto", flex="none", margin="2px 0 0 16px"),
    )
    link((button, "value"), (canvas, "pan_zoom"))
    return button
