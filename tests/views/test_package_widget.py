"""The courier: the package widgets' messages of one turn of a registered
event loop leave as one, each recoverable exactly as ipywidgets would have
sent it alone.

A real asyncio loop runs in a thread of its own, as a Client's does.  No
kernel: the widgets' ``DummyComm`` still goes through ``Widget._send``, which
the ``wire`` fixture watches (what would have gone to the browser).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest
from ipywidgets import Widget
from rect_batches import rects

from jupyter_dashmon.views.bar_rows import BarRows
from jupyter_dashmon.views.canvas import TaskCanvas
from jupyter_dashmon.views.line_chart import LineChart
from jupyter_dashmon.views.package_widget import Courier, carried, courier_for, current_courier


@pytest.fixture
def wire(monkeypatch) -> list[tuple[Widget, dict, list]]:
    """Every comm message sent: (the widget whose comm it went on, data, buffers as bytes)."""
    out: list[tuple[Widget, dict, list]] = []
    original = Widget._send

    def _send(self, msg, buffers=None):
        out.append((self, msg, [bytes(b) for b in buffers or ()]))
        return original(self, msg, buffers)

    monkeypatch.setattr(Widget, "_send", _send)
    return out


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a thread of its own, with a courier registered."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test loop", daemon=True)
    thread.start()
    courier_for(loop)
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def on_loop(loop: asyncio.AbstractEventLoop, fn: Callable[[], object]) -> None:
    """Run ``fn`` in one turn of ``loop`` and wait for the turn after it (when the
    courier has flushed)."""

    async def turn() -> None:
        fn()
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run_coroutine_threadsafe(turn(), loop).result(5)


def canvas_with(n: int) -> TaskCanvas:
    canvas = TaskCanvas()
    canvas.replace(rects(n))
    return canvas


def test_one_turns_messages_leave_as_one_batch_in_order(wire, loop):
    bars, lines, canvas = BarRows(), LineChart(), canvas_with(3)
    courier = courier_for(loop)
    wire.clear()

    def redraw() -> None:
        bars.note = "3 done"
        lines.title = "CPU 12%"
        canvas.replace(rects(5))
        bars.title = "Progress: 5 tasks"

    on_loop(loop, redraw)
    ((sender, data, buffers),) = wire
    assert sender is courier and data["method"] == "custom"
    inside = carried(data, buffers)
    ids = [item["id"] for item in data["content"]["batch"]]
    assert ids == [bars.model_id, lines.model_id, canvas.model_id, bars.model_id]
    states = [d["state"] for d, _ in inside]
    assert states[0] == {"note": "3 done"} and states[1] == {"title": "CPU 12%"}
    assert states[3] == {"title": "Progress: 5 tasks"}
    # The canvas's batch keeps its binary columns, exactly as sent alone.
    wire.clear()
    alone = canvas_with(1)
    wire.clear()
    alone.replace(rects(5))
    ((_, direct, direct_buffers),) = wire
    got, got_buffers = inside[2]
    assert got["buffer_paths"] == direct["buffer_paths"] and got_buffers == direct_buffers
    assert {k: v for k, v in got["state"]["rects"].items() if k != "seq"} == {
        k: v for k, v in direct["state"]["rects"].items() if k != "seq"
    }
    assert courier.batches == 1 and courier.carried == 4


def test_a_lone_message_goes_on_its_own_comm(wire, loop):
    bars = BarRows()
    wire.clear()
    on_loop(loop, lambda: setattr(bars, "note", "1 done"))
    ((sender, data, _),) = wire
    assert sender is bars and data == {
        "method": "update",
        "state": {"note": "1 done"},
        "buffer_paths": [],
    }


def test_off_the_loop_a_widget_sends_at_once(wire, loop):
    # A cell's thread, or the shell's: nothing waits for a turn that may never end.
    bars = BarRows()
    wire.clear()
    assert current_courier() is None
    bars.note = "now"
    ((sender, data, _),) = wire
    assert sender is bars and data["state"] == {"note": "now"}


def test_a_message_from_another_thread_leaves_after_what_is_queued(wire, loop):
    # A page's "resend" is answered on the shell's thread with everything held:
    # an append queued before it, sent after it, would be drawn twice.
    queued, sent_direct = threading.Event(), threading.Event()
    bars, other = BarRows(), BarRows()
    wire.clear()

    def turn() -> None:
        bars.note = "queued"
        queued.set()
        sent_direct.wait(5)

    done = loop.call_soon_threadsafe(turn)
    assert queued.wait(5)
    other.note = "direct"
    sent_direct.set()
    on_loop(loop, lambda: None)
    assert not done.cancelled()
    assert [(w, d["state"]) for w, d, _ in wire] == [
        (bars, {"note": "queued"}),
        (other, {"note": "direct"}),
    ]


def test_a_widget_closed_before_the_turn_ends_sends_nothing(wire, loop):
    kept, gone = BarRows(), BarRows()
    wire.clear()

    def redraw() -> None:
        kept.note = "kept"
        gone.note = "gone"
        gone.close()

    on_loop(loop, redraw)
    sent = [(s, d) for s, d, _ in wire if d.get("method") != "close"]
    assert sent == [(kept, {"method": "update", "state": {"note": "kept"}, "buffer_paths": []})]


def test_a_closed_courier_is_replaced(wire, loop):
    first = courier_for(loop)
    first.close()
    second = courier_for(loop)
    assert second is not first and second.comm is not None
    bars, more = BarRows(), BarRows()
    wire.clear()
    on_loop(loop, lambda: (setattr(bars, "note", "a"), setattr(more, "note", "b")))
    ((sender, data, _),) = wire
    assert sender is second and len(data["content"]["batch"]) == 2


def test_the_courier_has_no_view_and_names_its_model():
    courier = Courier(asyncio.new_event_loop())
    state = courier.get_state()
    assert state["_model_name"] == "CourierModel" and state["_model_module"] == "jupyter-dashmon"
    assert state["_view_name"] is None
