"""A worker process is SIGKILLed in the middle of a computation."""

from __future__ import annotations

import json
import time

import pytest
from distributed import Client
from reliability_procs import Kernel, sigkill
from workloads import slow

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)

N = 60
COUNT_FIELDS = (
    "total",
    "done",
    "memory",
    "released",
    "erred",
    "processing",
    "waiting",
    "queued",
    "no_worker",
)


def check_counts(snapshot: dict) -> None:
    for prefix, counts in snapshot["progress"].items():
        for name in COUNT_FIELDS:
            assert counts[name] >= 0, (prefix, counts)
        assert counts["done"] <= counts["total"], (prefix, counts)
    for name, values in snapshot["resources"].items():
        assert all(v >= 0 for v in values), name
    assert all(n >= 0 for n in snapshot["memory"].values())


@pytest.mark.slow
def test_dashboard_survives_a_killed_worker(proc_cluster, waiter):
    with Client(proc_cluster.address, timeout="20s", set_as_default=False) as client:
        client.wait_for_workers(2, timeout=30)
        pids = client.run(lambda: __import__("os").getpid())
        dash = client.dashboard(interval=0.05)
        try:
            waiter(lambda: len(dash.model.status.workers) == 2, 20, "both workers shown")
            futures = client.map(slow, range(N), delay=0.2, key=[f"slow-{i}" for i in range(N)])
            waiter(
                lambda: dash.snapshot()["progress"].get("slow", {}).get("done", 0) >= 8,
                20,
                "some done",
            )
            # Kill the worker that holds results, so they must be computed again.
            victim_addr = max(client.has_what(), key=lambda a: len(client.has_what()[a]))
            victim = next(p for p in proc_cluster.workers if p.pid == pids[victim_addr])
            sigkill(victim)
            killed_at = time.time()

            samples = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                snap = dash.snapshot()
                check_counts(snap)
                samples.append(snap)
                counts = snap["progress"].get("slow", {})
                if counts.get("done") == N and victim_addr not in snap["status"]["workers"]:
                    break
                time.sleep(0.02)
            assert client.gather(futures) == list(range(N))
            waiter(lambda: dash.snapshot()["progress"]["slow"]["done"] == N, 20, "all done")
            final = dash.snapshot()
            check_counts(final)
            # Recomputed tasks are counted once.
            assert final["progress"]["slow"]["total"] == N, final["progress"]["slow"]
            assert final["progress"]["slow"]["done"] == N
            assert max(s["progress"].get("slow", {}).get("total", 0) for s in samples) == N
            # The dashboard kept updating after the kill, and the worker left both views.
            assert dash.model.status.updated > killed_at
            assert dash.model.status.state == "live"
            waiter(
                lambda: victim_addr not in dash.model.status.workers, 20, "worker gone from status"
            )
            waiter(
                lambda: victim_addr not in [w["address"] for w in dash.snapshot()["workers"]],
                20,
                "worker gone from the workers table",
            )
            assert len(dash.model.status.workers) == 1
            assert dash.model.status.message == ""
        finally:
            dash.close()


KERNEL_SETUP = """
import json, time
from distributed import Client
import jupyter_dashmon
from workloads import slow
client = Client({address!r}, timeout="20s")
client.wait_for_workers(2, timeout=30)
pids = client.run(lambda: __import__("os").getpid())
dash = client.dashboard()
futures = client.map(slow, range({n}), delay=0.2, key=[f"slow-{{i}}" for i in range({n})])
while dash.snapshot()["progress"].get("slow", {{}}).get("done", 0) < 8:
    time.sleep(0.05)
victim = max(client.has_what(), key=lambda a: len(client.has_what()[a]))
print(json.dumps({{"victim": victim, "pid": pids[victim]}}))
"""

KERNEL_FINISH = """
total = sum(client.gather(futures))
while dash.snapshot()["progress"]["slow"]["done"] < {n} or victim in dash.model.status.workers:
    time.sleep(0.05)
print(json.dumps({{"sum": total, "progress": dash.snapshot()["progress"]["slow"],
                  "workers": list(dash.model.status.workers), "state": dash.model.status.state}}))
"""


def _stdout(messages: list[dict]) -> str:
    return "".join(
        m["content"]["text"]
        for m in messages
        if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
    )


@pytest.mark.slow
def test_no_exception_reaches_the_notebook_when_a_worker_dies(proc_cluster):
    kernel = Kernel()
    try:
        out = _stdout(kernel.run(KERNEL_SETUP.format(address=proc_cluster.address, n=N)))
        chosen = json.loads(out.strip().splitlines()[-1])
        victim = next(p for p in proc_cluster.workers if p.pid == chosen["pid"])
        sigkill(victim)
        kernel.drain(2.0)  # the dashboard's thread runs while no cell does
        result = json.loads(
            _stdout(kernel.run(KERNEL_FINISH.format(n=N), timeout=90)).strip().splitlines()[-1]
        )
        kernel.drain(1.0)
        assert result["sum"] == sum(range(N))
        assert result["progress"]["total"] == N and result["progress"]["done"] == N
        assert chosen["victim"] not in result["workers"] and len(result["workers"]) == 1
        assert result["state"] == "live"
        assert kernel.problems() == []
        kernel.run("client.close()")
    finally:
        kernel.close()
