"""The collector runs on a scheduler whose Python cannot import jupyter_dashmon."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
import textwrap

import pytest
from distributed import Client

import jupyter_dashmon  # noqa: F401  (adds Client.dashboard)

# A scheduler process for which ``import jupyter_dashmon`` fails, as in an
# environment where the package is not installed.
SCHEDULER = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class Block(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "jupyter_dashmon" or name.startswith("jupyter_dashmon."):
                raise ModuleNotFoundError("No module named 'jupyter_dashmon' (blocked by the test)")
            return None

    sys.meta_path.insert(0, Block())
    sys.path = [p for p in sys.path if p not in ("", ".")]
    from distributed.cli.dask_scheduler import main
    sys.argv = ["dask-scheduler", "--host", "127.0.0.1", "--port", sys.argv[1], "--no-dashboard"]
    main()
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def bare_scheduler(tmp_path):
    port = free_port()
    # Open while the processes run: the test reads back what they logged.
    log = open(tmp_path / "scheduler.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-c", SCHEDULER, str(port)], cwd=tmp_path, stdout=log, stderr=log
    )
    address = f"tcp://127.0.0.1:{port}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            address,
            "--nthreads",
            "2",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
        ],
        cwd=tmp_path,
        stdout=log,
        stderr=log,
    )
    try:
        yield address, log
    finally:
        for p in (worker, proc):
            p.terminate()
        for p in (worker, proc):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


def test_collector_runs_without_the_package(bare_scheduler, waiter):
    address, log = bare_scheduler
    with Client(address, timeout="20s", set_as_default=False) as client:
        client.wait_for_workers(1, timeout=20)
        with pytest.raises(ModuleNotFoundError, match="blocked by the test"):
            client.run_on_scheduler(importlib.import_module, "jupyter_dashmon")
        dash = client.dashboard()
        try:
            futures = client.map(lambda x: x + 1, range(20))
            assert sum(client.gather(futures)) == sum(range(1, 21))
            waiter(lambda: dash.model.status.state == "live", timeout=20, what="live")
            waiter(
                lambda: sum(c["done"] for c in dash.snapshot()["progress"].values()) >= 20,
                timeout=20,
                what="progress from the bare scheduler",
            )
            assert len(dash.snapshot()["task_stream"]) >= 20
            assert dash.model.status.message == ""
        finally:
            dash.close()
        # Still not importable there: the collector arrived by value.
        with pytest.raises(ModuleNotFoundError):
            client.run_on_scheduler(importlib.import_module, "jupyter_dashmon")
    log.seek(0)
    text = log.read()
    # The scheduler never logged a failing plugin hook or transition.
    assert "Plugin failed" not in text and "Error transitioning" not in text
