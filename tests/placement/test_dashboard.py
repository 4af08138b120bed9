"""The Dashboard on a real LocalCluster with worker processes."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time

import dask
import pytest
from distributed import Client
from workloads import add, dec, fail, inc, slow

from jupyter_dashmon import Dashboard
from jupyter_dashmon.placement import registry


def plugins(client: Client) -> list[str]:
    return client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.plugins))


def run_upstream_example(client: Client) -> int:
    incs = client.map(inc, range(100))
    decs = client.map(dec, range(100))
    adds = client.map(add, incs, decs)
    total = client.submit(sum, adds)
    del incs, decs, adds
    return total.result(), total


def test_upstream_example(client, waiter):
    dash = client.dashboard()
    try:
        result, total = run_upstream_example(client)
        assert result == 9900

        def settled():
            s = dash.snapshot()
            p = s["progress"]
            return (
                all(p.get(f, {}).get("done") == 100 for f in ("inc", "dec", "add"))
                and p.get("sum", {}).get("done") == 1
                and len(s["resources"]["time"]) >= 3
            )

        waiter(settled, timeout=20, what="progress of the example to settle")
        snap = dash.snapshot()
        json.dumps(snap)  # JSON-serialisable
        for prefix in ("inc", "dec", "add"):
            counts = snap["progress"][prefix]
            assert counts["total"] == 100 and counts["done"] == 100, counts
            assert counts["erred"] == 0 and counts["processing"] == 0 and counts["waiting"] == 0
        assert snap["progress"]["sum"]["total"] == 1
        assert snap["progress"]["sum"]["memory"] == 1
        # Memory holds sum's result and nothing of the released inc results.
        assert snap["memory"].get("sum", 0) > 0
        assert "inc" not in snap["memory"] and "dec" not in snap["memory"]
        compute = [r for r in snap["task_stream"] if r["action"] == "compute"]
        assert len(compute) >= 301
        assert {r["prefix"] for r in compute} == {"inc", "dec", "add", "sum"}
        workers = set(client.scheduler_info()["workers"])
        for r in compute:
            assert r["worker"] in workers
            assert isinstance(r["thread"], int) and r["thread"] > 0
            assert r["start"] < r["stop"]
            assert r["status"] == "OK"
            assert abs(r["start"] - time.time()) < 600
        res = snap["resources"]
        assert set(res) >= {"time", "cpu", "memory", "network_read", "network_write"}
        assert len(res["time"]) >= 3 and len({len(v) for v in res.values()}) == 1
        assert all(m > 0 for m in res["memory"])
        # The views drew what the model holds (redraws are throttled: wait for the last).
        waiter(
            lambda: dash.views["task_stream"].rectangles == len(dash.snapshot()["task_stream"]),
            what="the task stream to draw every record",
        )
        assert dash.views["progress"].bars_shown == 4
        assert "total: 301" in dash.views["progress"].figure.title
        del total
    finally:
        dash.close()


def test_model_changes_while_main_thread_blocked(client):
    dash = Dashboard(client, interval="50ms")
    try:
        seen: list[tuple[float, int]] = []
        main = threading.get_ident()
        dash.model.progress.observe(
            lambda change: seen.append((time.monotonic(), threading.get_ident())),
            names=["prefixes"],
        )
        futures = client.map(slow, range(40), delay=0.1)
        blocked_from = time.monotonic()
        client.gather(futures)  # the main thread waits here
        blocked_until = time.monotonic()
        during = [t for t, thread in seen if blocked_from <= t <= blocked_until]
        assert len(during) >= 3, f"only {len(during)} model changes while blocked"
        assert all(thread != main for _, thread in seen)
    finally:
        dash.close()


def test_erred_task(client, waiter):
    dash = client.dashboard()
    try:
        future = client.submit(fail, 1)
        with pytest.raises(ValueError, match="fails on purpose"):
            future.result()
        waiter(
            lambda: dash.snapshot()["progress"].get("fail", {}).get("erred") == 1,
            what="erred count",
        )
        waiter(
            lambda: any(r["prefix"] == "fail" for r in dash.snapshot()["task_stream"]),
            what="erred record",
        )
        records = [r for r in dash.snapshot()["task_stream"] if r["prefix"] == "fail"]
        assert all(r["status"] == "error" for r in records if r["action"] == "compute")
        assert dash.snapshot()["progress"]["fail"]["done"] == 0
        del future
    finally:
        dash.close()


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda c: Dashboard("tcp://127.0.0.1:8786"), TypeError, "needs a distributed.Client"),
        (lambda c: Dashboard(None), TypeError, "needs a distributed.Client"),
        (lambda c: Dashboard(c, interval=0), ValueError, "interval"),
        (lambda c: Dashboard(c, interval=-1), ValueError, "interval"),
        (lambda c: Dashboard(c, interval="soon"), ValueError, "not a time"),
        (lambda c: Dashboard(c, interval=True), TypeError, "interval"),
        (lambda c: Dashboard(c, history=-5), ValueError, "history"),
        (lambda c: Dashboard(c, history=10**12), ValueError, "history"),
        (lambda c: Dashboard(c, task_stream_length=2.5), TypeError, "task_stream_length"),
        (lambda c: Dashboard(c, colour="red"), TypeError, "unknown dashboard option"),
        (lambda c: c.dashboard(interval=[1]), TypeError, "interval"),
    ],
)
def test_bad_arguments(client, make, error, match):
    with pytest.raises(error, match=match):
        make(client)
    assert registry.dashboards_of(client) == []


def test_closed_client_is_refused(cluster):
    c = Client(cluster, set_as_default=False)
    c.close()
    with pytest.raises(ValueError, match="Client is closed"):
        Dashboard(c)


def test_options_from_dask_config(client):
    with dask.config.set({"dashmon.interval": "250ms", "dashmon.task-stream-length": 50}):
        dash = Dashboard(client)
        explicit = Dashboard(client, interval=0.5)
    try:
        assert dash.options.interval == 0.25 and dash.options.task_stream_length == 50
        assert dash.model.tasks.length == 50
        assert explicit.options.interval == 0.5
    finally:
        dash.close()
        explicit.close()


def test_close_is_idempotent_and_unregisters(client, waiter):
    dash = client.dashboard()
    waiter(lambda: dash.model.status.state == "live", what="dashboard live")
    assert "jupyter-dashmon" in plugins(client)
    dash.close()
    dash.close()
    assert dash.model.status.state == "closed"
    waiter(lambda: "jupyter-dashmon" not in plugins(client), what="collector removed")
    polls = dash.listener.polls
    time.sleep(0.5)
    assert dash.listener.polls == polls


def test_one_collector_for_two_dashboards_and_two_clients(cluster, client, waiter):
    first = client.dashboard()
    second = client.dashboard()
    with Client(cluster, set_as_default=False) as other:
        third = other.dashboard()
        try:
            for d in (first, second, third):
                waiter(lambda d=d: d.model.status.state == "live", what="all dashboards live")
            assert plugins(client).count("jupyter-dashmon") == 1
            first.close()
            other.submit(inc, 1).result()
            waiter(lambda: "inc" in third.snapshot()["progress"], what="third still updating")
            second.close()
            time.sleep(0.3)
            assert "jupyter-dashmon" in plugins(client), "third dashboard still needs the collector"
        finally:
            third.close()
    waiter(
        lambda: "jupyter-dashmon" not in plugins(client), what="last dashboard removes collector"
    )


def test_closing_the_client_closes_its_dashboards(cluster, waiter):
    c = Client(cluster, set_as_default=False)
    dash = c.dashboard()
    waiter(lambda: dash.model.status.state == "live", what="dashboard live")
    c.close()
    assert dash._closed
    assert dash.model.status.state == "closed"
    assert dash.listener._task is None


def test_for_client_reuses_the_open_dashboard(client):
    dash = Dashboard.for_client(client)
    try:
        assert Dashboard.for_client(client) is dash
    finally:
        dash.close()
    again = Dashboard.for_client(client)
    try:
        assert again is not dash
    finally:
        again.close()


def test_odd_task_keys_are_shown_as_text(client, waiter):
    dash = client.dashboard()
    html = "<img src=x onerror=alert(1)>"
    try:
        futures = [
            client.submit(inc, 1, key=("tuple-key", 0)),
            client.submit(inc, 2, key=html),
            client.submit(inc, 3, key="unicode-\u00e9\u00e8\u4e2d"),
            client.submit(inc, 4, key="long-" + "x" * 10_000),
        ]
        client.gather(futures)
        waiter(lambda: len(dash.snapshot()["task_stream"]) >= 4, what="four records")
        keys = {r["key"] for r in dash.snapshot()["task_stream"]}
        assert "('tuple-key', 0)" in keys
        assert html in keys
        assert "unicode-\u00e9\u00e8\u4e2d" in keys
        long = [k for k in keys if k.startswith("long-")]
        assert long and len(long[0]) <= 200 and long[0].endswith("\u2026")
        # The stream draws on its own throttle, up to 0.2 s after the store has them.
        waiter(
            lambda: any(html in label for label in dash.views["task_stream"].drawn()["label"]),
            what="the markup key's label drawn as text",
        )
        del futures
    finally:
        dash.close()


def test_nothing_changed_means_no_updates(client, waiter):
    dash = client.dashboard()
    try:
        client.gather(client.map(inc, range(10)))
        waiter(lambda: dash.snapshot()["progress"].get("inc", {}).get("done") == 10, what="done")
        time.sleep(0.5)
        changes = []
        for model in (dash.model.progress, dash.model.history):
            model.observe(
                lambda change: changes.append(change["name"]), names=["prefixes", "revision"]
            )
        polls = dash.listener.polls
        time.sleep(1.0)
        # Idle polls are held by the collector: far fewer than one per 100 ms.
        assert dash.listener.polls - polls <= 3
        assert changes == []
    finally:
        dash.close()


def test_asynchronous_client(cluster):
    async def main():
        async with Client(cluster.scheduler_address, asynchronous=True) as c:
            dash = c.dashboard(interval="50ms")
            future = c.submit(inc, 10)
            assert await future == 11
            for _ in range(100):
                if dash.snapshot()["progress"].get("inc", {}).get("done") == 1:
                    break
                await asyncio.sleep(0.05)
            assert dash.snapshot()["progress"]["inc"]["done"] == 1
            assert dash.model.status.state == "live"
        assert dash._closed

    asyncio.run(main())


def test_logs_one_warning_per_failure(client, caplog, waiter):
    dash = Dashboard(client, interval="20ms")
    try:
        waiter(lambda: dash.model.status.state == "live", what="live")
        real = client.scheduler.dashmon_poll

        async def broken(**kwargs):
            raise OSError("connection refused (simulated)")

        with caplog.at_level(logging.WARNING, logger="jupyter_dashmon"):
            dash.listener.client.scheduler.__dict__["dashmon_poll"] = broken
            # The poll in flight may be held up to two seconds before the next one fails.
            waiter(
                lambda: dash.model.status.state == "disconnected", timeout=5, what="disconnected"
            )
            time.sleep(0.6)
            assert "Lost contact" in dash.model.status.message
            del dash.listener.client.scheduler.__dict__["dashmon_poll"]
            waiter(lambda: dash.model.status.state == "live", timeout=10, what="recovered")
        lost = [r for r in caplog.records if "Lost contact" in r.getMessage()]
        assert len(lost) == 1
        assert real is not None
    finally:
        dash.close()
