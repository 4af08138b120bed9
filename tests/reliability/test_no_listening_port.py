"""The package opens no listening socket, in the kernel or on the scheduler."""

from __future__ import annotations

import pytest
from distributed import Client
from reliability_procs import Kernel, listening
from workloads import inc

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)
from jupyter_dashmon.collect.messages import PLUGIN_NAME

KERNEL_CLIENT = """
from distributed import Client
client = Client({address!r}, timeout="20s")
client.wait_for_workers(1, timeout=30)
"""

KERNEL_DASHBOARD = """
import time
import jupyter_dashmon
from workloads import inc
dash = client.dashboard(interval=0.05)
dash.sidebar()
futures = client.map(inc, range(40))
client.gather(futures)
while dash.snapshot()["progress"].get("inc", {}).get("done", 0) < 40:
    time.sleep(0.05)
print(dash.model.status.state)
"""


@pytest.mark.slow
def test_no_listening_socket_in_the_kernel(proc_cluster):
    kernel = Kernel()
    try:
        kernel.run(KERNEL_CLIENT.format(address=proc_cluster.address))
        before = listening(kernel.pid)
        out = kernel.run(KERNEL_DASHBOARD)
        assert any(m["msg_type"] == "stream" and "live" in m["content"]["text"] for m in out)
        after = listening(kernel.pid)
        assert before, "the kernel's own ZMQ ports should be visible"
        assert after == before, f"new listening sockets: {after - before}"
        kernel.run("dash.close(); client.close()")
    finally:
        kernel.close()


@pytest.mark.slow
def test_no_listening_socket_on_the_scheduler(proc_cluster, waiter):
    pid = proc_cluster.scheduler.pid
    with Client(proc_cluster.address, timeout="20s", set_as_default=False) as client:
        client.wait_for_workers(1, timeout=30)
        before = listening(pid)
        assert ("127.0.0.1", proc_cluster.port) in before
        dash = client.dashboard(interval=0.05)
        try:
            assert sum(client.gather(client.map(inc, range(40)))) == sum(range(1, 41))
            waiter(
                lambda: dash.snapshot()["progress"].get("inc", {}).get("done") == 40, 20, "progress"
            )
            assert client.run_on_scheduler(
                lambda dask_scheduler: PLUGIN_NAME in dask_scheduler.plugins
            )
            after = listening(pid)
            assert after == before, f"new listening sockets on the scheduler: {after - before}"
        finally:
            dash.close()
