"""TaskCanvas, the kernel side of the canvas task figures: what it holds and what it sends.

No kernel: the widget's ``DummyComm`` still goes through ``Widget._send``,
which the ``sent`` fixture watches (``tests/rect_batches.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from rect_batches import record_batches, rects
from traitlets import TraitError

from jupyter_dashmon.aggregate.segments import concat_segments
from jupyter_dashmon.aggregate.task_marks import labels_of
from jupyter_dashmon.views.canvas import TaskCanvas, pan_toggle
from jupyter_dashmon.views.package_widget import NPM_NAME, NPM_VERSION

PACKAGE_JSON = Path(__file__).resolve().parents[2] / "js" / "package.json"


@pytest.fixture
def sent(monkeypatch):
    """Every batch of rectangles a widget sends: (widget, batch, binary columns)."""
    return record_batches(monkeypatch)


def decode(content, buffers):
    """The columns a message carries, as the browser reads them (its hover text
    joined as the browser joins it, by the table the canvas syncs)."""
    n = content["count"]
    x0 = np.frombuffer(buffers[0], dtype=np.float32)
    x1 = np.frombuffer(buffers[1], dtype=np.float32)
    row = np.frombuffer(buffers[2], dtype=np.int32)
    index = np.frombuffer(buffers[3], dtype=np.uint8)
    worker = np.frombuffer(buffers[4], dtype=np.int32)
    code = np.frombuffer(buffers[5], dtype=np.uint8)
    seconds = np.frombuffer(buffers[6], dtype=np.float64)
    columns = (x0, x1, row, index, worker, code, seconds, content["texts"])
    assert all(len(c) == n for c in columns)
    return {
        "x0": x0.tolist(),
        "x1": x1.tolist(),
        "row": row.tolist(),
        "color": [content["colors"][i] for i in index],
        "label": labels_of(
            content["texts"], code, [content["workers"][w] for w in worker], seconds
        ),
    }


def test_widget_names_the_npm_package_it_is_drawn_by():
    package = json.loads(PACKAGE_JSON.read_text())
    assert (package["name"], package["version"]) == (NPM_NAME, NPM_VERSION)
    canvas = TaskCanvas()
    assert canvas._view_module == canvas._model_module == package["name"]
    assert canvas._view_module_version == f"^{package['version']}"


def test_replace_sends_everything_once_in_binary_columns(sent):
    canvas = TaskCanvas()
    canvas.replace(rects(5))
    ((widget, content, buffers),) = sent
    assert widget is canvas and content["op"] == "replace"
    assert [len(b) for b in buffers] == [20, 20, 20, 5, 20, 5, 40]
    assert decode(content, buffers) == canvas.drawn()
    assert content["colors"] == ["#3d80d7"]  # the table holds each colour once
    assert canvas.drawn()["label"][0] == "k-0 | tcp://w | 500.0 ms"


def test_growing_sends_only_the_new_and_keeps_capacity(sent):
    canvas = TaskCanvas(capacity=8)
    canvas.replace(rects(6))
    sent.clear()
    # Each batch brings its own colour table; together they hold both colours.
    grown = concat_segments(rects(6), rects(4, start=100.0, color="#000000"))
    canvas.grow(grown, 6)
    ((_, content, buffers),) = sent
    assert content["op"] == "append" and decode(content, buffers)["x0"] == [100, 101, 102, 103]
    held = canvas.drawn()
    assert canvas.count == 8 and held["x0"] == [2, 3, 4, 5, 100, 101, 102, 103]  # oldest dropped
    assert held["color"] == ["#3d80d7"] * 4 + ["#000000"] * 4
    assert content["colors"] == ["#000000"]  # a message names only the colours it uses
    canvas.grow(grown, 10)
    assert len(sent) == 1  # nothing new, nothing sent


def test_a_new_browser_model_gets_everything_held(sent):
    canvas = TaskCanvas(capacity=5)
    canvas.replace(rects(3))
    canvas.grow(concat_segments(rects(3), rects(4, start=10.0, color="#e41a1c")), 3)
    sent.clear()
    canvas._handle_custom_msg({"op": "resend"}, [])
    ((_, content, buffers),) = sent
    assert content["op"] == "replace" and decode(content, buffers) == canvas.drawn()
    assert decode(content, buffers)["x0"] == [2.0, 10.0, 11.0, 12.0, 13.0]
    assert decode(content, buffers)["color"] == ["#3d80d7"] + ["#e41a1c"] * 4
    canvas._handle_custom_msg({"op": "something else"}, [])
    canvas._handle_custom_msg(["not", "a", "dict"], [])
    assert len(sent) == 1


def test_span_must_be_a_finite_range():
    canvas = TaskCanvas()
    canvas.span = (1.0, 2.5)
    for bad in [(2.0, 1.0), (1.0, 1.0), (0.0, float("nan")), (float("-inf"), 0.0)]:
        with pytest.raises(TraitError):
            canvas.span = bad
    assert canvas.span == (1.0, 2.5)


def test_pan_toggle_switches_the_canvas():
    canvas = TaskCanvas()
    button = pan_toggle(canvas)
    assert not button.value and not canvas.pan_zoom
    button.value = True
    assert canvas.pan_zoom
    canvas.pan_zoom = False
    assert not button.value


def test_any_key_text_travels_whole(sent):
    # Keys go joined by NULs in UTF-8: quotes, newlines, markup and other scripts
    # come back the same; a NUL in a key, and a lone surrogate (a str a key's
    # repr can hold), as U+FFFD, the browser's text for what it cannot show.
    keys = ['say "hi"\n', "<b>x</b>", "ключ-1", "🦆-2", "a\x00b", "\ud800-3", ""]
    segs = rects(len(keys))
    segs["text"] = np.array(keys, dtype=object)
    canvas = TaskCanvas()
    canvas.replace(segs)
    ((_, content, _),) = sent
    shown = keys[:4] + ["a\ufffdb", "\ufffd\ufffd\ufffd-3", ""]
    assert content["texts"] == shown and content["count"] == len(keys)
