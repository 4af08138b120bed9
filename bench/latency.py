"""Runs in the benchmark process: item 5, from a task's end on a worker to the kernel's model.

A steady trickle of 20 ms tasks runs on the two-worker process cluster while
a :class:`jupyter_dashmon.Dashboard` polls at its default interval.  An
observer on the task store's ``revision`` (called on the Client's event loop,
where the Listener writes) stamps every compute record the first time it appears;
latency is that stamp minus the record's ``stop`` (the worker's clock; same
machine).  The browser half (DOM updated) is not measured here.
"""

from __future__ import annotations

import time

from . import stats
from .cluster import ProcessCluster
from .report import Row
from .tasks import nap


def measure(n: int = 200, gap: float = 0.05) -> dict:
    from distributed import Client, wait

    from jupyter_dashmon import Dashboard

    latencies: list[float] = []
    seen: set = set()

    cursor = 0

    def observe(change) -> None:
        nonlocal cursor
        now = time.time()
        history = change["owner"].history
        for r in history.records(since=cursor):
            ident = (r["key"], r["start"])
            if r["action"] == "compute" and ident not in seen:
                seen.add(ident)
                latencies.append(now - r["stop"])
        cursor = history.count

    with ProcessCluster() as cluster, Client(cluster.address) as client:
        client.wait_for_workers(2, timeout=120)
        dash = Dashboard(client)
        interval = dash.options.interval
        deadline = time.monotonic() + 30
        while dash.listener.polls < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        cursor = dash.model.history.history.count
        dash.model.history.observe(observe, names=["revision"])
        futures = []
        for i in range(n):
            futures.append(client.submit(nap, i, 0.02, pure=False))
            time.sleep(gap)
        wait(futures)
        time.sleep(1.0)
        dash.close()
    return {"latencies": latencies, "tasks": n, "interval": interval}


def rows(m: dict) -> list[Row]:
    ms = [x * 1e3 for x in m["latencies"]]
    p95 = stats.p95(ms)
    detail = (
        f"{len(ms)} of {m['tasks']} tasks seen; interval {m['interval'] * 1e3:.0f} ms; "
        f"max {max(ms, default=float('nan')):.0f} ms; browser half not measured"
    )
    return [
        Row(
            "5",
            "latency worker stop -> kernel model, median",
            stats.median(ms),
            "ms",
            "",
            None,
            detail,
        ),
        Row("5", "latency worker stop -> kernel model, p95", p95, "ms", "<= 300 ms", p95 <= 300),
    ]
