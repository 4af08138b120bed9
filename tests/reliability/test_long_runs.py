"""Many tiny tasks through one dashboard: memory is bounded by the history, not by tasks.

The suite runs 6,000 tasks (6 times the history; distributed needs about 3 ms a
task on 2 cores, so 100,000 would take minutes); ``python -m bench.soak`` runs 1,000,000
(figures in ``bench/SOAK.md``).
"""

from __future__ import annotations

import pytest
from distributed import Client
from workloads import noop

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)

TASKS = 6_000
BATCH = 2_000
HISTORY = 1_000
STREAM = 200
RESOURCES = 50


def scheduler_memory(dask_scheduler):
    plugin = dask_scheduler.plugins["jupyter-dashmon"]
    return {
        "ring": len(plugin.tasks),
        "ring_capacity": plugin.tasks.capacity,
        "ring_count": plugin.tasks.count,
        "in_memory": len(plugin._in_memory),
        "nbytes": len(plugin._nbytes),
        "forgotten_base": len(plugin._forgotten_base),
        "versions": len(plugin._versions),
        "resources": len(plugin.resources),
        "ring_bytes": plugin.tasks.nbytes(),
    }


def kernel_memory(dash) -> dict:
    m = dash.model
    return {
        "history": len(m.history.history),
        "history_keys": sum(k is not None for k in m.history.history.keys),
        "records": len(m.tasks.records),
        "resources": max(len(getattr(m.resources, n)) for n in ("time", "cpu", "memory")),
        "prefixes": len(m.progress.prefixes),
        "colors": len(m.progress.colors),
    }


@pytest.mark.slow
def test_memory_stays_bounded_by_the_history(cluster, waiter):
    samples = []
    with Client(cluster, set_as_default=False) as client:
        dash = client.dashboard(
            interval=0.1, history=HISTORY, task_stream_length=STREAM, resource_length=RESOURCES
        )
        try:
            for start in range(0, TASKS, BATCH):
                futures = client.map(noop, range(start, start + BATCH), pure=False)
                client.gather(futures)
                del futures
                samples.append((kernel_memory(dash), client.run_on_scheduler(scheduler_memory)))
            # Each batch is a new computation of the finished prefix: its bar starts afresh.
            waiter(
                lambda: dash.snapshot()["progress"].get("noop", {}).get("done") == BATCH,
                60,
                "the last batch counted",
            )
            kern, sched = kernel_memory(dash), client.run_on_scheduler(scheduler_memory)
            print(f"\nafter {TASKS:,} tasks, kernel: {kern}\nscheduler: {sched}")
            assert dash.snapshot()["progress"]["noop"]["total"] == BATCH
            assert sched["ring_count"] >= TASKS  # every task was recorded ...
            assert sched["ring"] == sched["ring_capacity"] == HISTORY  # ... but only HISTORY kept
            assert sched["in_memory"] <= BATCH  # results released with their futures
            assert (
                sched["forgotten_base"] <= 10 and sched["versions"] <= 10 and sched["nbytes"] <= 10
            )
            assert kern["history"] == HISTORY and kern["history_keys"] <= HISTORY
            assert kern["records"] <= STREAM
            assert kern["resources"] <= RESOURCES
            assert kern["prefixes"] <= 10 and kern["colors"] <= 10
            # Flat across the run: the second half held no more than the first.
            half = len(samples) // 2
            for part in (0, 1):
                first = max(s[part]["ring" if part else "history"] for s in samples[:half])
                last = max(s[part]["ring" if part else "history"] for s in samples[half:])
                assert last == first == HISTORY
        finally:
            dash.close()
