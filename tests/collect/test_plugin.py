"""The collector inside a real (in-process) scheduler, driven through its RPC."""

from __future__ import annotations

import asyncio
import inspect
import pickle
from types import SimpleNamespace

import pytest
from dask.sizeof import sizeof
from distributed import Client, LocalCluster

from jupyter_dashmon.collect import DashmonPlugin, pickled_plugin
from jupyter_dashmon.collect.messages import (
    CATEGORY,
    PLUGIN_NAME,
    TASK_FIELDS,
    Delta,
    PackedColumns,
    PollRequest,
    TaskColumns,
    ring_columns,
    wire_types,
)
from jupyter_dashmon.collect.packing import decode, encode, unpack_tasks
from jupyter_dashmon.config import collector_options, resolve_options


def run(coro):
    return asyncio.run(coro)


def collector(**options) -> DashmonPlugin:
    """A collector with the kernel's settings (``options`` as for a dashboard)."""
    return DashmonPlugin(**collector_options(resolve_options(**options)))


async def cluster_and_client(**plugin_options):
    cluster = await LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        asynchronous=True,
        dashboard_address=None,
    )
    client = await Client(cluster, asynchronous=True)
    await client.scheduler.register_scheduler_plugin(
        plugin=pickled_plugin(collector(**plugin_options)), name=PLUGIN_NAME, idempotent=True
    )
    return cluster, client


class Poller:
    """Keeps cursors like the kernel-side listener does."""

    def __init__(self, client, name="test", limit=1000):
        self.client = client
        self.req = {
            "subscriber": name,
            "epoch": "",
            "cursor": 0,
            "version": 0,
            "resource_cursor": 0,
            "worker_version": 0,
            "limit": limit,
            "wait": 0.0,
        }
        self.progress = {}

    async def poll(self):
        delta = decode(await self.client.scheduler.dashmon_poll(**self.req))
        self.packed = delta["tasks"]
        delta["tasks"] = unpack_tasks(delta["tasks"])
        for k in ("epoch", "cursor", "version", "resource_cursor", "worker_version"):
            self.req[k] = delta[k]
        self.progress.update(delta["progress"])
        return delta


def plugin_of(cluster) -> DashmonPlugin:
    return cluster.scheduler.plugins[PLUGIN_NAME]


def test_memory_counts_only_results_in_memory_now():
    async def main():
        cluster, client = await cluster_and_client()
        async with cluster, client:
            p = Poller(client)
            futures = client.map(
                lambda x: b"x" * 10_000, range(10), key=[f"blob-{i}" for i in range(10)]
            )
            await client.gather(futures)
            await p.poll()
            assert p.progress["blob"]["nbytes"] >= 100_000
            assert p.progress["blob"]["memory"] == 10
            del futures
            for _ in range(100):
                await p.poll()
                if p.progress["blob"]["nbytes"] == 0:
                    break
                await asyncio.sleep(0.02)
            assert p.progress["blob"]["nbytes"] == 0
            assert p.progress["blob"]["done"] == 10 and p.progress["blob"]["total"] == 10
            assert plugin_of(cluster)._in_memory == {}

    run(main())


def test_registering_twice_leaves_one_collector():
    async def main():
        cluster, client = await cluster_and_client()
        async with cluster, client:
            first = plugin_of(cluster)
            await client.scheduler.register_scheduler_plugin(
                plugin=pickled_plugin(collector()), name=PLUGIN_NAME, idempotent=True
            )
            assert plugin_of(cluster) is first
            assert list(cluster.scheduler.plugins).count(PLUGIN_NAME) == 1

    run(main())


def test_incremental_polls_and_the_ring_bound():
    async def main():
        cluster, client = await cluster_and_client(history=50)
        async with cluster, client:
            p = Poller(client, limit=1000)
            first = await p.poll()
            assert first["reset"] and first["workers"] and len(first["workers"]) == 2
            held = client.map(lambda x: x, range(30), key=[f"a-{i}" for i in range(30)])
            await client.gather(held)
            d = await p.poll()
            assert not d["reset"] and len(d["tasks"]["key"]) == 30 and d["dropped"] == 0
            assert d["workers"] is None  # unchanged
            same = await p.poll()
            assert same["tasks"]["key"] == [] and same["progress"] == {}
            await client.gather(
                client.map(lambda x: x, range(80), key=[f"b-{i}" for i in range(80)])
            )
            d = await p.poll()
            # The ring holds 50 rows: 30 of the 80 new ones were overwritten.
            assert len(d["tasks"]["key"]) == 50 and d["dropped"] == 30
            assert len(plugin_of(cluster).tasks) == 50

    run(main())


def test_limit_returns_only_the_newest_rows():
    async def main():
        cluster, client = await cluster_and_client()
        async with cluster, client:
            await client.gather(
                client.map(lambda x: x, range(40), key=[f"c-{i}" for i in range(40)])
            )
            p = Poller(client, limit=10)
            d = await p.poll()
            assert len(d["tasks"]["key"]) == 10 and d["dropped"] == 30
            assert d["cursor"] == 40

    run(main())


def test_new_computation_of_a_finished_prefix_starts_afresh():
    async def main():
        cluster, client = await cluster_and_client()
        async with cluster, client:
            p = Poller(client)
            futures = client.map(lambda x: x, range(5), key=[f"again-{i}" for i in range(5)])
            await client.gather(futures)
            del futures
            await asyncio.sleep(0.2)
            await p.poll()
            assert p.progress["again"]["total"] == 5 and p.progress["again"]["done"] == 5
            futures = client.map(lambda x: x, range(3), key=[f"again-{i}-2" for i in range(3)])
            await client.gather(futures)
            await p.poll()
            assert p.progress["again"]["total"] == 3 and p.progress["again"]["done"] == 3

    run(main())


def test_worker_changes_are_sent_and_resources_sampled():
    async def main():
        cluster, client = await cluster_and_client(resource_interval=0.05)
        async with cluster, client:
            p = Poller(client)
            d = await p.poll()
            assert len(d["resources"]["time"]) == 1 and d["resources"]["memory"][0] > 0
            assert d["worker_table"] is not None and len(d["worker_table"]["address"]) == 2
            # A quiet cluster records nothing new: an idle dashboard gets nothing.
            for _ in range(3):
                await asyncio.sleep(0.1)
                d = await p.poll()
                assert d["resources"]["time"] == [] and d["worker_table"] is None
            # Activity makes the next sample count.
            await client.submit(lambda x: x, 1, key="wake-up")
            await asyncio.sleep(0.1)
            d = await p.poll()
            assert len(d["resources"]["time"]) == 1 and d["worker_table"] is not None
            await cluster.scale(1)
            await client.wait_for_workers(1)
            for _ in range(50):
                d = await p.poll()
                if d["workers"] is not None and len(d["workers"]) == 1:
                    break
                await asyncio.sleep(0.05)
            assert d["workers"] is not None and len(d["workers"]) == 1

    run(main())


def test_last_unsubscribe_removes_the_collector_and_its_handlers():
    async def main():
        cluster, client = await cluster_and_client()
        async with cluster, client:
            await Poller(client, "a").poll()
            await Poller(client, "b").poll()
            assert await client.scheduler.dashmon_unsubscribe(subscriber="a") == 1
            assert PLUGIN_NAME in cluster.scheduler.plugins
            assert await client.scheduler.dashmon_unsubscribe(subscriber="b") == 0
            assert PLUGIN_NAME not in cluster.scheduler.plugins
            assert "dashmon_poll" not in cluster.scheduler.handlers

    run(main())


def test_a_silent_subscriber_is_dropped_after_its_lease():
    async def main():
        cluster, client = await cluster_and_client(lease=1.0)
        async with cluster, client:
            await Poller(client, "gone").poll()
            plugin = plugin_of(cluster)
            plugin._subscribers["gone"] -= 5  # last poll was 5 s ago
            plugin._check_leases()
            assert "gone" not in plugin._subscribers
            assert PLUGIN_NAME not in cluster.scheduler.plugins

    run(main())


def test_plugin_pickles_by_value():
    data = pickled_plugin(collector(history=7))
    # By value: the class body travels in the payload, not just its import path.
    assert b"_drain" in data and b"_TASK_COLUMNS" in data
    plugin = pickle.loads(data)
    assert plugin.history == 7


@pytest.mark.parametrize("nbytes", [-1, None, "12"])
def test_unknown_result_sizes_count_as_zero(nbytes):
    async def main():
        cluster, client = await cluster_and_client()
        async with cluster, client:
            plugin = plugin_of(cluster)
            prefix = SimpleNamespace(name="p", states={"memory": 1})
            ts = SimpleNamespace(key="k", nbytes=nbytes, group=SimpleNamespace(prefix=prefix))
            tasks, plugin._tasks = plugin._tasks, {"k": ts}
            try:
                plugin.transition("k", "released", "memory", stimulus_id="test")
                assert plugin._nbytes["p"] == 0 and plugin._in_memory == {"k": 0}
                plugin.transition("k", "memory", "released", stimulus_id="test")
                assert plugin._nbytes["p"] == 0 and plugin._in_memory == {}
            finally:
                plugin._tasks, plugin._log = tasks, []

    run(main())


def test_an_idle_poll_is_held_and_news_wakes_it():
    async def main():
        cluster, client = await cluster_and_client(resource_interval=0.2)
        async with cluster, client:
            p = Poller(client)
            await p.poll()
            p.req["wait"] = 0.6
            loop = asyncio.get_running_loop()
            started = loop.time()
            idle = await p.poll()
            held = loop.time() - started
            assert held >= 0.5, f"an idle poll came back after {held:.2f}s"
            assert idle["tasks"]["key"] == [] and idle["progress"] == {}
            # A sample whose readings moved is news too, and answers a held poll
            # (CI, under load, once got one before the submission): no sampling
            # from here on, so only the new task can wake the poll before 5 s.
            plugin_of(cluster).resource_interval = 60.0
            p.req["wait"] = 5.0
            started = loop.time()
            poll = asyncio.ensure_future(p.poll())
            await asyncio.sleep(0.2)
            future = client.submit(lambda x: x, 1, key="wake-1")
            delta = await poll
            assert loop.time() - started < 3.0
            assert "wake" in delta["progress"] or delta["tasks"]["key"]
            await future

    run(main())


def test_the_wire_follows_the_message_declarations():
    async def main():
        cluster, client = await cluster_and_client()
        async with cluster, client:
            await client.gather(client.map(lambda x: x, range(3), key=["w-0", "w-1", "w-2"]))
            p = Poller(client)
            p.req["detail"] = next(iter(cluster.scheduler.workers))
            delta = await p.poll()
            assert list(delta) == list(Delta.__annotations__)
            assert list(delta["tasks"]) == list(TASK_FIELDS) and len(delta["tasks"]["key"]) == 3
            # On the wire: numbers as packed bytes, prefixes and workers as tables and codes.
            packed = p.packed
            assert list(packed) == list(PackedColumns.__annotations__) and packed["n"] == 3
            assert list(packed["columns"]) == list(TASK_FIELDS)
            workers = list(dict.fromkeys(delta["tasks"]["worker"]))
            assert packed["tables"] == {"prefix": ["w"], "worker": workers}
            assert packed["columns"]["key"] == ["w-0", "w-1", "w-2"]
            assert [type(packed["columns"][f]) for f in TASK_FIELDS[1:]] == [bytes] * 7
            assert len(packed["columns"]["start"]) == 3 * 8 and len(packed["columns"]["run"]) == 6
            assert list(delta["detail"]) == ["address", "processing", "n_processing"]
            # The answer crosses as one msgpack blob: the scheduler's comm layer
            # measures (sizeof) what it sends, and a blob is measured at once.
            raw = await client.scheduler.dashmon_poll(**dict(p.req, epoch=""))
            assert isinstance(raw, bytes) and sizeof(raw) <= len(raw) + 64
            again = decode(raw)
            assert list(again) == list(Delta.__annotations__) and again["tasks"]["n"] == 3
            assert decode(again) is again  # a collector answering with a plain message
            # The kernel asks with one blob too; a request sent as keywords (a
            # kernel of an earlier version) gets the same answer.
            asked = await client.scheduler.dashmon_poll(request=encode(dict(p.req, epoch="")))
            assert decode(asked)["tasks"] == again["tasks"]
            plugin = plugin_of(cluster)
            # Three references, thread (4 bytes), start, stop, the code byte and the run index.
            assert plugin.tasks.nbytes() == plugin.tasks._size * (3 * 8 + 4 + 8 + 8 + 1 + 2)

    run(main())
    # The RPC handler takes exactly the fields of a PollRequest, in order.
    poll = list(inspect.signature(DashmonPlugin.poll).parameters)[1:]
    assert poll == list(PollRequest.__annotations__)
    assert wire_types(TaskColumns) == {
        "key": "object",
        "prefix": CATEGORY,
        "worker": CATEGORY,
        "thread": "I",
        "start": "d",
        "stop": "d",
        "code": "B",
        "run": "H",
    }
    assert ring_columns(TaskColumns) == {
        "key": "object",
        "prefix": "object",
        "worker": "object",
        "thread": "I",
        "start": "d",
        "stop": "d",
        "code": "B",
        "run": "H",
    }
