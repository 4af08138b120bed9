"""Runs in the kernel: the dashboard's state, declared as traitlets models.

The listener writes these; views observe them.  A model only declares state
(with its validation beside the trait), so one model can feed any number of
views at once: the inline cell output and the JupyterLab side panel show the
same model.
"""

from __future__ import annotations

import copy
import types
from typing import Any

from traitlets import (
    Bool,
    Dict,
    Enum,
    Float,
    HasTraits,
    Instance,
    Int,
    List,
    TraitError,
    Tuple,
    Unicode,
    validate,
)

from ..collect.messages import RESOURCE_FIELDS, WORKER_FIELDS
from ..config import DEFAULT_OPTIONS
from .history import TaskHistory
from .workers import WORKER_SERIES_LENGTH, WorkerSeries


class StatusModel(HasTraits):
    """Where the dashboard's data comes from and whether it is flowing.

    Attributes
    ----------
    state : {"connecting", "live", "disconnected", "closed", "error"}
        ``disconnected`` while the scheduler cannot be reached (it is retried),
        ``error`` when the collector cannot run (a message says why),
        ``closed`` after :meth:`Dashboard.close` or when the Client closed.
    message : str
        Plain words for the user when something is wrong, else empty.
    scheduler : str
        The scheduler's address.
    workers : dict
        ``{address: {"name": str, "nthreads": int}}`` of connected workers.
    updated : float
        Seconds since the epoch of the last applied delta (the scheduler's clock).
    collector_cost : float
        Seconds the scheduler spent answering this dashboard's polls, in total.
    """

    state = Enum(["connecting", "live", "disconnected", "closed", "error"], "connecting")
    message = Unicode("")
    scheduler = Unicode("")
    workers = Dict()
    updated = Float(0.0)
    collector_cost = Float(0.0, min=0.0)


class ProgressModel(HasTraits):
    """Progress and memory per task prefix.

    Attributes
    ----------
    prefixes : dict
        ``{prefix: PrefixCounts}``: total, done, memory, released, erred,
        processing, waiting, queued, no_worker, nbytes (bytes in memory now).
    colors : dict
        ``{prefix: "#rrggbb"}``, shared by every figure.
    totals : dict
        Every ``PrefixCounts`` field summed over ``prefixes`` (kept in step
        with ``prefixes`` by the listener, without a pass over all prefixes).
    max_bars : int
        Bars drawn at most; the rest are summarised as "+N more".
    """

    prefixes = Dict()
    colors = Dict()
    totals = Dict()
    max_bars = Int(DEFAULT_OPTIONS.max_bars, min=1, max=1000)


class TaskStreamModel(HasTraits):
    """The recent task stream.

    Attributes
    ----------
    records : list of TaskRecord
        Newest last, at most ``length``.
    received : int
        Records appended since ``generation`` began (lets a view draw only
        what is new).
    generation : int
        Bumped whenever the stream starts afresh (quiet gap, new scheduler).
    origin : float
        Time (seconds since the epoch) that x = 0 stands for in this generation.
    now : float
        The scheduler's clock at the last update, the right end of a live view.
    length : int
        Records kept (default 1000).
    gap : float
        Seconds of quiet after which the stream starts afresh (default 10).
    mode : {"live", "fixed"}
        ``live`` follows the newest tasks; ``fixed`` keeps showing ``window``
        (drawn from the retained history) whatever arrives.
    window : tuple of float
        ``(start, stop)`` in seconds since the epoch, used when ``mode`` is fixed.
    """

    records = List()
    received = Int(0, min=0)
    generation = Int(0, min=0)
    origin = Float(0.0)
    now = Float(0.0)
    length = Int(1000, min=1)
    gap = Float(10.0, min=0.0)
    mode = Enum(["live", "fixed"], "live")
    window = Tuple(Float(0.0), Float(0.0))

    @validate("window")
    def _ordered(self, proposal: Any) -> tuple[float, float]:
        start, stop = proposal["value"]
        if not stop > start:
            raise ValueError(f"a task-stream window needs start < stop, got {start!r}, {stop!r}")
        return (float(start), float(stop))


class TaskHistoryModel(HasTraits):
    """The retained task history (the Tasks page), held once in the kernel.

    Attributes
    ----------
    history : TaskHistory
        Numpy columns of the last ``capacity`` task records.
    revision : int
        Bumped after every change to ``history`` (views observe this).
    """

    history = Instance(TaskHistory, args=(100_000,))
    revision = Int(0, min=0)


def _column_traits(name: str, fields: tuple[str, ...], trait: Any) -> Any:
    """A ``HasTraits`` base class with one trait ``trait()`` per name in ``fields``.

    Typed ``Any``: mypy cannot see traits made at run time, so attribute
    access on the subclasses is unchecked (traits read as descriptors anyway).
    """
    namespace = {field: trait() for field in fields} | {"__module__": __name__}
    return types.new_class(name, (HasTraits,), exec_body=lambda ns: ns.update(namespace))


_ResourceColumnTraits: Any = _column_traits(
    "ResourceColumnTraits", RESOURCE_FIELDS, lambda: List(Float())
)


class ResourcesModel(_ResourceColumnTraits):
    """Cluster-wide resource use over time, oldest first, at most ``length``.

    One ``List(Float())`` trait per column of ``messages.ResourceColumns``.

    Attributes
    ----------
    time : list of float
        Sample times, seconds since the epoch.
    cpu : list of float
        Mean CPU % over workers (100 = one core).
    memory, memory_limit : list of float
        Summed worker process memory and memory limits, bytes.
    network_read, network_write : list of float
        Summed host network traffic, bytes per second.
    scheduler_cpu, scheduler_memory : list of float
        The scheduler process's own CPU % and memory (bytes).
    loop_interval : list of float
        The scheduler's observed event-loop tick interval, seconds.
    n_workers, n_clients, n_tasks : list of float
        Connected workers and clients, tasks the scheduler knows.
    dashboard_seconds : list of float
        Scheduler time spent on dashboards so far (polls and hook), seconds.
    cost_time, cost_percent : list of float
        The dashboards' cost as % of one core between samples (the rate of
        ``dashboard_seconds``), and the sample time each value ends at.
    length : int
        Samples kept.
    """

    cost_time = List(Float())
    cost_percent = List(Float())
    length = Int(DEFAULT_OPTIONS.resource_length, min=2)

    @validate(*RESOURCE_FIELDS)
    def _bounded(self, proposal: Any) -> list:
        return list(proposal["value"])[-self.length :]


class WorkersModel(HasTraits):
    """The Workers page: every worker's latest reading and a chosen worker's detail.

    Attributes
    ----------
    table : dict
        Columnar ``messages.WorkerTable``: ``{field: [value per worker]}``
        (address, name, nthreads, cpu, memory, memory_limit, managed,
        unmanaged, spilled, processing, in_memory, network_read,
        network_write, disk_read, disk_write, last_seen), or empty.
    derived : dict
        ``table`` plus the columns the page adds, ``memory_pct`` (of the
        limit) and ``seen_ago`` (seconds before the freshest worker's report).
    total : dict
        The totals row: additive columns summed, mean CPU, ``memory_pct``.
    cpu_histogram, memory_histogram : dict
        CPU % and memory % over workers in equal bins from 0 to at least
        100: ``{"lo": [...], "hi": [...], "counts": [...], "labels": [...]}``.
    series : WorkerSeries
        Recent CPU, memory and network per worker (bounded per worker).
    revision : int
        Bumped whenever ``series`` changes.
    selected : str
        Address of the worker whose detail is shown ('' for none).
    detail : dict
        ``WorkerDetail`` of the selected worker: what it runs now.
    sort_by : str
        Table column to sort by; ``ascending`` its direction.
    summary_threshold : int
        From this many workers on, per-worker plots become a summary.
    """

    table = Dict()
    derived = Dict()
    total = Dict()
    cpu_histogram = Dict()
    memory_histogram = Dict()
    series = Instance(WorkerSeries, args=(WORKER_SERIES_LENGTH,))
    revision = Int(0, min=0)
    selected = Unicode("")
    detail = Dict()
    sort_by = Unicode("name")
    ascending = Bool(True)
    summary_threshold = Int(100, min=1)

    @validate("table")
    def _complete(self, proposal: Any) -> dict:
        table = proposal["value"]
        if table and set(table) != set(WORKER_FIELDS):
            raise TraitError(
                f"a worker table has the columns {', '.join(WORKER_FIELDS)}; got {', '.join(table)}"
            )
        return table


class DashboardModel(HasTraits):
    """Everything one dashboard shows; what :meth:`Dashboard.snapshot` returns."""

    status = Instance(StatusModel, args=())
    progress = Instance(ProgressModel, args=())
    tasks = Instance(TaskStreamModel, args=())
    resources = Instance(ResourcesModel, args=())
    history = Instance(TaskHistoryModel, args=())
    workers = Instance(WorkersModel, args=())

    def snapshot(self) -> dict[str, Any]:
        """A JSON-serialisable copy of the state as it is now."""
        prefixes = self.progress.prefixes
        res = self.resources
        return copy.deepcopy(
            {
                "status": {
                    "state": self.status.state,
                    "message": self.status.message,
                    "scheduler": self.status.scheduler,
                    "workers": self.status.workers,
                    "updated": self.status.updated,
                },
                "progress": {p: _progress_entry(c) for p, c in prefixes.items()},
                "memory": {p: int(c["nbytes"]) for p, c in prefixes.items() if c["nbytes"] > 0},
                "colors": self.progress.colors,
                "task_stream": list(self.tasks.records),
                "resources": {name: getattr(res, name) for name in RESOURCE_FIELDS},
                "workers": worker_rows(self.workers.table),
            }
        ) | {"tasks": self.history.history.records()}


def worker_rows(table: dict) -> list[dict[str, Any]]:
    """A columnar worker table as one dict per worker."""
    fields = list(table)
    return [dict(zip(fields, values)) for values in zip(*(table[f] for f in fields))]


def _progress_entry(counts: dict) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if k != "nbytes"}
