"""The scheduler process is SIGKILLed, then a new one starts at the same address."""

from __future__ import annotations

import logging
import time

import pytest
from distributed import Client
from reliability_procs import sigkill, stop
from workloads import inc, noop

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)
from jupyter_dashmon.collect.messages import PLUGIN_NAME, POLL_OP

#: Figures printed for the closing note (``pytest -s`` shows them).
FIGURES: dict[str, float] = {}


class _CountingRPC:
    def __init__(self, rpc, counter):
        self._rpc, self._counter = rpc, counter

    def __getattr__(self, name):
        if name == POLL_OP:
            self._counter.append(time.monotonic())
        return getattr(self._rpc, name)


class CountingClient:
    """The real Client, but every ``dashmon_poll`` the listener sends is timed."""

    def __init__(self, client: Client):
        self._client = client
        self.polls: list[float] = []

    def __getattr__(self, name):
        return getattr(self._client, name)

    @property
    def scheduler(self):
        return _CountingRPC(self._client.scheduler, self.polls)


def dashmon_records(caplog) -> list[logging.LogRecord]:
    return [
        r for r in caplog.records if r.name == "jupyter_dashmon" and r.levelno >= logging.WARNING
    ]


@pytest.mark.slow
def test_scheduler_lost_then_back_at_the_same_address(proc_cluster, waiter, caplog):
    caplog.set_level(logging.INFO, logger="jupyter_dashmon")
    with Client(proc_cluster.address, timeout="40s", set_as_default=False) as client:
        client.wait_for_workers(2, timeout=30)
        dash = client.dashboard(interval=0.1)
        counting = CountingClient(client)
        dash.listener.client = counting
        try:
            assert client.submit(inc, 1).result() == 2
            waiter(lambda: dash.model.status.state == "live", 20, "live")
            waiter(lambda: "inc" in dash.snapshot()["progress"], 20, "inc shown")
            caplog.clear()

            sigkill(proc_cluster.scheduler)
            killed = time.monotonic()
            while dash.model.status.state != "disconnected" and time.monotonic() - killed < 10:
                time.sleep(0.01)
            to_disconnected = time.monotonic() - killed
            FIGURES["seconds_to_disconnected"] = to_disconnected
            print(f"\ntime to 'disconnected': {to_disconnected:.3f} s")
            assert dash.model.status.state == "disconnected"
            assert to_disconnected < 5.0
            message = dash.model.status.message
            assert "Traceback" not in message and "\n" not in message and len(message) < 300
            assert "scheduler" in message.lower()

            # Several seconds without a scheduler: polls back off, one warning.
            window_start = time.monotonic()
            time.sleep(4.0)
            polls = [t for t in counting.polls if t >= window_start]
            print(f"polls in 4 s while disconnected: {len(polls)} (interval 0.1 s would be 40)")
            assert len(polls) <= 6, f"{len(polls)} polls in 4 s while the scheduler was gone"
            warnings = dashmon_records(caplog)
            assert len(warnings) == 1, [r.getMessage() for r in warnings]
            assert warnings[0].levelno == logging.WARNING and warnings[0].exc_info is None
            assert dash.model.status.state == "disconnected"

            # A new scheduler (and a worker) at the same address: the dashboard resumes.
            for worker in proc_cluster.workers:
                stop(worker)
            proc_cluster.workers.clear()
            proc_cluster.start_scheduler()
            proc_cluster.add_worker()
            waiter(lambda: client.status == "running", 40, "the Client to reconnect")
            client.wait_for_workers(1, timeout=30)
            waiter(lambda: dash.model.status.state == "live", 20, "the dashboard live again")
            assert client.run_on_scheduler(
                lambda dask_scheduler: (
                    PLUGIN_NAME in dask_scheduler.plugins and POLL_OP in dask_scheduler.handlers
                )
            )
            assert client.submit(noop, 5).result() == 5
            waiter(
                lambda: dash.snapshot()["progress"].get("noop", {}).get("done") == 1,
                20,
                "a new task in progress",
            )
            # The old scheduler's counts were dropped with its epoch.
            assert "inc" not in dash.snapshot()["progress"]
            assert dash.model.status.message == ""
        finally:
            dash.close()
