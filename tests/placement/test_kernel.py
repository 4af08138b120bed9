"""In a real IPython kernel: the widget keeps sending updates while a cell blocks."""

from __future__ import annotations

import queue
import textwrap
import time

import pytest
from jupyter_client.manager import start_new_kernel

SETUP = textwrap.dedent(
    """
    import time, logging
    from distributed import Client, LocalCluster
    import jupyter_dashmon
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,
                           host="127.0.0.1", silence_logs=logging.ERROR)
    client = Client(cluster)
    dash = client.dashboard()
    dash
    """
)

BLOCKING = textwrap.dedent(
    """
    def nap(x):
        time.sleep(0.25)
        return x
    futures = client.map(nap, range(24))
    print("blocking", flush=True)
    total = client.submit(sum, futures).result()
    print("done", total, flush=True)
    """
)


@pytest.fixture
def kernel():
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        yield kc
    finally:
        kc.execute("client.close(); cluster.close()")
        time.sleep(1)
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run_cell(kc, code: str, timeout: float = 120) -> list[dict]:
    """Execute ``code``; return the iopub messages until it is idle, in order.

    Comm messages sent from the Client's event-loop thread are kept whatever
    their parent header says: they are the live updates.
    """
    msg_id = kc.execute(code)
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        mine = msg["parent_header"].get("msg_id") == msg_id
        if not mine and msg["msg_type"] != "comm_msg":
            continue
        messages.append(msg)
        if not mine:
            continue
        if msg["msg_type"] == "error":
            raise AssertionError("cell failed: " + "\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
    raise AssertionError(f"cell did not finish within {timeout}s")


def test_widget_updates_reach_iopub_while_the_cell_blocks(kernel):
    setup = run_cell(kernel, SETUP)
    shown = [m for m in setup if m["msg_type"] in ("display_data", "execute_result")]
    assert any("application/vnd.jupyter.widget-view+json" in m["content"]["data"] for m in shown)

    messages = run_cell(kernel, BLOCKING)
    texts = [
        (i, m["content"]["text"]) for i, m in enumerate(messages) if m["msg_type"] == "stream"
    ]
    start = next(i for i, t in texts if "blocking" in t)
    end = next(i for i, t in texts if "done" in t)
    assert "done 276" in messages[end]["content"]["text"]
    updates = [
        m
        for m in messages[start:end]
        if m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update"
    ]
    # The cell's main thread sat in .result() for about 3 s; the dashboard kept drawing.
    assert len(updates) >= 3, f"{len(updates)} widget updates while blocked"
    states = [u["content"]["data"].get("state", {}) for u in updates]
    assert any("title" in s and "Progress" in str(s["title"]) for s in states)
