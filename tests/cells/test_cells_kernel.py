"""In a real IPython kernel: each cell's Dask work is attributed to it, with a card under it."""

from __future__ import annotations

import json
import queue
import textwrap
import time

import pytest

SETUP = textwrap.dedent(
    """
    import time, logging
    from distributed import Client, LocalCluster
    import jupyter_dashmon
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,
                           host="127.0.0.1", silence_logs=logging.ERROR)
    client = Client(cluster)
    dash = client.dashboard()
    def inc(x):
        return x + 1
    def dec(x):
        return x - 1
    def picky(x):
        if x % 4 == 0:
            raise ValueError("bad <b>x</b>")
        return x
    """
)
INC = "out = client.gather(client.map(inc, range(50), pure=False))"
DEC_SUM = "total = client.submit(sum, client.map(dec, range(30))).result()"
FAILING = textwrap.dedent(
    """
    from distributed import wait
    fs = client.map(picky, range(20))
    wait(fs)
    print(sum(f.status == "error" for f in fs), "failed")
    """
)
NO_DASK = "x = 1 + 1"


@pytest.fixture(autouse=True)
def _fresh_messages():
    SEEN.clear()


#: Every iopub message read by :func:`run_cell` (cards update from the dashboard's
#: thread, whatever cell is running then).
SEEN: list[dict] = []


def run_cell(kc, code: str, timeout: float = 120) -> tuple[list[dict], list[dict]]:
    """Run ``code``; (messages whose parent is this cell, every other iopub message meanwhile)."""
    msg_id = kc.execute(code)
    mine: list[dict] = []
    others: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        SEEN.append(msg)
        if msg["parent_header"].get("msg_id") != msg_id:
            others.append(msg)
            continue
        mine.append(msg)
        if msg["msg_type"] == "error":
            raise AssertionError("cell failed: " + "\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return mine, others
    raise AssertionError(f"cell did not finish within {timeout}s")


def shown(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["msg_type"] in ("display_data", "execute_result")]


def snapshot(kc, key: str, wait_for: str = "True") -> object:
    """``dash.snapshot()[key]`` once ``wait_for`` (an expression over ``snap``) holds."""
    code = textwrap.dedent(
        f"""
        import json
        for _ in range(200):
            snap = dash.snapshot()
            if {wait_for}:
                break
            time.sleep(0.05)
        print("SNAP" + json.dumps(snap[{key!r}]))
        """
    )
    mine, _ = run_cell(kc, code)
    text = "".join(m["content"]["text"] for m in mine if m["msg_type"] == "stream")
    return json.loads(text.split("SNAP", 1)[1])


def test_cells_runs_errors_and_cards(kernel):
    kc = kernel
    run_cell(kc, SETUP)
    first, _ = run_cell(kc, INC)
    second, _ = run_cell(kc, DEC_SUM)
    third, _ = run_cell(kc, FAILING)
    fourth, _ = run_cell(kc, NO_DASK)

    # A card under each cell that ran Dask work, none under the other one.
    card_ids = []
    for messages in (first, second, third):
        cards = [m for m in shown(messages) if "dashmon-card" in str(m["content"]["data"])]
        assert len(cards) == 1, [m["msg_type"] for m in messages]
        card_ids.append(cards[0]["content"]["transient"]["display_id"])
    assert shown(fourth) == []

    cells = snapshot(kc, "cells", "len(snap['cells']) >= 3 and snap['cells'][0]['stop']")
    rows = [c for c in cells if c["cell"] is not None]
    assert [r["total"] for r in rows[:3]] == [20, 31, 50]
    assert [r["erred"] for r in rows[:3]] == [5, 0, 0]
    assert [r["done"] for r in rows[:3]] == [15, 31, 50]
    assert rows[2]["code"] == INC and rows[2]["prefixes"] == {"inc": 50}
    assert rows[1]["prefixes"] == {"dec": 30, "sum": 1}
    assert rows[2]["cpu"]["compute"] > 0 and rows[2]["bytes"] > 0
    assert rows[0]["cell"] > rows[1]["cell"] > rows[2]["cell"]

    errors = snapshot(kc, "errors", "snap['errors']")
    (group,) = errors
    assert group["prefix"] == "picky" and group["exception"] == "ValueError"
    assert group["count"] == 5 and "bad <b>x</b>" in group["message"]
    assert "in picky" in group["traceback"]
    assert group["cell"] == rows[0]["cell"] and len(group["keys"]) == 5

    # Each card's last picture (updated by display id, from the dashboard's
    # thread) has the final numbers; the failing cell's names its first error, as text.
    settled = textwrap.dedent(
        """
        from jupyter_dashmon.placement import cells as _cells
        for _ in range(600):
            if not _cells._TRACKER.cards:  # every card has drawn its last picture
                break
            time.sleep(0.05)
        print("open cards:", len(_cells._TRACKER.cards))
        """
    )
    mine, _ = run_cell(kc, settled)
    assert "open cards: 0" in str([m["content"] for m in mine if m["msg_type"] == "stream"])

    def last_card(display_id: str) -> str:
        updates = [
            m["content"]["data"]["text/html"]
            for m in SEEN
            if m["msg_type"] == "update_display_data"
            and m["content"]["transient"]["display_id"] == display_id
        ]
        assert updates, f"card {display_id} was never updated"
        return "\n".join(updates)

    assert "50 / 50 tasks in" in last_card(card_ids[0]).splitlines()[-1], last_card(card_ids[0])
    assert "31 / 31 tasks in" in last_card(card_ids[1])
    failed = last_card(card_ids[2])
    assert "15 / 20 tasks in" in failed and "5 erred" in failed
    assert "first error: ValueError(&#x27;bad &lt;b&gt;x&lt;/b&gt;&#x27;) in picky" in failed
    assert "<b>x</b>" not in failed

    run_cell(kc, INC)
    cells = snapshot(kc, "cells", "len(snap['cells']) >= 4 and snap['cells'][0]['stop']")
    rows = [c for c in cells if c["cell"] is not None]
    assert rows[0]["code"] == INC and rows[0]["total"] == 50 and rows[0]["cell"] > rows[1]["cell"]
    assert len(rows) == 4


def test_track_names_work_outside_cells(kernel):
    kc = kernel
    run_cell(kc, SETUP)
    code = textwrap.dedent(
        """
        import threading
        def job():
            with jupyter_dashmon.track("nightly <job>"):
                client.gather(client.map(inc, range(7), pure=False))
        t = threading.Thread(target=job); t.start(); t.join()
        """
    )
    mine, _ = run_cell(kc, code)
    assert not [m for m in shown(mine) if "dashmon-card" in str(m["content"]["data"])]
    done = "any(c['name'] == 'nightly <job>' and c['stop'] for c in snap['cells'])"
    cells = snapshot(kc, "cells", done)
    (row,) = [c for c in cells if c["name"] == "nightly <job>"]
    assert row["cell"] is None and row["total"] == 7 and row["done"] == 7


def test_a_cell_whose_tasks_fail_only_through_their_inputs_gets_its_final_card(kernel):
    """Its run has erred tasks but no error of its own: the card must not wait for one."""
    kc = kernel
    run_cell(kc, SETUP)
    run_cell(kc, "from distributed import wait\nbad = client.submit(picky, 0)\nwait(bad)")
    run_cell(kc, "after = client.submit(inc, bad)\nwait(after)")
    mine, _ = run_cell(
        kc,
        textwrap.dedent(
            """
            from jupyter_dashmon.placement import cells as _cells
            for _ in range(200):  # 10 s
                if not _cells._TRACKER.cards:
                    break
                time.sleep(0.05)
            print("open cards:", len(_cells._TRACKER.cards))
            """
        ),
    )
    assert "open cards: 0" in str([m["content"] for m in mine if m["msg_type"] == "stream"])
    cells = snapshot(kc, "cells", "len(snap['cells']) >= 2")
    assert [(c["total"], c["erred"]) for c in cells[:2]] == [(1, 1), (1, 1)]


BY_CELL = textwrap.dedent(
    """
    import json
    from jupyter_dashmon.placement.layout import PAGES
    dash.pages.selected_index = PAGES.index("Metrics")
    for _ in range(200):
        rows = [r for r in dash.snapshot()["cells"] if r["cell"] is not None]
        if len(rows) >= 2 and all(r["stop"] for r in rows[:2]):
            break
        time.sleep(0.1)
    found = {}
    for row in rows[:2]:
        dash.model.metrics.run = row["run"]
        for _ in range(300):
            m = dash.snapshot()["metrics"]
            if m["run"] == row["run"] and set(m["compute_by_function"]) >= set(row["prefixes"]):
                break
            time.sleep(0.1)
        found[row["code"]] = {"run": m["run"] == row["run"],
                              "functions": sorted(m["compute_by_function"])}
    print("FOUND" + json.dumps(found))
    """
)


def test_metrics_of_one_cell_are_its_own_tasks(kernel):
    kc = kernel
    run_cell(kc, SETUP)
    run_cell(kc, INC)
    run_cell(kc, DEC_SUM)
    mine, _ = run_cell(kc, BY_CELL)
    text = "".join(m["content"]["text"] for m in mine if m["msg_type"] == "stream")
    found = json.loads(text.split("FOUND", 1)[1])
    # Each cell's own span: its functions, not the other cell's.
    assert found == {
        INC: {"run": True, "functions": ["inc"]},
        DEC_SUM: {"run": True, "functions": ["dec", "sum"]},
    }
