"""Runs in the benchmark process: clusters, browsers and CPU accounting.

The scheduler runs as its own process (``python -m distributed.cli.dask_scheduler``)
and the two workers under ``dask worker --nworkers 2`` (with nannies, as a
LocalCluster has them).  A ``LocalCluster(processes=True)`` keeps the scheduler
inside the process that also runs the Client and, here, the dashboard's
Listener, so its CPU could not be told apart from the kernel's; a separate
process makes "scheduler CPU" exactly the scheduler's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
]


def bench_env() -> dict[str, str]:
    """Environment for every cluster process: saturation off, repo importable."""
    env = dict(os.environ)
    env["DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION"] = "inf"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its live descendants (0 if gone)."""
    try:
        root = psutil.Process(pid)
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine so far."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def wait_quiet(threshold: float = 25.0, timeout: float = 3.0) -> float:
    """Wait until the machine's CPU use over 0.5 s is below ``threshold`` %."""
    deadline = time.monotonic() + timeout
    load = psutil.cpu_percent(interval=0.5)
    while load > threshold and time.monotonic() < deadline:
        load = psutil.cpu_percent(interval=0.5)
    return load


@dataclass
class CpuMeter:
    """CPU seconds of named process trees (and the machine) over a window."""

    pids: dict[str, int]
    start: dict[str, float] = field(default_factory=dict)

    def _read(self) -> dict[str, float]:
        out = {name: tree_cpu(pid) for name, pid in self.pids.items() if pid}
        out["machine"] = machine_cpu()
        out["wall"] = time.perf_counter()
        return out

    def __enter__(self) -> CpuMeter:
        self.start = self._read()
        return self

    def __exit__(self, *exc: object) -> None:
        end = self._read()
        self.used = {k: end[k] - self.start.get(k, end[k]) for k in end}
        others = sum(v for k, v in self.used.items() if k not in ("machine", "wall"))
        self.used["rest"] = max(self.used["machine"] - others, 0.0)


class ProcessCluster:
    """A scheduler process and ``nworkers`` single-threaded worker processes.

    ``dashboard=True`` serves Dask's Bokeh dashboard on a free loopback port
    (``dashboard_port``); otherwise the scheduler runs without it.
    """

    def __init__(self, dashboard: bool = False, nworkers: int = 2, nthreads: int = 1):
        self.dashboard = dashboard
        self.nworkers = nworkers
        self.nthreads = nthreads
        self.dir = tempfile.mkdtemp(prefix="dashmon-bench-")
        self.scheduler: subprocess.Popen | None = None
        self.workers: subprocess.Popen | None = None
        self.address = ""
        self.dashboard_port = 0

    def start(self) -> ProcessCluster:
        file = os.path.join(self.dir, "scheduler.json")
        dash = ["--dashboard-address", "127.0.0.1:0"] if self.dashboard else ["--no-dashboard"]
        with open(os.path.join(self.dir, "scheduler.log"), "w") as log:
            self.scheduler = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--scheduler-file",
                    file,
                    *dash,
                ],
                env=bench_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
            )
        deadline = time.monotonic() + 60
        while not os.path.exists(file) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)
        info = json.loads(Path(file).read_text())
        self.address = info["address"]
        self.dashboard_port = int(info.get("services", {}).get("dashboard", 0) or 0)
        with open(os.path.join(self.dir, "workers.log"), "w") as wlog:
            self.workers = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    self.address,
                    "--nworkers",
                    str(self.nworkers),
                    "--nthreads",
                    str(self.nthreads),
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    "--local-directory",
                    self.dir,
                ],
                env=bench_env(),
                stdout=wlog,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
            )
        return self

    @property
    def pids(self) -> dict[str, int]:
        return {
            "scheduler": self.scheduler.pid if self.scheduler else 0,
            "workers": self.workers.pid if self.workers else 0,
        }

    def close(self) -> None:
        for proc in (self.workers, self.scheduler):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    kill_tree(proc.pid)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> ProcessCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def kill_tree(pid: int) -> None:
    """Kill ``pid`` (a process this benchmark started) and its descendants."""
    try:
        root = psutil.Process(pid)
        procs = root.children(recursive=True) + [root]
    except psutil.Error:
        return
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(procs, timeout=5)


def drain(client, timeout: float = 60.0) -> None:
    """Wait until the scheduler holds no tasks (the last run was forgotten)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.run_on_scheduler(_task_count) == 0:
            return
        time.sleep(0.1)


def _task_count(dask_scheduler=None) -> int:
    return len(dask_scheduler.tasks)


class BokehPage:
    """Dask's ``/status`` page open in a headless Chromium of its own.

    Chromium is started as a separate process with the page as its only
    window; Playwright connects over CDP only to wait until the page has
    rendered, then disconnects, so no automation receives websocket frames
    during a timed window (BROWSER.md, "Measuring what a page costs").
    """

    def __init__(self, url: str):
        self.url = url
        self.proc: subprocess.Popen | None = None
        self.visibility = ""
        self.dir = tempfile.mkdtemp(prefix="dashmon-chromium-")

    def open(self, timeout: float = 60.0) -> BokehPage:
        from playwright.sync_api import sync_playwright

        port = free_port()
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                *CHROMIUM_FLAGS,
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.dir}",
                self.url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        with sync_playwright() as p:
            browser = None
            while browser is None:
                try:
                    browser = p.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            page = self._page(browser, deadline)
            page.wait_for_function(
                "() => window.Bokeh && Bokeh.documents.length > 0"
                " && Bokeh.documents[0].roots().length >= 3",
                timeout=timeout * 1000,
            )
            page.wait_for_timeout(1500)  # first data pushed and drawn
            self.visibility = page.evaluate("document.visibilityState")
            browser.close()  # disconnects; the page stays open in Chromium
        return self

    def _page(self, browser, deadline: float):
        while time.monotonic() < deadline:
            for ctx in browser.contexts:
                for page in ctx.pages:
                    if page.url.startswith(self.url.split("/status")[0]):
                        return page
            time.sleep(0.2)
        raise TimeoutError(f"Chromium never opened {self.url}")

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def close(self) -> None:
        if self.proc is not None:
            kill_tree(self.proc.pid)
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
