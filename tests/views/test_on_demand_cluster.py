"""Profile, Groups and Metrics on a real LocalCluster with worker processes.

Each test shows its tab (as a user would), produces the effect on the
cluster, and reads it back through ``snapshot()``.
"""

from __future__ import annotations

import sys
import time

import dask.array as da
import numpy as np
from distributed import futures_of
from profiled_work import spin_for_profile
from workloads import hold, let_go

from jupyter_dashmon.placement.layout import PAGES


def show(dash, page: str) -> None:
    dash.pages.selected_index = PAGES.index(page)


def test_profile_names_a_cpu_bound_function_and_its_file(client, waiter):
    dash = client.dashboard()
    try:
        show(dash, "Profile")
        futures = client.map(spin_for_profile, [3.0] * 4, pure=False)

        def spinning():
            frames = dash.snapshot()["profile"]["frames"]
            return [f for f in frames if f["name"] == "spin_for_profile"]

        waiter(spinning, timeout=30, what="spin_for_profile in the workers' profile")
        client.gather(futures)
        dash.views["profile"].refetch()
        time.sleep(1.5)
        snap = dash.snapshot()["profile"]
        (frame,) = [f for f in snap["frames"] if f["name"] == "spin_for_profile"][:1]
        assert frame["filename"].endswith("profiled_work.py")
        assert frame["line"].startswith(("n +=", "while", "end ="))
        # Four threads for 3 s: hundreds of samples (10 ms apart), whatever else ran.
        assert frame["count"] >= 200
        # Only its tasks: then it is most of the profile.
        before = dash.model.profile.updated
        dash.model.profile.function = "spin_for_profile"
        waiter(lambda: dash.model.profile.updated > before, 15, "the profile of one function")
        only = dash.snapshot()["profile"]
        (frame,) = [f for f in only["frames"] if f["name"] == "spin_for_profile"][:1]
        assert only["function"] == "spin_for_profile"
        assert frame["count"] > 0.8 * only["samples"]
        assert not any(f["name"] in ("inc", "dec", "add") for f in only["frames"])
        # The flame graph draws it, with its file and line in the tooltip.
        flame = dash.model.profile.flame
        i = flame["label"].index("spin_for_profile")
        assert "profiled_work.py:" in flame["tooltip"][i]

        # Zooming into it keeps only it and its callees.
        view = dash.views["profile"]
        view.zoom(flame["node"][i])
        waiter(lambda: dash.model.profile.flame["label"][:1] == ["spin_for_profile"], 5, "zoom")
        assert dash.model.profile.flame["x1"][0] == 1.0

        # Hidden, nothing is fetched any more.
        show(dash, "Status")
        before = dict(dash.listener.fetcher.fetches)
        time.sleep(dash.model.profile.interval + 1.5)
        assert dash.listener.fetcher.fetches == before
        assert not dash.model.profile.active
    finally:
        dash.close()


def test_profile_of_the_scheduler_event_loop(client, waiter):
    dash = client.dashboard()
    try:
        show(dash, "Profile")
        dash.model.profile.source = "scheduler"
        dash.model.profile.window = 0.0
        waiter(
            lambda: dash.model.profile.frames.get("count") and dash.model.profile.updated,
            timeout=30,
            what="the scheduler's event-loop profile",
        )
        snap = dash.snapshot()["profile"]
        assert snap["source"] == "scheduler"
        # distributed starts the event-loop profiler on every Python but 3.11.
        assert snap["enabled"] == (sys.version_info[:2] != (3, 11))
        if snap["enabled"]:
            waiter(lambda: dash.snapshot()["profile"]["samples"] > 0, 30, "loop samples")
            names = {f["name"] for f in dash.snapshot()["profile"]["frames"]}
            assert "spin_for_profile" not in names  # the scheduler runs no tasks
        else:
            waiter(
                lambda: dash.views["profile"].figure.title.endswith(
                    "not profiled (distributed leaves it off here)"
                ),
                5,
                "the title to say the loop is not profiled",
            )
            # And why, plainly, in the snapshot and under the controls.
            assert "Python 3.11" in snap["reason"] and "116969" in snap["reason"]
            assert dash.views["profile"].why.value.startswith("distributed does not profile")
    finally:
        dash.close()


def test_three_array_operations_make_three_connected_groups(client, waiter):
    dash = client.dashboard()
    try:
        show(dash, "Groups")
        x = client.persist(da.ones((100, 100), chunks=50))
        y = client.persist(x + 1)
        z = client.persist(y * 2)
        client.gather(futures_of([x, y, z]))
        names = {x.name, y.name, z.name}

        def groups():
            rows = dash.snapshot()["groups"]["groups"]
            mine = {r["prefix"]: r for r in rows if r["name"] in names}
            return mine if len(mine) == 3 and all(r["memory"] == 4 for r in mine.values()) else {}

        waiter(groups, timeout=20, what="three groups with their four chunks in memory")
        mine = groups()
        ones = next(r for p, r in mine.items() if p.startswith("ones"))
        assert mine["add"]["dependencies"] == [ones["name"]]
        assert mine["mul"]["dependencies"] == [mine["add"]["name"]]
        for row in mine.values():
            assert (row["total"], row["memory"], row["released"], row["erred"]) == (4, 4, 0, 0)
            assert row["processing"] == row["waiting"] == 0
        # Laid out left to right along the chain.
        nodes = dash.model.groups.nodes
        column = {name: nodes["x"][i] for i, name in enumerate(nodes["name"])}
        assert column[ones["name"]] < column[mine["add"]["name"]] < column[mine["mul"]["name"]]
        del x, y, z
    finally:
        dash.close()


def test_transfers_show_seconds_and_bandwidth(client, waiter):
    dash = client.dashboard()
    try:
        show(dash, "Metrics")
        x = da.random.random((2000, 2000), chunks=500)
        client.compute((x + x.T).mean(axis=0)).result()

        def measured():
            m = dash.snapshot()["metrics"]
            return (
                m["seconds"].get("transfer", 0) > 0
                and m["bandwidth_types"].get("numpy.ndarray", 0) > 0
                and m["bandwidth_workers"]
                and m["seconds"].get("compute (CPU)", 0) > 0
            )

        waiter(measured, timeout=30, what="transfer seconds and bandwidth")
        m = dash.snapshot()["metrics"]
        names = {info["name"] for info in dash.model.status.workers.values()}
        assert {m["bandwidth_workers"][0][0], m["bandwidth_workers"][0][1]} <= names
        assert m["bytes"].get("memory read", 0) > 0
        assert m["compute_by_function"].get("random_sample", 0) > 0
        # One function only: its own execute metrics, no transfers.
        dash.model.metrics.function = "random_sample"
        waiter(lambda: "transfer" not in dash.snapshot()["metrics"]["seconds"], 5, "one function")
        only = dash.snapshot()["metrics"]
        assert only["function"] == "random_sample"
        assert 0 < only["seconds"]["compute (CPU)"] < m["seconds"]["compute (CPU)"]
    finally:
        dash.close()


def test_a_small_memory_limit_shows_spilled_bytes(waiter):
    import logging

    import dask
    from distributed import Client, LocalCluster

    # Never pause or kill: the worker must keep taking data and spill what passes its target.
    memory = {
        "distributed.worker.memory.pause": False,
        "distributed.worker.memory.terminate": False,
    }
    with (
        dask.config.set(memory),
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            memory_limit="400MiB",
            dashboard_address=None,
            host="127.0.0.1",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        dash = client.dashboard()
        try:
            # 320 MB of results against a 400 MiB limit: more than the 60 % target.
            x = client.persist(da.random.random((40, 1000, 1000), chunks=(1, 1000, 1000)))
            client.gather(futures_of(x)[:1])

            def spilled():
                memory = dash.snapshot()["cluster_memory"]
                return memory.get("spilled") and memory["spilled"][-1] > 50e6

            waiter(spilled, timeout=60, what="spilled bytes in the cluster memory")
            memory = dash.snapshot()["cluster_memory"]
            assert memory["memory_limit"][-1] == 400 * 2**20
            # Unmanaged is process memory minus managed, which distributed floors
            # at 0 while the process reading lags behind a burst of spilling.
            assert memory["managed"][-1] > 0 and memory["unmanaged"][-1] >= 0
            assert memory["pause"] == 0.0  # as configured in this kernel
            assert len(memory["time"]) == len(memory["spilled"]) >= 2
            assert len(memory["unmanaged_recent"]) == len(memory["time"])
            assert all(0 <= r <= u for r, u in zip(memory["unmanaged_recent"], memory["unmanaged"]))
            del x
        finally:
            dash.close()


def test_a_fresh_allocation_shows_as_recent_unmanaged_memory(client, waiter):
    dash = client.dashboard()
    worker = next(iter(client.scheduler_info()["workers"]))
    try:
        show(dash, "Cluster memory")
        # 300 MiB a task leaves behind in its worker process: not a result, so
        # unmanaged, and new, so recent (for distributed's 30 s).
        client.submit(hold, 300 * 2**20, workers=[worker], pure=False).result()

        def recent():
            memory = dash.snapshot()["cluster_memory"]
            return memory.get("unmanaged_recent") and memory["unmanaged_recent"][-1] > 200 * 2**20

        waiter(recent, timeout=30, what="300 MiB of recent unmanaged memory")
        memory = dash.snapshot()["cluster_memory"]
        assert memory["unmanaged"][-1] >= memory["unmanaged_recent"][-1]
        # The stacked band of recent memory is that tall, above managed and older unmanaged.
        view = dash.views["cluster_memory"]

        def band_height() -> float:
            y = np.asarray(view.areas["unmanaged_recent"].y, float)
            return float((y[0] - y[1]).max()) if y.ndim == 2 and y.shape[1] else 0.0

        waiter(lambda: band_height() > 200 * 2**20, 5, "the recent band drawn that tall")
        assert "unmanaged recent" in view.summary.value
    finally:
        client.submit(let_go, workers=[worker], pure=False).result()
        dash.close()
