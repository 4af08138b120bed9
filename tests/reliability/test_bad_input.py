"""Bad input: a clear error naming the option, or a graceful rendering, and nothing lost."""

from __future__ import annotations

import math
import time
import types

import dask
import pytest
from distributed import Client
from distributed.core import Status
from distributed.scheduler import WorkerState
from workloads import noop

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)
from jupyter_dashmon import Dashboard
from jupyter_dashmon.aggregate.history import TaskHistory
from jupyter_dashmon.aggregate.task_marks import label_of
from jupyter_dashmon.collect.messages import PLUGIN_NAME
from jupyter_dashmon.collect.plugin import key_text
from jupyter_dashmon.collect.sampling import RESOURCE_FIELDS, WORKER_FIELDS, take_sample
from jupyter_dashmon.placement import registry

# -- options -----------------------------------------------------------------

BAD_OPTIONS = [
    ("history", -1, ValueError),
    ("history", 10**12, ValueError),
    ("history", "5000", TypeError),
    ("history", 1.5, TypeError),
    ("interval", 0, ValueError),
    ("interval", -0.5, ValueError),
    ("interval", "soon", ValueError),
    ("interval", True, TypeError),
    ("interval", math.nan, ValueError),
    ("interval", math.inf, ValueError),
    ("interval", 10**400, ValueError),
    ("task_stream_length", 0, ValueError),
    ("task_stream_length", [1000], TypeError),
    ("resource_length", 1, ValueError),
    ("resource_interval", {"s": 1}, TypeError),
    ("resource_interval", "0ms", ValueError),
    ("stream_gap", -5, ValueError),
    ("max_bars", 0, ValueError),
    ("max_bars", 10**9, ValueError),
    ("max_prefixes", "many", TypeError),
    ("lease", 0, ValueError),
    ("lease", "1 fortnight", ValueError),
]


@pytest.mark.parametrize(("option", "value", "error"), BAD_OPTIONS, ids=lambda v: repr(v)[:20])
def test_bad_option_is_refused_naming_it(client, option, value, error):
    with pytest.raises(error, match=option):
        client.dashboard(**{option: value})
    assert registry.dashboards_of(client) == []  # nothing left running


def test_unknown_option_is_refused_naming_it(client):
    with pytest.raises(TypeError, match="colour"):
        client.dashboard(colour="red")


def test_bad_option_from_dask_config_names_the_key(client):
    with (
        dask.config.set({"dashmon.history": -3}),
        pytest.raises(ValueError, match=r"dashmon\.history"),
    ):
        client.dashboard()


@pytest.mark.parametrize("thing", [None, "tcp://127.0.0.1:8786", 42])
def test_not_a_client_is_refused(thing):
    with pytest.raises(TypeError, match=r"distributed\.Client"):
        Dashboard(thing)


# -- odd task keys -------------------------------------------------------------

HTML = "<img src=x onerror=alert(1)>"
LONG = "long-" + "k" * 10_000
KEYS = {
    "tuple": (("tuple-key", 3), "('tuple-key', 3)"),
    "int": (12345, "12345"),
    "float": (2.5, "2.5"),
    "non-ascii": ("ключ-データ-ü-\u2603", "ключ-データ-ü-\u2603"),
    "10 kB": (LONG, LONG[:199] + "\u2026"),
    "html": (HTML, HTML),
    "nested tuple": (("outer", ("inner", 1)), "('outer', ('inner', 1))"),
}


@pytest.fixture(scope="module")
def keyed(cluster):
    """One dashboard that saw a task under each odd key."""
    with Client(cluster, set_as_default=False) as client:
        dash = client.dashboard(interval=0.05)
        futures = [client.submit(noop, i, key=key) for i, (key, _) in enumerate(KEYS.values())]
        client.gather(futures)
        deadline = time.monotonic() + 20
        wanted = {text for _, text in KEYS.values()}
        while time.monotonic() < deadline:
            if wanted <= {r["key"] for r in dash.snapshot()["task_stream"]}:
                break
            time.sleep(0.05)
        yield client, dash
        dash.close()


@pytest.mark.parametrize("case", list(KEYS))
def test_odd_task_key_is_recorded_as_text(keyed, case):
    _, dash = keyed
    _, text = KEYS[case]
    snap = dash.snapshot()
    records = [r for r in snap["task_stream"] if r["key"] == text]
    assert records, sorted(r["key"][:40] for r in snap["task_stream"])
    assert all(isinstance(r["key"], str) and len(r["key"]) <= 200 for r in snap["task_stream"])
    assert records[0]["status"] == "OK"
    assert text in [r["key"] for r in snap["tasks"]]  # the Tasks page history too
    assert dash.model.status.state == "live" and dash.model.status.message == ""


def test_html_key_is_kept_as_literal_text_in_hover_labels(keyed):
    _, dash = keyed
    record = next(r for r in dash.snapshot()["task_stream"] if r["key"] == HTML)
    label = label_of(record["key"], 0, record["worker"], record["stop"] - record["start"])
    assert label.startswith(HTML + " | ")  # drawn as SVG text, not parsed


def test_bytes_key_is_refused_by_distributed_and_the_dashboard_carries_on(keyed):
    client, dash = keyed
    with pytest.raises(TypeError):
        client.submit(noop, 1, key=b"bytes-key")
    assert client.submit(noop, 2).result() == 2
    assert dash.model.status.state == "live"
    # Should a scheduler ever hold one, the collector shows bytes as text.
    assert key_text(b"bytes-\xff-key", 200) == "bytes-\ufffd-key"


# -- 10,000 prefixes -----------------------------------------------------------


@pytest.mark.slow
def test_ten_thousand_prefixes_show_the_largest_and_plus_n_more(cluster, waiter):
    # distributed itself needs about 3 ms per one-task prefix on 2 cores (10,000
    # would take a minute), so 9,990 of the prefixes are handed to the collector
    # as finished computations whose tasks were forgotten, the state it keeps for
    # them; 10 are real tasks, and the largest prefix is a real one.
    n = 10_000
    with Client(cluster, set_as_default=False) as client:
        dash = client.dashboard(interval=0.1, max_prefixes=20_000, max_bars=25)
        try:
            big = client.map(noop, range(50), key=[f"biggest-{i}" for i in range(50)])
            futures = client.map(noop, range(10), key=[f"pfx{i:05d}x-1" for i in range(10)])
            client.gather(futures + big)
            waiter(lambda: dash.model.status.state == "live", 20, "live")

            def finished_prefixes(dask_scheduler):
                from distributed.scheduler import TaskPrefix

                # The scheduler's own record of a prefix whose tasks all finished
                # and were forgotten: its count of forgotten tasks.
                plugin = dask_scheduler.plugins[PLUGIN_NAME]
                for i in range(10, n):
                    name = f"pfx{i:05d}x"
                    tp = dask_scheduler.task_prefixes[name] = TaskPrefix(name)
                    tp.state_counts["forgotten"] = 1 + i % 7
                    plugin._forgotten_base[name] = 0
                    plugin._touched.add(name)
                plugin._wake()

            client.run_on_scheduler(finished_prefixes)
            waiter(
                lambda: sum(p.startswith("pfx") for p in dash.model.progress.prefixes) == n,
                60,
                "10,000 prefixes in the progress model",
            )
            view = dash.views["progress"]
            waiter(
                lambda: view.hidden == len(dash.model.progress.prefixes) - 25, 10, "view redrawn"
            )
            assert view.bars_shown == 25
            text = [r["text"] for r in view.figure.rows]
            assert text[-1] == f"+{view.hidden:,} more"
            assert text[0].startswith("biggest ")  # the largest prefix is drawn first

            async def costs(dask_scheduler):
                plugin = dask_scheduler.plugins[PLUGIN_NAME]
                c0 = plugin.cost
                full = await plugin.poll(subscriber="probe", epoch="", wait=0)
                c1 = plugin.cost
                again = await plugin.poll(
                    subscriber="probe",
                    epoch=full["epoch"],
                    cursor=full["cursor"],
                    version=full["version"],
                    resource_cursor=full["resource_cursor"],
                    worker_version=full["worker_version"],
                    wait=0,
                )
                c2 = plugin.cost
                plugin.unsubscribe("probe")
                return len(full["progress"]), len(again["progress"]), c1 - c0, c2 - c1

            full_n, again_n, full_cost, again_cost = client.run_on_scheduler(costs)
            print(
                f"\npoll cost with {full_n} prefixes: full {full_cost * 1e3:.2f} ms, "
                f"incremental {again_cost * 1e3:.3f} ms ({again_n} prefixes sent)"
            )
            assert full_n >= n
            # An incremental poll sends only what changed, and costs less than a full one.
            assert again_n <= 5
            assert again_cost < full_cost
        finally:
            dash.close()

            def forget_them(dask_scheduler):  # leave the shared scheduler as it was
                plugin = dask_scheduler.plugins.get(PLUGIN_NAME)
                for i in range(10, n):
                    name = f"pfx{i:05d}x"
                    dask_scheduler.task_prefixes.pop(name, None)
                    if plugin is not None:
                        plugin._forgotten_base.pop(name, None)
                        plugin._versions.pop(name, None)

            client.run_on_scheduler(forget_them)


# -- worker metrics ------------------------------------------------------------


def worker_state(address: str, metrics) -> WorkerState:
    ws = WorkerState(
        address=address,
        status=Status.running,
        pid=1,
        name=address[-4:],
        nthreads=2,
        memory_limit=2**30,
        local_directory="/tmp",
        nanny=None,
        server_id="test",
    )
    ws.metrics = metrics
    return ws


BAD_METRICS = {
    "nan": {
        "cpu": math.nan,
        "memory": math.nan,
        "host_net_io": {"read_bps": math.nan, "write_bps": math.nan},
    },
    "inf": {
        "cpu": math.inf,
        "memory": -math.inf,
        "host_net_io": {"read_bps": math.inf, "write_bps": -math.inf},
    },
    "missing": {},
    "wrong types": {"cpu": "busy", "memory": None, "host_net_io": "fast", "host_disk_io": [1, 2]},
    "not a dict": None,
}


@pytest.mark.parametrize("case", list(BAD_METRICS))
def test_bad_worker_metrics_read_as_zero(case):
    good = worker_state("tcp://127.0.0.1:1001", {"cpu": 50.0, "memory": 1000.0})
    bad = worker_state("tcp://127.0.0.1:1002", BAD_METRICS[case])
    scheduler = types.SimpleNamespace(
        workers={ws.address: ws for ws in (good, bad)}, tasks={}, clients={}, monitor=None
    )
    sample, table = take_sample(scheduler, 1000.0, 0.5)
    assert len(sample) == len(RESOURCE_FIELDS) and set(table) == set(WORKER_FIELDS)
    assert all(math.isfinite(v) for v in sample)
    assert sample[RESOURCE_FIELDS.index("cpu")] == 25.0  # (50 + 0) / 2
    assert sample[RESOURCE_FIELDS.index("memory")] == 1000.0
    for field in ("cpu", "memory", "network_read", "network_write", "disk_read", "disk_write"):
        assert table[field][1] == 0.0, field


def test_bad_metrics_on_a_real_scheduler_keep_the_dashboard_finite(client, waiter):
    dash = client.dashboard(interval=0.05, resource_interval=0.05)

    def poison(dask_scheduler):
        for ws in dask_scheduler.workers.values():
            ws.metrics = {
                "cpu": math.nan,
                "memory": math.inf,
                "host_net_io": {"read_bps": -math.inf},
            }
        plugin = dask_scheduler.plugins[PLUGIN_NAME]
        plugin._recorded_activity = ()  # record the next sample even if the cluster is quiet
        return len(dask_scheduler.workers)

    try:
        waiter(lambda: dash.model.status.state == "live", 20, "live")
        before = len(dash.model.resources.time)
        assert client.run_on_scheduler(poison) == 2
        waiter(lambda: len(dash.model.resources.time) > before, 20, "a sample after poisoning")
        for name in RESOURCE_FIELDS:
            assert all(math.isfinite(v) for v in getattr(dash.model.resources, name)), name
        assert dash.model.status.state == "live"
    finally:
        dash.close()


# -- unknown sizes, times out of order -----------------------------------------


def test_unknown_result_size_counts_as_zero_bytes(client, waiter):
    dash = client.dashboard(interval=0.05)
    try:
        future = client.submit(noop, 7, key="sizeless-1")
        assert future.result() == 7

        def unknown_size(dask_scheduler):
            ts = dask_scheduler.tasks["sizeless-1"]
            ts.nbytes = -1  # what a scheduler holds before a size is reported
            plugin = dask_scheduler.plugins[PLUGIN_NAME]
            plugin.transition("sizeless-1", "processing", "memory")
            return plugin._counts("sizeless", ts.prefix)["nbytes"]

        waiter(lambda: dash.model.status.state == "live", 20, "live")
        assert client.run_on_scheduler(unknown_size) == 0
        waiter(lambda: dash.snapshot()["progress"].get("sizeless", {}).get("done") == 1, 20, "done")
        # The size reported again (unknown) reaches the kernel with the next poll.
        waiter(lambda: dash.snapshot()["memory"].get("sizeless", 0) == 0, 20, "no bytes")
        assert all(v >= 0 for v in dash.snapshot()["memory"].values())
    finally:
        dash.close()


def columns(rows):
    names = ("key", "prefix", "worker", "thread", "start", "stop", "code")
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


OUT_OF_ORDER = columns(
    [
        ("a-1", "a", "w1", 1, 10.0, 12.0, 0),  # in order
        ("a-2", "a", "w1", 1, 15.0, 13.0, 0),  # stop before start
        ("a-3", "a", "w1", 1, 9.0, 9.5, 0),  # arrives after later tasks
        ("a-4", "a", "w1", 1, math.nan, 14.0, 0),  # no start time
        ("a-5", "a", "w1", 1, 16.0, math.inf, 0),  # no stop time
    ]
)


def test_start_stop_out_of_order_decode_to_ordered_records():
    history = TaskHistory(10)
    history.append_columns(OUT_OF_ORDER)
    records = history.records()
    assert [r["key"] for r in records] == ["a-1", "a-2", "a-3"]
    assert all(r["start"] <= r["stop"] for r in records)
    assert records[1]["start"] == 13.0 and records[1]["stop"] == 15.0


def test_start_stop_out_of_order_in_the_history_ring():
    history = TaskHistory(2)
    assert history.append_columns(OUT_OF_ORDER) == 2  # stored: three valid rows, capacity two
    kept = history.records()
    assert [r["key"] for r in kept] == ["a-2", "a-3"]  # bounded: the newest two
    assert all(r["start"] <= r["stop"] for r in kept)
    assert len(history) == 2 and history.count == 3
