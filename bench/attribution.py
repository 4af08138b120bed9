"""Runs in the benchmark process: what attributing work to cells costs, per task.

    python -m bench.attribution [TASKS] [ROUNDS]

A two-worker LocalCluster (worker processes; the scheduler in this process, so
its collector can be timed from here) with a dashboard open.  Each round
submits ``TASKS`` trivial tasks twice, once inside a run (as a notebook cell's
work is, through the task annotation) and once outside any run, and prints:

* scheduler side: CPU seconds of the scheduler's thread in the collector's
  run book (task arrival, the transitions it is given, every task record),
  less the timer's own cost, divided by tasks: the per-task cost of counting
  work by run (thread CPU time, so time lost to other threads holding the
  GIL is not counted);
* kernel side: seconds spent tagging the submission (entering and leaving
  the annotation once, and the hook that looks for a card), which do not
  grow with the number of tasks.

Medians over rounds; the machine is shared, so read ratios, not absolutes.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from typing import Any

import dask
from distributed import Client, LocalCluster, wait

from jupyter_dashmon.collect.messages import PLUGIN_NAME, RUN_ANNOTATION
from jupyter_dashmon.placement import cells


def noop(x: int) -> int:
    return x


class Timed:
    """Wraps methods of an object, adding up the seconds spent in them."""

    def __init__(self, target: Any, names: tuple[str, ...]):
        self.seconds = 0.0
        for name in names:
            setattr(target, name, self._wrap(getattr(target, name)))

    def _wrap(self, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.thread_time() - t0

        return timed


def wrapper_cost(calls: int = 100_000) -> float:
    """Seconds one timed call adds over a plain one (subtracted from the book's time)."""

    class Plain:
        def f(self) -> None:
            return None

    plain, timed = Plain(), Plain()
    Timed(timed, ("f",))
    t0 = time.thread_time()
    for _ in range(calls):
        plain.f()
    t1 = time.thread_time()
    for _ in range(calls):
        timed.f()
    t2 = time.thread_time()
    return max((t2 - t1) - (t1 - t0), 0.0) / calls


class Counted(Timed):
    """A :class:`Timed` that also counts calls."""

    def __init__(self, target: Any, names: tuple[str, ...]):
        self.calls = 0
        super().__init__(target, names)

    def _wrap(self, fn: Any) -> Any:
        timed = super()._wrap(fn)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return timed(*args, **kwargs)

        return counted


def one_round(client: Client, book: Counted, tasks: int, tag: int) -> dict[str, float]:
    overhead = wrapper_cost()
    out = {}
    for label, tagged in (("in a run", True), ("outside runs", False)):
        book.seconds, book.calls = 0.0, 0
        t0 = time.thread_time()
        if tagged:
            with dask.annotate(**{RUN_ANNOTATION: f"bench/{tag}"}):
                futures = client.map(noop, range(tasks), key=[f"n{tag}-{i}" for i in range(tasks)])
        else:
            futures = client.map(noop, range(tasks), key=[f"m{tag}-{i}" for i in range(tasks)])
        submit = time.thread_time() - t0
        wait(futures)
        del futures
        time.sleep(0.5)  # let the releases land in the book too
        spent = max(book.seconds - book.calls * overhead, 0.0)
        out[f"book us/task {label}"] = spent / tasks * 1e6
        out[f"book calls/task {label}"] = book.calls / tasks
        out[f"submit cpu s {label}"] = submit
    # The kernel's own part: the hook every submission passes through, per submission.
    t0 = time.thread_time()
    for _ in range(1000):
        cells._TRACKER.submitting(client)
    out["kernel us/submission"] = (time.thread_time() - t0) / 1000 * 1e6
    return out


def main(tasks: int = 20_000, rounds: int = 3) -> None:
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=None,
            host="127.0.0.1",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        dash = client.dashboard()
        deadline = time.monotonic() + 30
        while PLUGIN_NAME not in cluster.scheduler.plugins and time.monotonic() < deadline:
            time.sleep(0.05)
        # Wrapped once: wrapping again each round would time the old wrappers too.
        book = Counted(cluster.scheduler.plugins[PLUGIN_NAME].runs, ("add", "transition", "record"))
        figures: dict[str, list[float]] = {}
        for tag in range(rounds):
            for name, value in one_round(client, book, tasks, tag).items():
                figures.setdefault(name, []).append(value)
        dash.close()
    print(f"python -m bench.attribution {tasks} {rounds}")
    print(f"{'measure':<32} {'median':>10}   rounds")
    for name, values in figures.items():
        shown = ", ".join(f"{v:.3g}" for v in values)
        print(f"{name:<32} {statistics.median(values):>10.3g}   {shown}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
