"""The Tasks and Workers data on a real LocalCluster with worker processes."""

from __future__ import annotations

import time

from workloads import inc, noop

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)


def test_history_holds_20_000_tasks_and_the_status_stream_the_last_1000(client, waiter):
    dash = client.dashboard()
    try:
        futures = client.map(noop, range(20_000), key=[f"many-{i}" for i in range(20_000)])
        client.gather(futures)
        waiter(
            lambda: dash.model.history.history.count >= 20_000, timeout=60, what="20,000 records"
        )
        snap = dash.snapshot()
        keys = {r["key"] for r in snap["tasks"] if r["action"] == "compute"}
        assert {f"many-{i}" for i in range(20_000)} <= keys
        assert len(snap["task_stream"]) == 1000
        assert snap["task_stream"][-1]["key"] == snap["tasks"][-1]["key"]
        for r in snap["tasks"][:50]:
            assert set(r) == {
                "key",
                "prefix",
                "worker",
                "thread",
                "start",
                "stop",
                "action",
                "status",
            }
        # The Tasks page draws once it is shown (hidden pages hold their redraws).
        assert dash.views["tasks"].segments == 0
        dash.pages.selected_index = 1
        assert dash.views["tasks"].segments > 0
        assert "20,0" in dash.views["tasks"].figure.title
        del futures
    finally:
        dash.close()


def test_workers_rows_have_the_documented_fields(client, waiter):
    dash = client.dashboard()
    try:
        client.gather(client.map(inc, range(20)))
        waiter(lambda: len(dash.snapshot()["workers"]) == 2, timeout=20, what="a row per worker")
        rows = dash.snapshot()["workers"]
        expected = {
            "address",
            "name",
            "nthreads",
            "cpu",
            "memory",
            "memory_limit",
            "processing",
            "network_read",
            "network_write",
        }
        addresses = set(client.scheduler_info()["workers"])
        assert {r["address"] for r in rows} == addresses
        for row in rows:
            assert expected <= set(row)
            assert row["nthreads"] == 2 and row["memory"] > 0 and row["memory_limit"] > 0
        # Choosing a worker brings back what it runs now.
        chosen = rows[0]["address"]
        dash.model.workers.selected = chosen
        futures = client.map(inc, range(40), pure=False, workers=[chosen])
        waiter(
            lambda: dash.model.workers.detail.get("address") == chosen, timeout=10, what="detail"
        )
        client.gather(futures)
        series = dash.model.workers.series.get(chosen)
        time.sleep(1.2)
        assert len(dash.model.workers.series.get(chosen)["time"]) >= len(series["time"])
    finally:
        dash.close()
