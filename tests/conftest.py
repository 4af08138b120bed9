"""Shared fixtures: a real LocalCluster with worker processes, Clients on it, and a
real IPython kernel."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from distributed import Client, LocalCluster
from jupyter_client.manager import start_new_kernel


@pytest.fixture(scope="session")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes with two threads each, as the upstream example uses."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=2,
        processes=True,
        dashboard_address=None,
        host="127.0.0.1",
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster


@pytest.fixture
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster, set_as_default=False) as client:
        yield client
        client.cancel(list(client.futures))


def wait_for(
    predicate: Callable[[], object], timeout: float = 10.0, what: str = "condition"
) -> None:
    """Poll ``predicate`` until it is truthy; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def kernel() -> Iterator[Any]:
    """A real IPython kernel's client; the cells the test runs define ``client``
    and ``cluster``, which are closed before the kernel is shut down."""
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        yield kc
    finally:
        kc.execute("client.close(); cluster.close()")
        time.sleep(1)
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture
def waiter() -> Callable[..., None]:
    return wait_for


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    Playwright's synchronous API keeps an asyncio loop marked as running in
    the main thread for as long as its (session-wide) browser lives; tests
    after it would find a "running" loop that never runs their callbacks.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
