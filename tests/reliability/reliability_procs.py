"""Processes the reliability tests start and stop themselves (by pid, loopback only).

A scheduler and workers run as ``dask scheduler`` / ``dask worker`` subprocesses
on a fixed free loopback port, so a test can SIGKILL one and start another at
the same address.  Real IPython kernels come from ``jupyter_client``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env() -> dict[str, str]:
    """Environment for cluster processes and kernels: tests' workloads importable."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(TESTS), e.get("PYTHONPATH", "")) if p)
    return e


def start_scheduler(port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        ],
        stdout=log,
        stderr=log,
        env=env(),
    )


def start_worker(address: str, log, nthreads: int = 2) -> subprocess.Popen:
    """A worker without a nanny: its pid is the worker itself, so SIGKILL ends it for good."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_worker",
            address,
            "--nthreads",
            str(nthreads),
            "--no-dashboard",
            "--no-nanny",
            "--host",
            "127.0.0.1",
            "--death-timeout",
            "60",
        ],
        stdout=log,
        stderr=log,
        env=env(),
    )


def wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def sigkill(proc: subprocess.Popen) -> None:
    """SIGKILL one process we started, by its pid, and reap it."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(10)


def listening(pid: int) -> set[tuple[str, int]]:
    """(ip, port) of every TCP/UDP socket the process ``pid`` listens on."""
    conns = psutil.Process(pid).net_connections(kind="inet")
    return {(c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN}


class Kernel:
    """A real IPython kernel; :meth:`run` returns a cell's iopub messages."""

    def __init__(self):
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name="python3", env=env(), cwd=str(TESTS))
        self.outputs: list[dict] = []  # every iopub message seen, any parent

    @property
    def pid(self) -> int:
        return self.km.provisioner.process.pid

    def run(self, code: str, timeout: float = 120, allow_error: bool = False) -> list[dict]:
        """Execute ``code`` and return its iopub messages until idle."""
        msg_id = self.kc.execute(code)
        mine = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            self.outputs.append(msg)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            mine.append(msg)
            if msg["msg_type"] == "error" and not allow_error:
                raise AssertionError("cell failed: " + "\n".join(msg["content"]["traceback"]))
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return mine
        raise AssertionError(f"cell did not finish within {timeout}s: {code[:200]}")

    def value(self, expr: str, timeout: float = 120) -> str:
        """The printed text of ``print(expr)`` in the kernel."""
        out = self.run(f"print({expr})", timeout)
        return "".join(
            m["content"]["text"]
            for m in out
            if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
        ).strip()

    def drain(self, seconds: float = 0.5) -> None:
        """Collect iopub messages sent without a cell running (background threads)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                self.outputs.append(self.kc.get_iopub_msg(timeout=0.1))

    def problems(self) -> list[str]:
        """Exceptions, or tracebacks on stderr, that reached the notebook's output."""
        bad = []
        for m in self.outputs:
            if m["msg_type"] == "error":
                bad.append(
                    "error: " + m["content"].get("ename", "") + " " + m["content"].get("evalue", "")
                )
            elif (
                m["msg_type"] == "stream"
                and m["content"]["name"] == "stderr"
                and "Traceback" in m["content"]["text"]
            ):
                bad.append("stderr: " + m["content"]["text"][-1500:])
        return bad

    def close(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)
