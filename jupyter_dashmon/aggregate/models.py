"""Runs in the kernel: the dashboard's state, declared as traitlets models.

The listener writes these; views observe them.  A model only declares state
(with its validation beside the trait), so one model can feed any number of
views at once: the inline cell output and the JupyterLab side panel show the
same model.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Sequence
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
    default,
    validate,
)

from ..collect.messages import RESOURCE_FIELDS, WORKER_FIELDS
from ..config import DEFAULT_OPTIONS
from .history import TaskHistory, TaskRecord
from .views_snapshot import views_snapshot
from .work import RUN_LABELS, cell_rows, error_rows
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


class TaskHistoryModel(HasTraits):
    """The kernel's one store of task records.

    Attributes
    ----------
    history : TaskHistory
        Numpy columns of the last ``capacity`` task records; every task
        figure is a window over it.
    revision : int
        Bumped after every change to ``history`` (windows observe this).
    """

    history = Instance(TaskHistory, args=(DEFAULT_OPTIONS.history,))
    revision = Int(0, min=0)


class TaskStreamModel(HasTraits):
    """The recent task stream: a window over the last records of the store.

    Attributes
    ----------
    source : TaskHistoryModel
        The store the stream is a window of.
    records : list of TaskRecord
        The stream's records (read from ``source``), newest last, at most
        ``length``.  Assigning a list appends it to the store as a new
        stream generation.
    start : int
        Cursor in ``source`` where this generation's records begin.
    threads : list of int
        Store ids of the worker threads seen in this generation (each one
        a row of the stream), in order of first appearance.
    generation : int
        Bumped whenever the stream starts afresh (quiet gap, new scheduler).
    origin : float
        Time (seconds since the epoch) that x = 0 stands for in this generation.
    now : float
        The scheduler's clock at the last update, the right end of a live view.
    length : int
        Records in the stream (default 1000).
    gap : float
        Seconds of quiet after which the stream starts afresh (default 10).
    mode : {"live", "fixed"}
        ``live`` follows the newest tasks; ``fixed`` keeps showing ``window``
        (drawn from the whole store) whatever arrives.
    window : tuple of float
        ``(start, stop)`` in seconds since the epoch, used when ``mode`` is fixed.
    """

    source = Instance(TaskHistoryModel, args=())
    start = Int(0, min=0)
    threads = List(Int())
    generation = Int(0, min=0)
    origin = Float(0.0)
    now = Float(0.0)
    length = Int(DEFAULT_OPTIONS.task_stream_length, min=1)
    gap = Float(DEFAULT_OPTIONS.stream_gap, min=0.0)
    mode = Enum(["live", "fixed"], "live")
    window = Tuple(Float(0.0), Float(0.0))

    @validate("window")
    def _ordered(self, proposal: Any) -> tuple[float, float]:
        start, stop = proposal["value"]
        if not stop > start:
            raise ValueError(f"a task-stream window needs start < stop, got {start!r}, {stop!r}")
        return (float(start), float(stop))

    def first(self) -> int:
        """Cursor of the stream's oldest record in ``source``."""
        history = self.source.history
        return max(self.start, history.count - self.length, history.oldest())

    @property
    def records(self) -> list[TaskRecord]:
        """The stream's records, decoded afresh from the store (a copy)."""
        with self.source.history.lock:  # first() and the read agree on one count
            return self.source.history.records(since=self.first())

    @records.setter
    def records(self, records: Sequence[TaskRecord]) -> None:
        # For scripts and tests that fill a stream by hand; the listener goes
        # through task_windows.append_tasks.
        source = self.source
        before = source.history.count
        source.history.append_records(records)
        kept = source.history.since(before)
        with self.hold_trait_notifications():
            self.generation += 1
            self.start = before
            self.threads = list(dict.fromkeys(source.history.thread_id[kept].tolist()))
            if len(kept):
                self.origin = float(source.history.start[kept].min())
                self.now = max(self.now, float(source.history.stop[kept].max()))
        source.revision += 1


class TaskWindowModel(HasTraits):
    """What one task figure draws: segments over a window of the store.

    Written by :mod:`~jupyter_dashmon.aggregate.task_windows`; a view only
    draws it, and writes ``active`` (and, for the Tasks page, ``follow`` and
    ``window``).

    Attributes
    ----------
    active : bool
        Whether a figure shows this window; while False nothing is aggregated.
    segments : dict
        :class:`~.segments.Segments`: numpy columns x0, x1 (seconds after
        ``origin``), row, colour and the parts of the hover text; ``tasks``
        records drawn; ``aggregated`` whether runs of pixels.
    incremental : bool
        True when ``segments`` is the live stream, grown by appending.
    total : int
        Segments appended since ``epoch`` began (``segments`` holds the
        newest of them), so a figure can draw only what is new.
    epoch : int
        Bumped whenever ``segments`` is replaced rather than appended to.
    rows : int
        Worker-thread rows the figure needs.
    origin : float
        Seconds since the epoch that x = 0 stands for.
    span : tuple of float
        The x range to show, seconds after ``origin``.
    retained : int
        Records in the store when last computed.
    revision : int
        Bumped after every change of the above (figures observe this).
    follow : bool
        Tasks page: show the whole store and follow it, else ``window``.
    window : tuple of float
        Tasks page: ``(start, stop)`` in seconds since the epoch to show.
    run : int
        Tasks page: show only the records of this run index (0: all).
    """

    active = Bool(True)
    segments = Dict()
    incremental = Bool(False)
    total = Int(0, min=0)
    epoch = Int(0, min=0)
    rows = Int(0, min=0)
    origin = Float(0.0)
    span = Tuple(Float(0.0), Float(1.0))
    retained = Int(0, min=0)
    revision = Int(0, min=0)
    follow = Bool(True)
    window = Tuple(Float(0.0), Float(0.0))
    run = Int(0, min=0)


def _column_traits(name: str, fields: tuple[str, ...], trait: Any) -> Any:
    """A ``HasTraits`` base class with one trait ``trait()`` per name in ``fields``.

    Typed ``Any``: mypy cannot see traits made at run time, so attribute
    access on the subclasses is unchecked (traits read as descriptors anyway).
    """
    namespace = {field: trait() for field in fields} | {"__module__": __name__}
    return types.new_class(name, (HasTraits,), exec_body=lambda ns: ns.update(namespace))


class FloatList(List):
    """``List(Float())`` that lets a list of floats through without a trait call
    per item: resource columns hold hundreds of samples and are reassigned
    whole every second.  Anything else is checked item by item, as usual."""

    def __init__(self, **kwargs: Any):
        super().__init__(Float(), **kwargs)

    def validate_elements(self, obj: Any, value: Any) -> Any:
        if all(type(v) is float for v in value):
            return value
        return super().validate_elements(obj, value)


_ResourceColumnTraits: Any = _column_traits("ResourceColumnTraits", RESOURCE_FIELDS, FloatList)


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

    cost_time = FloatList()
    cost_percent = FloatList()
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
        unmanaged, unmanaged_recent, spilled, processing, in_memory, network_read,
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


class WorkModel(HasTraits):
    """Work by run (a cell's execution, a tracked block) and failed tasks by kind.

    Attributes
    ----------
    runs : dict
        ``{run name: RunCounts}`` as the collector counted them (what each
        name stands for is in :data:`~.work.RUN_LABELS`).
    errors : list
        ``ErrorGroup`` dicts, the most recent failure last.
    runs_kept, error_groups : int
        How many of each are kept.
    selected : str
        The run chosen in the Cells view ("" for all work): the task figures
        show only its tasks.
    """

    runs = Dict()
    errors: List[Any] = List()
    selected = Unicode("")
    runs_kept = Int(DEFAULT_OPTIONS.runs_kept, min=1)
    error_groups = Int(DEFAULT_OPTIONS.error_groups, min=1)


class ProfileModel(HasTraits):
    """The Profile tab: the workers' (or the scheduler's) statistical profile.

    Fetched from the scheduler only while ``active`` (the tab is on screen),
    every ``interval`` seconds and at once when a choice changes.

    Attributes
    ----------
    active : bool
        Whether a view shows this profile; while False nothing is fetched.
    source : {"workers", "scheduler"}
        The workers' task threads, or the scheduler's own event loop.
    worker : str
        Address of the one worker profiled ("" for all of them).
    function : str
        Task prefix whose tasks only are profiled ("" for all).
    window : float
        Seconds of the most recent profile shown (0: since the workers started).
    interval : float
        Seconds between refreshes while shown.
    frames : dict
        ``messages.ProfileFrames``: the profile as a flat tree.
    path : list of str
        Frame identifiers from the top to the frame zoomed into ([] for all).
    flame : dict
        What is drawn: ``flame.flame_rects`` of ``frames`` at ``path``.
    updated : float
        Seconds since the epoch of the last fetch.
    cost : float
        Scheduler seconds spent preparing profiles for this dashboard.
    """

    active = Bool(False)
    source = Enum(["workers", "scheduler"], "workers")
    worker = Unicode("")
    function = Unicode("")
    window = Float(60.0, min=0.0)
    interval = Float(5.0, min=0.5)
    frames = Dict()
    path = List(Unicode())
    flame = Dict()
    updated = Float(0.0)
    cost = Float(0.0, min=0.0)


class GroupsModel(HasTraits):
    """The Groups tab: task groups and their dependencies, with progress.

    Attributes
    ----------
    active : bool
        Whether a view shows the graph; while False nothing is fetched.
    limit : int
        Groups fetched at most (the largest by tasks).
    interval : float
        Seconds between refreshes while shown.
    table : dict
        ``messages.GroupTable`` as last fetched.
    nodes : dict
        ``groups.layout_groups`` of ``table``: positions, counts and edges.
    hidden : int
        Groups left out beyond ``limit``.
    cost : float
        Scheduler seconds spent on group tables for this dashboard.
    """

    active = Bool(False)
    limit = Int(1000, min=1, max=100_000)
    interval = Float(1.0, min=0.1)
    table = Dict()
    nodes = Dict()
    hidden = Int(0, min=0)
    cost = Float(0.0, min=0.0)


class MetricsModel(HasTraits):
    """The Metrics tab: fine performance metrics by activity, and bandwidth.

    Attributes
    ----------
    active : bool
        Whether a view shows them; while False nothing is fetched.
    interval : float
        Seconds between refreshes while shown.
    run : str
        The run (a cell's execution, a ``track`` block) whose tasks' metrics
        are shown, "" for all work.
    rows : list
        ``[context, function, activity, unit, value]`` (``MetricsReply.rows``)
        of ``run``.
    functions : list of str
        Functions with metrics, for the selector.
    function : str
        The function shown ("" for all work).
    summary : dict
        ``fine_metrics.by_activity`` of ``rows`` for ``function``.
    bandwidth_types : dict
        Measured transfer bandwidth by data type, bytes per second.
    bandwidth_workers : list
        ``[sender, receiver, bytes/s]``, fastest first.
    cost : float
        Scheduler seconds spent on metrics for this dashboard.
    """

    active = Bool(False)
    interval = Float(2.0, min=0.1)
    run = Unicode("")
    rows: List[Any] = List()
    functions = List(Unicode())
    function = Unicode("")
    summary = Dict()
    bandwidth_types = Dict()
    bandwidth_workers: List[Any] = List()
    cost = Float(0.0, min=0.0)


class ClusterMemoryModel(HasTraits):
    """The Cluster memory tab: managed, unmanaged (old and recent) and spilled bytes over time.

    Kept from every worker table the collector sends, shown or not (a sample
    is a few numbers); only drawing waits for the tab.

    Attributes
    ----------
    series : dict
        ``{"time", "managed", "unmanaged", "unmanaged_recent", "spilled",
        "memory_limit"}``, lists of equal length, summed over workers, oldest
        first (times in seconds since the epoch, sizes in bytes);
        ``unmanaged_recent`` is the recent part of ``unmanaged``.
    thresholds : dict
        ``{"target", "spill", "pause"}``: fractions of the memory limit
        (0: off).
    length : int
        Samples kept.
    """

    series = Dict()
    thresholds = Dict()
    length = Int(DEFAULT_OPTIONS.resource_length, min=2)


class DashboardModel(HasTraits):
    """Everything one dashboard shows; what :meth:`Dashboard.snapshot` returns."""

    status = Instance(StatusModel, args=())
    progress = Instance(ProgressModel, args=())
    tasks = Instance(TaskStreamModel)
    resources = Instance(ResourcesModel, args=())
    history = Instance(TaskHistoryModel, args=())
    workers = Instance(WorkersModel, args=())
    work = Instance(WorkModel, args=())
    profile = Instance(ProfileModel, args=())
    groups = Instance(GroupsModel, args=())
    metrics = Instance(MetricsModel, args=())
    cluster_memory = Instance(ClusterMemoryModel, args=())

    @default("tasks")
    def _stream_of_history(self) -> TaskStreamModel:
        return TaskStreamModel(source=self.history)

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
                "cells": cell_rows(self.work.runs, RUN_LABELS),
                "errors": error_rows(self.work.errors, RUN_LABELS),
                **views_snapshot(self.profile, self.groups, self.metrics, self.cluster_memory),
            }
        ) | {"tasks": self.history.history.records()}


def worker_rows(table: dict) -> list[dict[str, Any]]:
    """A columnar worker table as one dict per worker."""
    fields = list(table)
    return [dict(zip(fields, values)) for values in zip(*(table[f] for f in fields))]


def _progress_entry(counts: dict) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if k != "nbytes"}
