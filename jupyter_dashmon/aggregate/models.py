"""Runs in the kernel: the dashboard's state, declared as traitlets models.

The listener writes these; views observe them.  A model only declares state
(with its validation beside the trait), so one model can feed any number of
views at once: the inline cell output and the JupyterLab side panel show the
same model.
"""

from __future__ import annotations

import copy
from typing import Any

from traitlets import Dict, Enum, Float, HasTraits, Instance, Int, List, Unicode, validate


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
    max_bars : int
        Bars drawn at most; the rest are summarised as "+N more".
    """

    prefixes = Dict()
    colors = Dict()
    max_bars = Int(25, min=1, max=1000)


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
    """

    records = List()
    received = Int(0, min=0)
    generation = Int(0, min=0)
    origin = Float(0.0)
    now = Float(0.0)
    length = Int(1000, min=1)
    gap = Float(10.0, min=0.0)


class ResourcesModel(HasTraits):
    """Cluster-wide resource use over time, oldest first, at most ``length``.

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
    length : int
        Samples kept.
    """

    time = List(Float())
    cpu = List(Float())
    memory = List(Float())
    memory_limit = List(Float())
    network_read = List(Float())
    network_write = List(Float())
    length = Int(600, min=2)

    @validate("time", "cpu", "memory", "memory_limit", "network_read", "network_write")
    def _bounded(self, proposal: Any) -> list:
        return list(proposal["value"])[-self.length :]


class DashboardModel(HasTraits):
    """Everything one dashboard shows; what :meth:`Dashboard.snapshot` returns."""

    status = Instance(StatusModel, args=())
    progress = Instance(ProgressModel, args=())
    tasks = Instance(TaskStreamModel, args=())
    resources = Instance(ResourcesModel, args=())

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
                "resources": {
                    "time": res.time,
                    "cpu": res.cpu,
                    "memory": res.memory,
                    "memory_limit": res.memory_limit,
                    "network_read": res.network_read,
                    "network_write": res.network_write,
                },
            }
        )


def _progress_entry(counts: dict) -> dict[str, int]:
    return {k: int(v) for k, v in counts.items() if k != "nbytes"}
