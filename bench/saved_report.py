"""Runs in the benchmark process: what a saved report costs (``python -m bench.saved_report``).

For 1,000, 10,000 and 100,000 task records (keys as dask makes them, a name
and 32 hex digits; eight worker threads; five functions): the file's size,
the time to write it (wall and this process's CPU), and, in a fresh headless
Chromium per file with every network request blocked, the time from opening
the file to the Tasks page's first picture (the page's own clock) and to the
page being ready (wall, from Playwright).  Prints a table; the budgets of
issue 14 are 5 MB, 2 s to write and 2 s to draw at 100,000 tasks.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from jupyter_dashmon.aggregate.colors import assign_colors
from jupyter_dashmon.aggregate.task_windows import append_tasks
from jupyter_dashmon.collect.packing import pack_tasks
from jupyter_dashmon.config import resolve_options
from jupyter_dashmon.placement import report
from jupyter_dashmon.placement.recorder import dashboard_model

from .cluster import CHROMIUM, CHROMIUM_FLAGS

SIZES = (1_000, 10_000, 100_000)
PREFIXES = ("inc", "dec", "add", "random_sample", "mean_chunk")
CHROMIUM_ARGS = [flag for flag in CHROMIUM_FLAGS if not flag.startswith("--window-size")]


def model_of(n: int, threads: int = 8, seed: int = 0):
    """A model holding ``n`` back-to-back task records on ``threads`` worker threads."""
    rng = np.random.default_rng(seed)
    durations = 0.001 + rng.random(n) * 0.02
    thread = np.arange(n) % threads
    start = np.zeros(n)
    clock = np.full(threads, 1_700_000_000.0)
    for i in range(n):
        start[i] = clock[thread[i]]
        clock[thread[i]] += durations[i] + 0.0002
    prefix = [PREFIXES[i % len(PREFIXES)] for i in range(n)]
    columns = {
        "key": [f"{p}-{h:032x}" for p, h in zip(prefix, rng.integers(0, 2**63, n))],
        "prefix": prefix,
        "worker": [f"tcp://127.0.0.1:{40000 + t // 2}" for t in thread.tolist()],
        "thread": (100 + thread % 2).tolist(),
        "start": start.tolist(),
        "stop": (start + durations).tolist(),
        "code": [0] * n,
    }
    model = dashboard_model(resolve_options(history=max(n, 1000)))
    append_tasks(model.history, model.tasks, pack_tasks(columns), float(clock.max()))
    model.progress.colors = assign_colors({}, PREFIXES)
    return model


def write(n: int, folder: Path) -> tuple[Path, float, float]:
    model = model_of(n)
    path = folder / f"report-{n}.html"
    wall, cpu = time.perf_counter(), time.process_time()
    report.save(model, path)
    return path, time.perf_counter() - wall, time.process_time() - cpu


def open_in_chromium(path: Path) -> tuple[float, float, int]:
    """(ms from opening to the Tasks page's first picture, wall s until drawn, tasks drawn)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            tempfile.mkdtemp(),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = ctx.new_page()
            page.route(
                "**/*",
                lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
            )
            started = time.perf_counter()
            page.goto(path.as_uri() + "#page-tasks")
            figure = page.wait_for_selector("[data-figure=tasks][data-drawn]", timeout=60_000)
            wall = time.perf_counter() - started
            return (
                float(figure.get_attribute("data-first-drawn")),
                wall,
                int(figure.get_attribute("data-tasks")),
            )
        finally:
            ctx.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.saved_report")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--repeats", type=int, default=3, help="runs per size; the median is shown")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print("tasks     size MB  write s (wall / cpu)  open->Tasks drawn ms (page / wall)")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            runs = []
            for _ in range(args.repeats):
                path, wall, cpu = write(n, Path(folder))
                drawn, opened, shown = open_in_chromium(path)
                assert shown == n, f"the Tasks page drew {shown} of {n} tasks"
                runs.append((path.stat().st_size / 1e6, wall, cpu, drawn, opened * 1000))
            size, wall, cpu, drawn, opened = np.median(np.array(runs), axis=0)
            figures = f"{size:8.2f}  {wall:7.2f} / {cpu:5.2f}        {drawn:7.0f} / {opened:7.0f}"
            print(f"{n:>7,}  {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
