"""Runs in the benchmark process: items 1 and 2, scheduler throughput and CPU.

One cluster (a scheduler process with Dask's Bokeh dashboard available, and
two single-threaded worker processes, ``worker-saturation: inf``) is started
once.  Four conditions take turns on it:

- ``none``: no dashboard open;
- ``plugin``: an empty ``SchedulerPlugin`` registered and nothing else: what
  distributed charges for calling one more plugin at every transition, the
  floor under any collector built as a plugin;
- ``dashmon``: a :class:`jupyter_dashmon.Dashboard` open on the Client in this
  process, polling at its default interval;
- ``bokeh``: Dask's own dashboard with ``/status`` open in a headless Chromium
  of its own (opened afresh each round, automation disconnected before timing).

Each round runs every condition once on the same scheduler process, in an
order rotated every round, and every comparison is made within a round, so
no comparison is between two scheduler processes.  The per-round spread of
"with minus without" stays at tens of microseconds a task all the same
(-22 to +68 us in session 18; -111 to +108 across processes in sessions 15
and 17): these rows cannot resolve a few microseconds in a sensible number
of rounds, and the sampling profile of the scheduler
(:mod:`.scheduler_profile`) is what attributes the collector's microseconds.
Before each window the bench checks that no plugin of another condition is
left on the scheduler, and after ``bokeh`` it waits until the scheduler is
idle again (a closed page's Bokeh session can go on updating for a few
seconds).

Within a condition: open the dashboard, measure an idle window (not for
``plugin``), then time each workload (20,000 independent ``inc`` tasks; a
pairwise-sum tree of about 20,000 tasks with transfers), with the CPU seconds
of the scheduler, workers, Chromium and this process over the same windows.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil
from distributed.diagnostics.plugin import SchedulerPlugin

from . import stats
from .cluster import BokehPage, CpuMeter, ProcessCluster, drain, wait_quiet
from .report import Row
from .tasks import inc, tree_graph

CONDITIONS = ("none", "plugin", "dashmon", "bokeh")
#: Conditions that get an idle window (an empty plugin costs nothing idle).
IDLE_CONDITIONS = ("none", "dashmon", "bokeh")


class EmptyPlugin(SchedulerPlugin):
    """A scheduler plugin that overrides nothing: distributed still calls its
    (inherited, empty) ``transition`` at every transition."""

    name = "dashmon-bench-empty"


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
    """What a condition opens on the cluster, and closes again after its windows."""

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

    @property
    def plugins(self) -> set[str]:
        """Names of the scheduler plugins this condition registers."""
        from jupyter_dashmon.collect.messages import PLUGIN_NAME

        return {"plugin": {EmptyPlugin.name}, "dashmon": {PLUGIN_NAME}}.get(self.name, set())

    def open(self) -> None:
        if self.name == "plugin":
            self.client.register_plugin(EmptyPlugin())
        elif self.name == "dashmon":
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
        if self.name == "plugin" and self.node is not None and self.node.client is not None:
            self.client.unregister_scheduler_plugin(EmptyPlugin.name)
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
    conditions: tuple[str, ...] = CONDITIONS,
    condition: Callable[[str], Condition] | None = None,
) -> list[Window]:
    """Run every round on one cluster; return all windows (idle ones have
    workload ``idle``).  ``condition`` makes a condition from its name (a
    subclass of :class:`Condition` for conditions of its own)."""
    node = Node()
    opened = {name: (condition or Condition)(name) for name in conditions}
    windows: list[Window] = []
    try:
        node.start()
        node.connect()
        for c in opened.values():
            c.node = node
        for r, order in enumerate(stats.rotated_orders(conditions, rounds)):
            for name in order:
                windows += _one(opened[name], r, tasks, workloads, idle, log)
    finally:
        for c in opened.values():
            with contextlib.suppress(Exception):
                c.close_view()
        node.close()
    return windows


def _plugins(dask_scheduler=None) -> list[str]:
    return sorted(dask_scheduler.plugins)


def _check_plugins(c: Condition) -> None:
    """Refuse to time a window with a plugin left over from another condition."""
    from jupyter_dashmon.collect.messages import PLUGIN_NAME

    extra = set(c.client.run_on_scheduler(_plugins)) & ({PLUGIN_NAME, EmptyPlugin.name} - c.plugins)
    if extra:
        raise RuntimeError(f"condition {c.name!r} would be timed with {sorted(extra)} registered")


def wait_scheduler_idle(c: Condition, below: float = 3.0, timeout: float = 60.0) -> float:
    """Wait until the scheduler process uses under ``below`` % of a core over
    a second (a closed ``/status`` page's Bokeh session runs on for up to about
    30 s); returns the last reading."""
    proc = psutil.Process(c.cluster.pids["scheduler"])
    deadline = time.monotonic() + timeout
    use = proc.cpu_percent(interval=1.0)
    while use >= below and time.monotonic() < deadline:
        use = proc.cpu_percent(interval=1.0)
    return use


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
        _check_plugins(c)
        if c.name in IDLE_CONDITIONS:
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
    if c.name == "bokeh":
        t0 = time.monotonic()
        use = wait_scheduler_idle(c)
        waited = time.monotonic() - t0
        log(f"  scheduler idle ({use:.1f} % of a core) {waited:.0f} s after /status closed")
    return out


def _present(per_round: list[dict]) -> list[str]:
    """The conditions that have a value in some round, in :data:`CONDITIONS` order."""
    seen = {c for r in per_round for c in r}
    return [c for c in CONDITIONS if c in seen]


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
            f"{c} {stats.median(r[c] for r in per_round if c in r):.2f}s"
            for c in _present(per_round)
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
        pn = stats.median(stats.throughput_ratios(per_round, "plugin", "none"))
        out.append(Row("1", f"throughput empty plugin/none ({what})", pn, "x", "", None))
        out.append(Row("1", f"throughput dashmon/bokeh ({what})", db, "x", ">= 1", db >= 1.0))
    out += _cpu_rows(windows, "idle", f"idle {idle:g} s")
    for wl in workloads:
        out += _cpu_rows(windows, wl, wl)
        out += _per_task_rows(windows, wl, tasks if wl == "independent" else 2 * (tasks // 2) - 1)
    return out


def _per_task_rows(windows: list[Window], workload: str, n: int) -> list[Row]:
    """Scheduler CPU per finished task that each condition adds to another in
    the same round, and the with/without ratio."""
    per_round = _by_round(windows, workload, lambda w: w.cpu.get("scheduler", 0.0))

    def extra(c: str, base: str) -> list[float]:
        return [(r[c] - r[base]) / n * 1e6 for r in per_round if c in r and base in r]

    def spread(values: list[float]) -> str:
        q1, q3 = stats.percentile(values, 25), stats.percentile(values, 75)
        return (
            f"middle half {q1:+.1f} to {q3:+.1f} us, all {min(values):+.1f} to "
            f"{max(values):+.1f}; {len(values)} rounds"
        )

    out = []
    dashmon = extra("dashmon", "none")
    if dashmon:
        med = stats.median(dashmon)
        out.append(
            Row(
                "2",
                f"scheduler CPU per task for dashmon ({workload})",
                med,
                "us",
                "<= 3 us",
                med <= 3.0,
                spread(dashmon),
            )
        )
        ratio = [r["dashmon"] / r["none"] for r in per_round if "dashmon" in r and r.get("none")]
        rmed = stats.median(ratio)
        out.append(
            Row(
                "2",
                f"scheduler CPU with dashmon / without ({workload})",
                rmed,
                "x",
                "<= 1.02",
                rmed <= 1.02,
                f"per round {min(ratio):.3f}-{max(ratio):.3f}; scheduler CPU without "
                f"{stats.median(r['none'] for r in per_round) / n * 1e6:.0f} us a task",
            )
        )
    for c, base, what in (
        ("plugin", "none", "an empty SchedulerPlugin (distributed's call of one more plugin)"),
        ("dashmon", "plugin", "dashmon beyond an empty plugin (the collector's own)"),
        ("bokeh", "none", "bokeh /status"),
    ):
        values = extra(c, base)
        if values:
            out.append(
                Row(
                    "2",
                    f"scheduler CPU per task for {what} ({workload})",
                    stats.median(values),
                    "us",
                    "",
                    None,
                    spread(values),
                )
            )
    return out


def _cpu_rows(windows: list[Window], workload: str, label: str) -> list[Row]:
    per_round = _by_round(windows, workload, lambda w: w.cpu.get("scheduler", 0.0))
    med = {c: stats.median(r[c] for r in per_round if c in r) for c in _present(per_round)}
    extra = {
        c: stats.median(r[c] - r["none"] for r in per_round if c in r and "none" in r)
        for c in ("dashmon", "bokeh")
    }
    detail = "scheduler CPU-s: " + ", ".join(f"{c} {v:.2f}" for c, v in med.items())
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
