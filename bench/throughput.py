"""Runs in the benchmark process: items 1 and 2, scheduler throughput and CPU.

Three identical clusters (a scheduler process with Dask's Bokeh dashboard
available, and two single-threaded worker processes, ``worker-saturation:
inf``) are started once.  Three conditions:

- ``none``: no dashboard open;
- ``dashmon``: a :class:`jupyter_dashmon.Dashboard` open on the Client in this
  process, polling every 100 ms;
- ``bokeh``: Dask's own dashboard with ``/status`` open in a headless Chromium
  of its own (opened afresh each round, automation disconnected before timing).

Each round runs every condition once, in an order rotated every round, and
the condition-to-cluster assignment rotates too, so that no condition keeps a
faster or slower cluster: every condition meets every cluster.  Within
a condition: open the dashboard, measure an idle window, then time each
workload (20,000 independent ``inc`` tasks; a pairwise-sum tree of about
20,000 tasks with transfers), with the CPU seconds of the scheduler, workers,
Chromium and this process over the same windows.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import stats
from .cluster import BokehPage, CpuMeter, ProcessCluster, drain, wait_quiet
from .report import Row
from .tasks import inc, tree_graph

CONDITIONS = ("none", "dashmon", "bokeh")


@dataclass
class Window:
    """One timed window: wall seconds and CPU seconds per process group."""

    condition: str
    workload: str
    round: int
    wall: float
    cpu: dict[str, float]
    extra: dict[str, float] = field(default_factory=dict)


def independent(client, n: int, tag: str) -> None:
    from distributed import wait

    futures = client.map(inc, range(n), pure=False)
    wait(futures)
    del futures


def tree(client, n: int, tag: str) -> None:
    dsk, root = tree_graph(max(n // 2, 2), tag=tag)
    client.get(dsk, root)


WORKLOADS: dict[str, Callable] = {"independent": independent, "tree": tree}


class Node:
    """One cluster and a Client on it."""

    def __init__(self) -> None:
        self.cluster = ProcessCluster(dashboard=True)
        self.client = None

    def start(self) -> None:
        self.cluster.start()

    def connect(self) -> None:
        from distributed import Client

        self.client = Client(self.cluster.address, timeout="60s")
        self.client.wait_for_workers(self.cluster.nworkers, timeout=120)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        self.cluster.close()


class Condition:
    """What a condition opens, on whichever cluster it is given this round."""

    def __init__(self, name: str):
        self.name = name
        self.node: Node | None = None
        self.dashboard = None
        self.page: BokehPage | None = None

    @property
    def cluster(self) -> ProcessCluster:
        assert self.node is not None
        return self.node.cluster

    @property
    def client(self):
        assert self.node is not None
        return self.node.client

    def open(self) -> None:
        if self.name == "dashmon":
            from jupyter_dashmon import Dashboard

            self.dashboard = Dashboard(self.client)
            deadline = time.monotonic() + 30
            while self.dashboard.listener.polls < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.dashboard.model.status.state != "live":
                raise RuntimeError(f"dashboard not live: {self.dashboard.model.status.message}")
        elif self.name == "bokeh":
            self.page = BokehPage(f"http://127.0.0.1:{self.cluster.dashboard_port}/status").open()
            if self.page.visibility != "visible":
                raise RuntimeError(f"/status page is {self.page.visibility}, not visible")

    def close_view(self) -> None:
        if self.dashboard is not None:
            self.dashboard.close()
            self.dashboard = None
        if self.page is not None:
            self.page.close()
            self.page = None

    @property
    def pids(self) -> dict[str, int]:
        pids = dict(self.cluster.pids)
        pids["chromium"] = self.page.pid if self.page else 0
        pids["bench"] = os.getpid()
        return pids


def measure(
    rounds: int,
    tasks: int,
    workloads: tuple[str, ...],
    idle: float,
    log: Callable[[str], None] = print,
) -> list[Window]:
    """Run every round; return all windows (idle ones have workload ``idle``)."""
    conditions = {name: Condition(name) for name in CONDITIONS}
    nodes = [Node() for _ in CONDITIONS]
    windows: list[Window] = []
    try:
        for node in nodes:
            node.start()
        for node in nodes:
            node.connect()
        for r, order in enumerate(stats.rotated_orders(CONDITIONS, rounds)):
            for i, name in enumerate(CONDITIONS):
                conditions[name].node = nodes[(i + r) % len(nodes)]
            for name in order:
                windows += _one(conditions[name], r, tasks, workloads, idle, log)
    finally:
        for c in conditions.values():
            c.close_view()
        for node in nodes:
            node.close()
    return windows


def _one(
    c: Condition,
    r: int,
    tasks: int,
    workloads: tuple[str, ...],
    idle: float,
    log: Callable[[str], None],
) -> list[Window]:
    out = []
    wait_quiet()
    c.open()
    try:
        with CpuMeter(c.pids) as meter:
            time.sleep(idle)
        out.append(Window(c.name, "idle", r, meter.used["wall"], meter.used))
        for w in workloads:
            drain(c.client)
            cost0 = c.dashboard.model.status.collector_cost if c.dashboard else 0.0
            with CpuMeter(c.pids) as meter:
                WORKLOADS[w](c.client, tasks, tag=f"-{c.name}-{r}")
            extra = {}
            if c.dashboard is not None:
                time.sleep(0.3)  # the last poll's cost arrives with the next delta
                extra["poll_cost"] = c.dashboard.model.status.collector_cost - cost0
            out.append(Window(c.name, w, r, meter.used["wall"], meter.used, extra))
            log(
                f"  round {r} {c.name:8s} {w:12s} {meter.used['wall']:6.2f} s, "
                f"scheduler {meter.used.get('scheduler', 0):5.2f} CPU-s"
            )
        drain(c.client)
    finally:
        c.close_view()
    return out


def _by_round(windows: list[Window], workload: str, value: Callable[[Window], float]) -> list[dict]:
    rounds: dict[int, dict[str, float]] = {}
    for w in windows:
        if w.workload == workload:
            rounds.setdefault(w.round, {})[w.condition] = value(w)
    return [rounds[r] for r in sorted(rounds)]


def headline(windows: list[Window]) -> tuple[float, float]:
    """Median throughput ratios (dashmon/none, bokeh/none), independent tasks."""
    per_round = _by_round(windows, "independent", lambda w: w.wall)
    return (
        stats.median(stats.throughput_ratios(per_round, "dashmon", "none")),
        stats.median(stats.throughput_ratios(per_round, "bokeh", "none")),
    )


def rows(windows: list[Window], tasks: int, idle: float) -> list[Row]:
    """Table rows for items 1 and 2."""
    out: list[Row] = []
    n_rounds = len({w.round for w in windows})
    workloads = sorted({w.workload for w in windows} - {"idle"}, key=list(WORKLOADS).index)
    for wl in workloads:
        per_round = _by_round(windows, wl, lambda w: w.wall)
        what = (
            f"{tasks:,} independent"
            if wl == "independent"
            else f"tree, {2 * (tasks // 2) - 1:,} tasks"
        )
        times = ", ".join(
            f"{c} {stats.median(r[c] for r in per_round if c in r):.2f}s" for c in CONDITIONS
        )
        dn = stats.median(stats.throughput_ratios(per_round, "dashmon", "none"))
        bn = stats.median(stats.throughput_ratios(per_round, "bokeh", "none"))
        db = stats.median(stats.throughput_ratios(per_round, "dashmon", "bokeh"))
        detail = f"median times {times}; {n_rounds} rounds"
        spread = stats.throughput_ratios(per_round, "dashmon", "none")
        detail += f"; per round {min(spread):.3f}-{max(spread):.3f}"
        out.append(
            Row("1", f"throughput dashmon/none ({what})", dn, "x", ">= 0.97", dn >= 0.97, detail)
        )
        out.append(Row("1", f"throughput bokeh/none ({what})", bn, "x", "", None))
        out.append(Row("1", f"throughput dashmon/bokeh ({what})", db, "x", ">= 1", db >= 1.0))
    out += _cpu_rows(windows, "idle", f"idle {idle:g} s")
    for wl in workloads:
        out += _cpu_rows(windows, wl, wl)
        out += _per_task_rows(windows, wl, tasks if wl == "independent" else 2 * (tasks // 2) - 1)
    return out


def _per_task_rows(windows: list[Window], workload: str, n: int) -> list[Row]:
    """Scheduler CPU spent on monitoring per finished task, and with/without, by round."""
    per_round = [
        r
        for r in _by_round(windows, workload, lambda w: w.cpu.get("scheduler", 0.0))
        if "none" in r
    ]
    out = []
    for c, target in (("dashmon", 3.0), ("bokeh", None)):
        extra = [(r[c] - r["none"]) / n * 1e6 for r in per_round if c in r]
        ratio = [r[c] / r["none"] for r in per_round if c in r and r["none"] > 0]
        med, rmed = stats.median(extra), stats.median(ratio)
        detail = (
            f"per round {min(extra):+.1f} to {max(extra):+.1f} us; scheduler CPU with/without "
            f"{rmed:.3f} (per round {min(ratio):.3f}-{max(ratio):.3f}); {len(extra)} rounds"
        )
        if target is None:
            out.append(
                Row(
                    "2",
                    f"scheduler CPU per task for bokeh /status ({workload})",
                    med,
                    "us",
                    "",
                    None,
                    detail,
                )
            )
            continue
        out.append(
            Row(
                "2",
                f"scheduler CPU per task for dashmon ({workload})",
                med,
                "us",
                "<= 3 us",
                med <= target,
                detail,
            )
        )
        out.append(
            Row(
                "2",
                f"scheduler CPU with dashmon / without ({workload})",
                rmed,
                "x",
                "<= 1.02",
                rmed <= 1.02,
                f"per round {min(ratio):.3f}-{max(ratio):.3f}",
            )
        )
    return out


def _cpu_rows(windows: list[Window], workload: str, label: str) -> list[Row]:
    per_round = _by_round(windows, workload, lambda w: w.cpu.get("scheduler", 0.0))
    med = {c: stats.median(r[c] for r in per_round if c in r) for c in CONDITIONS}
    extra = {
        c: stats.median(r[c] - r["none"] for r in per_round if c in r and "none" in r)
        for c in ("dashmon", "bokeh")
    }
    detail = "scheduler CPU-s: " + ", ".join(f"{c} {med[c]:.2f}" for c in CONDITIONS)
    if workload != "idle":
        cost = [
            w.extra["poll_cost"]
            for w in windows
            if w.workload == workload and "poll_cost" in w.extra
        ]
        detail += f"; dashmon's own poll handler {stats.median(cost):.3f} s"
        others = _by_round(windows, workload, lambda w: w.cpu.get("chromium", 0.0))
        detail += f"; Chromium {stats.median(r.get('bokeh', 0.0) for r in others):.1f} CPU-s"
        target_d = "< bokeh's"
        met = extra["dashmon"] < extra["bokeh"]
    else:
        wall = stats.median(w.wall for w in windows if w.workload == "idle")
        target_d = "~0 (< 1% of a core)"
        met = extra["dashmon"] < 0.01 * wall and extra["dashmon"] < extra["bokeh"]
    return [
        Row(
            "2",
            f"scheduler CPU for dashmon, {label}",
            extra["dashmon"],
            "CPU-s",
            target_d,
            met,
            detail,
        ),
        Row("2", f"scheduler CPU for bokeh /status, {label}", extra["bokeh"], "CPU-s", "", None),
    ]
