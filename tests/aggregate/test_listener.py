"""The listener on distributed's in-process cluster: the collector gets the
kernel's settings, and the models' derived traits stay in step with the state
they are derived from."""

from __future__ import annotations

import asyncio
import time

import dask.config
from distributed import Client, LocalCluster

from jupyter_dashmon.aggregate import transforms as tf
from jupyter_dashmon.aggregate.listener import Listener
from jupyter_dashmon.aggregate.models import DashboardModel
from jupyter_dashmon.aggregate.workers import worker_summary
from jupyter_dashmon.collect.messages import PLUGIN_NAME
from jupyter_dashmon.config import resolve_options


def inc(x):
    return x + 1


async def until(predicate, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def in_process_cluster(n_workers):
    # In-process workers talk over inproc://; their HTTP servers stay on loopback.
    return LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=False,
        asynchronous=True,
        dashboard_address="127.0.0.1:0",
        worker_dashboard_address="127.0.0.1:0",
    )


async def listening(client, **options):
    model = DashboardModel()
    listener = Listener(client, model, resolve_options(interval=0.05, **options))
    listener.start()
    return model, listener


def test_derived_traits_follow_the_deltas():
    async def main():
        async with (
            in_process_cluster(2) as cluster,
            Client(cluster, asynchronous=True) as client,
        ):
            model, listener = await listening(client, resource_interval=0.05)
            try:
                futures = client.map(inc, range(40))
                await client.gather(futures)
                await until(
                    lambda: (
                        model.progress.prefixes.get("inc", {}).get("memory") == 40
                        and len(model.resources.time) >= 3
                        and len(model.workers.table.get("address", [])) == 2
                    ),
                    "the computation, three resource samples and both workers",
                )
                p = model.progress
                assert p.totals == tf.progress_totals(p.prefixes)  # kept incrementally
                assert tf.state_counts(p.totals)["memory"] == 40
                del futures
                await until(lambda: p.prefixes.get("inc", {}).get("memory") == 0, "release")
                assert p.totals == tf.progress_totals(p.prefixes)
                assert tf.state_counts(p.totals)["released"] == 40
                w = model.workers
                summary = worker_summary(w.table)
                assert w.derived == summary["derived"] and w.total == summary["total"]
                assert w.total["name"] == "Total (2 workers)"
                assert w.cpu_histogram == summary["cpu_histogram"]
                assert sum(w.memory_histogram["counts"]) == 2
                r = model.resources
                assert (r.cost_time, r.cost_percent) == tf.cost_rate(r.time, r.dashboard_seconds)
                assert r.cost_time and all(pct >= 0 for pct in r.cost_percent)
            finally:
                await listener.stop()

    asyncio.run(main())


def test_collector_settings_come_from_the_kernels_options():
    async def main():
        async with (
            in_process_cluster(1) as cluster,
            Client(cluster, asynchronous=True) as client,
        ):
            with dask.config.set({"dashmon.key-limit": 12, "dashmon.resource-samples": 5}):
                model, listener = await listening(client, history=50)
            try:
                await until(lambda: PLUGIN_NAME in cluster.scheduler.plugins, "the collector")
                plugin = cluster.scheduler.plugins[PLUGIN_NAME]
                assert (plugin.history, plugin.key_limit, plugin.resource_samples) == (50, 12, 5)
                await client.submit(inc, 1, key="a-rather-long-task-key-1")
                await until(lambda: len(model.snapshot()["tasks"]) == 1, "the task record")
                (record,) = model.snapshot()["tasks"]
                assert record["key"] == "a-rather-lo\u2026"  # cut at the kernel's key_limit
            finally:
                await listener.stop()

    asyncio.run(main())
