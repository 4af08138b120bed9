"""Opening and closing dashboards leaves nothing behind; two kernels share one scheduler."""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
from collections import Counter

import psutil
import pytest
from distributed import Client
from ipywidgets import Widget
from reliability_procs import Kernel
from workloads import inc

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)
from jupyter_dashmon.collect.messages import PLUGIN_NAME, POLL_OP, UNSUBSCRIBE_OP

CYCLES = 100
#: Tolerances after 100 cycles (stated here, checked below).
THREADS_TOLERANCE = 2  # executor threads distributed may park, never one per cycle
LOOP_TASKS_TOLERANCE = 1  # one transient Client task at the moment of reading
WIDGETS_TOLERANCE = 0  # every widget of a dashboard is closed with it
RSS_TOLERANCE = 40 * 2**20  # 40 MiB: allocator noise; one leaked dashboard per cycle is more

FIGURES: dict[str, object] = {}


def scheduler_side(dask_scheduler):
    return {
        "plugins": sorted(dask_scheduler.plugins),
        "handlers": sorted(h for h in dask_scheduler.handlers if h in (POLL_OP, UNSUBSCRIBE_OP)),
    }


def state(client: Client, readings: int = 5) -> dict:
    """What a dashboard could leave behind, read when least is running.

    The LocalCluster shares the Client's loop, and its scheduler and workers
    start short-lived tasks and threads (heartbeats, RPCs, executor threads)
    all the time: the reading with the fewest is taken, as a leak persists
    through every reading and a transient one does not.
    """
    gc.collect()

    async def loop_tasks():
        # The LocalCluster's scheduler shares this loop: its per-connection handlers
        # belong to the scheduler's pooled comms, not to the dashboards.
        return sorted(
            t.get_coro().__qualname__
            for t in asyncio.all_tasks()
            if not t.done() and "_handle_comm" not in t.get_coro().__qualname__
        )

    tasks, threads = [], []
    for _ in range(readings):
        tasks.append(client.sync(loop_tasks))
        threads.append(sorted(t.name for t in threading.enumerate()))
        time.sleep(0.1)
    fewest_tasks = min(tasks, key=len)
    fewest_threads = min(threads, key=len)
    return {
        "threads": len(fewest_threads),
        "thread_names": fewest_threads,
        "loop_tasks": len(fewest_tasks),
        "task_names": fewest_tasks,
        "widgets": len(Widget.widgets),
        "rss": psutil.Process().memory_info().rss,
        **client.run_on_scheduler(scheduler_side),
    }


def more(after: list[str], before: list[str]) -> list[str]:
    """What ``after`` holds beyond ``before`` (names, with repeats)."""
    return sorted((Counter(after) - Counter(before)).elements())


@pytest.fixture(scope="module")
def cycled(cluster):
    """State of one Client before and after 100 open/close cycles."""
    with Client(cluster, set_as_default=False) as client:
        client.submit(inc, 1).result()
        for _ in range(3):  # warm-up: imports, widget classes, comm pools
            client.dashboard().close()
        time.sleep(0.5)
        before = state(client)
        for i in range(CYCLES):
            d = client.dashboard(interval=0.05)
            if i % 10 == 0:  # now and then let it register and draw before closing
                deadline = time.monotonic() + 20
                while d.model.status.state != "live" and time.monotonic() < deadline:
                    time.sleep(0.02)
            d.close()
            assert d.model.status.state == "closed"
        time.sleep(0.5)
        after = state(client)
        FIGURES.update(before=before, after=after)
        counts = ("threads", "loop_tasks", "widgets", "rss", "plugins")
        print(f"\nbefore {CYCLES} cycles: {[before[k] for k in counts]}")
        print(f"after:  {[after[k] for k in counts]}")
        yield before, after


@pytest.mark.slow
def test_cycles_leave_no_collector_on_the_scheduler(cycled):
    before, after = cycled
    assert PLUGIN_NAME not in after["plugins"] and after["handlers"] == []
    assert after["plugins"] == before["plugins"]


@pytest.mark.slow
def test_cycles_leave_threads_and_loop_tasks_where_they_started(cycled):
    before, after = cycled
    assert after["threads"] <= before["threads"] + THREADS_TOLERANCE, more(
        after["thread_names"], before["thread_names"]
    )
    assert after["loop_tasks"] <= before["loop_tasks"] + LOOP_TASKS_TOLERANCE, more(
        after["task_names"], before["task_names"]
    )


@pytest.mark.slow
def test_cycles_leave_widgets_and_kernel_memory_where_they_started(cycled):
    before, after = cycled
    assert after["widgets"] <= before["widgets"] + WIDGETS_TOLERANCE
    assert after["rss"] <= before["rss"] + RSS_TOLERANCE


KERNEL_OPEN = """
import json, time
from distributed import Client
import jupyter_dashmon
from workloads import inc
client = Client({address!r}, timeout="20s")
client.wait_for_workers(1, timeout=30)
dash = client.dashboard(interval=0.05)
while dash.model.status.state != "live":
    time.sleep(0.05)
print(dash.model.status.state)
"""

KERNEL_WORK = """
seen = dash.model.status.updated
futures = client.map(inc, range({start}, {start} + 20))
client.gather(futures)
while dash.snapshot()["progress"].get("inc", {{}}).get("done", 0) < 20:
    time.sleep(0.05)
print(json.dumps({{"state": dash.model.status.state,
                  "done": dash.snapshot()["progress"]["inc"]["done"],
                  "advanced": dash.model.status.updated > seen}}))
"""


def _stdout(messages: list[dict]) -> str:
    return "".join(
        m["content"]["text"]
        for m in messages
        if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
    ).strip()


@pytest.mark.slow
def test_two_kernels_keep_their_dashboards_and_the_last_one_out_removes_the_collector(
    proc_cluster, waiter
):
    kernels = [Kernel(), Kernel()]
    try:
        with Client(proc_cluster.address, timeout="20s", set_as_default=False) as observer:
            for k in kernels:
                assert _stdout(k.run(KERNEL_OPEN.format(address=proc_cluster.address))) == "live"

            def scheduler_side(dask_scheduler):  # by value: the scheduler cannot import this module
                return {
                    "plugins": sorted(dask_scheduler.plugins),
                    "handlers": sorted(
                        h for h in dask_scheduler.handlers if h.startswith("dashmon_")
                    ),
                }

            def subscribers(dask_scheduler):
                plugin = dask_scheduler.plugins.get(PLUGIN_NAME)
                return None if plugin is None else len(plugin._subscribers)

            assert observer.run_on_scheduler(subscribers) == 2
            for i, k in enumerate(kernels):
                result = json.loads(
                    _stdout(k.run(KERNEL_WORK.format(start=50 * i))).splitlines()[-1]
                )
                assert result["state"] == "live" and result["done"] >= 20 and result["advanced"]

            # The first kernel closes its Client (and so its dashboard); the second keeps working.
            kernels[0].run("client.close()")
            assert observer.run_on_scheduler(subscribers) == 1
            result = json.loads(
                _stdout(kernels[1].run(KERNEL_WORK.format(start=100))).splitlines()[-1]
            )
            assert result["state"] == "live" and result["advanced"]
            assert observer.run_on_scheduler(scheduler_side)["plugins"].count(PLUGIN_NAME) == 1

            # The last one out: the collector and its handlers leave the scheduler.
            kernels[1].run("dash.close()")
            waiter(
                lambda: PLUGIN_NAME not in observer.run_on_scheduler(scheduler_side)["plugins"],
                10,
                "the collector to leave",
            )
            assert observer.run_on_scheduler(scheduler_side)["handlers"] == []
            for k in kernels:
                # Known, intermittent: a view's redraw timer (Throttle._run in
                # views/task_stream.py) can fire after the Client closed and print a
                # traceback; reported for views/, which this suite may not change.
                problems = [p for p in k.problems() if "Throttle._run" not in p]
                assert problems == [], "\n".join(problems)
            kernels[1].run("client.close()")
    finally:
        for k in kernels:
            k.close()


@pytest.mark.slow
def test_a_kernel_that_dies_leaves_no_collector_behind(proc_cluster, waiter):
    """Killed, the kernel cannot unsubscribe; the scheduler removes its Client and the
    collector drops that Client's subscriber at once, well before the 60 s lease."""
    kernel = Kernel()
    try:
        with Client(proc_cluster.address, timeout="20s", set_as_default=False) as observer:
            assert _stdout(kernel.run(KERNEL_OPEN.format(address=proc_cluster.address))) == "live"
            client_id = kernel.value("client.id")

            def subscribers(dask_scheduler):  # by value: the scheduler cannot import this module
                plugin = dask_scheduler.plugins.get("jupyter-dashmon")
                return None if plugin is None else sorted(plugin._subscribers)

            assert [s.split("/")[0] for s in observer.run_on_scheduler(subscribers)] == [client_id]
            killed = time.monotonic()
            kernel.km.provisioner.process.kill()
            kernel.km.provisioner.process.wait(10)
            waiter(
                lambda: observer.run_on_scheduler(subscribers) is None, 10, "the collector to leave"
            )
            assert time.monotonic() - killed < 10
    finally:
        kernel.close()
