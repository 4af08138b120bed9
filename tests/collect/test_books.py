"""Runs and failures as the collector counts them, in a real (in-process) scheduler."""

from __future__ import annotations

import asyncio
import time

import dask
from test_plugin import Poller, cluster_and_client, plugin_of

from jupyter_dashmon.collect.books import ErrorBook, exception_type
from jupyter_dashmon.collect.messages import OTHER_RUN, RUN_ANNOTATION


def inc(x):
    return x + 1


def bad(x):
    if x % 4 == 0:
        raise ValueError(f"bad <b>{x}</b>")
    return x


def test_exception_type_from_text():
    assert exception_type("ValueError('bad <b>x</b>')") == "ValueError"
    assert exception_type("distributed.scheduler.KilledWorker: ('x', ...)") == (
        "distributed.scheduler.KilledWorker"
    )
    assert exception_type("") == "Exception"
    assert exception_type("<oops>") == "Exception"


def test_error_groups_are_bounded_and_most_recent_last():
    book = ErrorBook(3, str)
    for i in range(5):
        book.add(f"k{i}", f"p{i}", {"exception_text": "ValueError('x')"}, "r", float(i))
    book.changes.flush(1)
    assert [g["prefix"] for g in book.changed_since(0)] == ["p2", "p3", "p4"]
    for i in range(20):
        book.add(f"j{i}", "p3", {"exception_text": "ValueError('x')", "worker": f"w{i}"}, "r", 9.0)
    book.changes.flush(2)
    (group,) = book.changed_since(1)
    assert group["count"] == 21 and len(group["keys"]) == 5 and len(group["workers"]) == 8


def test_runs_count_each_run_and_errors_group_failures():
    async def main():
        cluster, client = await cluster_and_client()
        async with cluster, client:
            p = Poller(client)
            with dask.annotate(**{RUN_ANNOTATION: "k/1"}):
                first = client.map(inc, range(50), key=[f"inc-{i}" for i in range(50)])
            await client.gather(first)
            with dask.annotate(**{RUN_ANNOTATION: "k/2"}):
                failing = client.map(bad, range(20), key=[f"bad-{i}" for i in range(20)])
            await asyncio.wait_for(
                asyncio.gather(*(f for f in failing), return_exceptions=True), 30
            )
            # Not annotated: "other".  Submitting computed keys again adds nothing.
            await client.gather(client.map(inc, range(100, 103)))
            with dask.annotate(**{RUN_ANNOTATION: "k/3"}):
                again = client.map(inc, range(50), key=[f"inc-{i}" for i in range(50)])
            await client.gather(again)
            runs, errors, records = {}, [], []
            for _ in range(3):
                delta = await p.poll()
                runs.update(delta["runs"])
                errors.extend(delta["errors"])
                t = delta["tasks"]
                records += [(k, r) for k, r, c in zip(t["key"], t["run"], t["code"]) if c == 0]
            # Each computation record names its run's index.
            index = {run["index"]: name for name, run in runs.items()}
            by_run = {}
            for key, run in records:
                by_run.setdefault(index.get(run, "?"), set()).add(key.split("-")[0])
            assert by_run["k/1"] == {"inc"} and by_run[OTHER_RUN] == {"inc"}
            assert by_run["k/2"] == {"bad"}
            assert runs["k/1"]["total"] == 50 and runs["k/1"]["done"] == 50
            assert runs["k/1"]["prefixes"] == {"inc": 50}
            assert runs["k/1"]["seconds"]["compute"] > 0
            assert runs["k/1"]["bytes"] > 0
            assert (runs["k/2"]["total"], runs["k/2"]["done"], runs["k/2"]["erred"]) == (20, 15, 5)
            assert runs[OTHER_RUN]["total"] == 3
            assert "k/3" not in runs or runs["k/3"]["total"] == 0
            (group,) = errors
            assert group["prefix"] == "bad" and group["exception"] == "ValueError"
            assert group["count"] == 5 and group["run"] == "k/2"
            assert "bad <b>0</b>" in group["message"] or "bad <b>" in group["message"]
            assert "raise ValueError" in group["traceback"]
            # A later poll says only what changed.
            quiet = await p.poll()
            assert quiet["runs"] == {} and quiet["errors"] == []
            # Forgetting the tasks empties the per-task map at the next poll (the
            # hook keeps transitions until then): bounded by live tasks.  A task
            # cancelled while it runs leaves its run too.
            with dask.annotate(**{RUN_ANNOTATION: "k/4"}):
                slow = client.submit(time.sleep, 3, key="slow-1")
            for _ in range(3000):
                if getattr(cluster.scheduler.tasks.get("slow-1"), "state", "") == "processing":
                    break
                await asyncio.sleep(0.01)
            assert "slow-1" in plugin_of(cluster).runs._run_of
            await client.cancel(first + failing + again + [slow])
            del first, failing, again, slow
            for _ in range(50):
                await asyncio.sleep(0.1)
                await p.poll()
                if not plugin_of(cluster).runs._run_of:
                    break
            left = plugin_of(cluster).runs._run_of
            assert not left, {k: cluster.scheduler.tasks.get(k) for k in left}

    asyncio.run(main())
