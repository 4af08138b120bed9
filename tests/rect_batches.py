"""What a TaskCanvas is given (:func:`rects`) and sends: its batches of
rectangles, as the browser gets them.

A batch is the canvas's ``rects`` trait, sent in a widget ``update`` message
(with whatever else the redraw changed) whose binary columns travel as
buffers.  No kernel is needed: the widget's ``DummyComm`` still goes through
``Widget._send``, which :func:`record_batches` watches.
"""

from __future__ import annotations

import numpy as np
from ipywidgets import Widget

from jupyter_dashmon.views.canvas import BATCH_COLUMNS


def record_batches(monkeypatch, widget: Widget | None = None) -> list[tuple[Widget, dict, list]]:
    """Every batch that ``widget`` (default: any widget) sends from now on:
    (widget, the batch without its binary columns, those columns as bytes in
    the order of :data:`~jupyter_dashmon.views.canvas.BATCH_COLUMNS`); the
    batch's ``texts`` split back as the browser splits them, a list."""
    out: list[tuple[Widget, dict, list]] = []
    original = Widget._send

    def _send(self, msg, buffers=None):
        state = msg.get("state") or {}
        if msg.get("method") == "update" and "rects" in state and widget in (None, self):
            by_path = {tuple(p): b for p, b in zip(msg.get("buffer_paths", []), buffers or [])}
            columns = [bytes(by_path[("rects", name)]) for name, _ in BATCH_COLUMNS]
            text = bytes(by_path[("rects", "texts")]).decode("utf-8", "replace")
            batch = dict(
                state["rects"], texts=text.split("\x00") if state["rects"]["count"] else []
            )
            out.append((self, batch, columns))
        return original(self, msg, buffers)

    monkeypatch.setattr(Widget, "_send", _send)
    return out


def rects(n, start=0.0, color="#3d80d7"):
    """``n`` segments of one colour on worker tcp://w, half a second each."""
    return {
        "x0": np.arange(n) + start,
        "x1": np.arange(n) + start + 0.5,
        "row": np.arange(n, dtype=np.int32) % 3,
        "color": np.zeros(n, dtype=np.int32),
        "colors": [color],
        "text": np.array([f"k-{start + i:g}" for i in range(n)], dtype=object),
        "code": np.zeros(n, dtype=np.uint8),
        "worker": np.zeros(n, dtype=np.int32),
        "workers": ["tcp://w"],
        "seconds": np.full(n, 0.5),
        "tasks": n,
        "aggregated": False,
    }
