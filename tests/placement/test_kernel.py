"""In a real IPython kernel: the widget keeps sending updates while a cell blocks."""

from __future__ import annotations

import queue
import textwrap
import time

from jupyter_dashmon.views.package_widget import carried

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
    texts = [(i, m["content"]["text"]) for i, m in enumerate(messages) if m["msg_type"] == "stream"]
    start = next(i for i, t in texts if "blocking" in t)
    end = next(i for i, t in texts if "done" in t)
    assert "done 276" in messages[end]["content"]["text"]
    updates = [
        data
        for m in messages[start:end]
        if m["msg_type"] == "comm_msg"
        for data, _ in carried(m["content"]["data"])
        if data.get("method") == "update"
    ]
    # The cell's main thread sat in .result() for about 3 s; the dashboard kept drawing.
    assert len(updates) >= 3, f"{len(updates)} widget updates while blocked"
    states = [u.get("state", {}) for u in updates]
    assert any("title" in s and "Progress" in str(s["title"]) for s in states)
    # A poll's redraws (the counts line, the task stream, the resources charts...)
    # left together: one message carrying several widgets' updates.
    batches = [
        m
        for m in messages[start:end]
        if m["msg_type"] == "comm_msg" and len(carried(m["content"]["data"])) > 1
    ]
    assert batches, "every widget update went as a message of its own"


HOLD_THEN_RESUME = textwrap.dedent(
    """
    view = dash.views["task_stream"]
    def wait_for(cond, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline and not cond():
            time.sleep(0.05)
        return cond()
    print("waiting", flush=True)
    print("HELD", wait_for(lambda: not view.redraw.active), flush=True)
    print("RESUMED", wait_for(lambda: view.redraw.active), flush=True)
    """
)


def reply(get, msg_id: str) -> dict:
    """The content of the reply to ``msg_id`` on a channel (``get`` reads it)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        msg = get(timeout=10)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]
    raise AssertionError(f"no reply to {msg_id}")


def test_visibility_reports_reach_a_busy_kernel_through_a_subshell(kernel):
    """What the JupyterLab extension does, without a browser: join the kernel's
    visibility comm, create a subshell, report the page hidden and then visible
    while a cell is busy; the dashboard holds its redraws and resumes."""
    kc = kernel
    run_cell(kc, SETUP)
    comms = reply(kc.get_shell_msg, kc.comm_info(target_name="jupyter_dashmon_visibility"))
    assert len(comms["comms"]) == 1, comms  # one per kernel, opened by the first dashboard
    comm_id = next(iter(comms["comms"]))
    request = kc.session.msg("create_subshell_request", {})
    kc.control_channel.send(request)
    subshell = reply(kc.get_control_msg, request["header"]["msg_id"])["subshell_id"]

    def report(state: str) -> None:
        msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"visibility": state}})
        msg["header"]["subshell_id"] = subshell
        kc.shell_channel.send(msg)

    msg_id = kc.execute(HOLD_THEN_RESUME)
    printed = ""
    deadline = time.monotonic() + 60
    sent = set()
    while "RESUMED" not in printed and time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id or msg["msg_type"] != "stream":
            continue
        printed += msg["content"]["text"]
        if "waiting" in printed and "hidden" not in sent:
            sent.add("hidden")
            report("hidden")
        if "HELD" in printed and "visible" not in sent:
            sent.add("visible")
            report("visible")
    assert "HELD True" in printed and "RESUMED True" in printed, printed
