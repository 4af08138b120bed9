"""Runs in the scheduler: one reading of workers' and the scheduler's resources.

Functions here read the scheduler's objects (``WorkerState.metrics`` from the
last heartbeat, ``WorkerState.memory``, the scheduler's own ``SystemMonitor``)
and return plain rows.  One pass over the workers serves the cluster-wide
sample and the worker table.  Values that are missing, NaN or infinite read
as 0, so a misbehaving worker cannot poison a sum.

Standard library only: shipped by value to the scheduler.
"""

from __future__ import annotations

import math
from typing import Any

#: Worker-table columns, in order (see ``messages.WorkerTable``).
WORKER_FIELDS = (
    "address",
    "name",
    "nthreads",
    "cpu",
    "memory",
    "memory_limit",
    "managed",
    "unmanaged",
    "spilled",
    "processing",
    "in_memory",
    "network_read",
    "network_write",
    "disk_read",
    "disk_write",
    "last_seen",
)

#: Cluster-wide sample columns, in order (the resources ring).
RESOURCE_FIELDS = (
    "time",
    "cpu",
    "memory",
    "memory_limit",
    "network_read",
    "network_write",
    "scheduler_cpu",
    "scheduler_memory",
    "loop_interval",
    "n_workers",
    "n_clients",
    "n_tasks",
    "dashboard_seconds",
)


def finite(value: Any) -> float:
    """``value`` as a float if it is a finite number, else 0.0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def _io(metrics: dict, group: str, direction: str) -> float:
    nested = metrics.get(group)
    if isinstance(nested, dict):
        return finite(nested.get(direction + "_bps"))
    return finite(metrics.get(f"{group}.{direction}_bps"))


def _last(monitor: Any, name: str) -> float:
    series = getattr(monitor, "quantities", {}).get(name)
    return finite(series[-1]) if series else 0.0


def worker_row(ws: Any) -> tuple:
    """One worker as a row of :data:`WORKER_FIELDS`."""
    metrics = ws.metrics if isinstance(ws.metrics, dict) else {}
    try:
        mem = ws.memory
        managed, unmanaged, spilled = mem.managed, mem.unmanaged, mem.spilled
    except Exception:
        managed = unmanaged = spilled = 0
    return (
        ws.address,
        str(ws.name),
        int(ws.nthreads),
        finite(metrics.get("cpu")),
        finite(metrics.get("memory")),
        finite(ws.memory_limit),
        finite(managed),
        finite(unmanaged),
        finite(spilled),
        len(ws.processing),
        len(ws.has_what),
        _io(metrics, "host_net_io", "read"),
        _io(metrics, "host_net_io", "write"),
        _io(metrics, "host_disk_io", "read"),
        _io(metrics, "host_disk_io", "write"),
        finite(ws.last_seen),
    )


def take_sample(scheduler: Any, now: float, dashboard_seconds: float) -> tuple[tuple, dict]:
    """A cluster-wide row of :data:`RESOURCE_FIELDS` and the worker table.

    The table is columnar: ``{field: [value per worker]}``.
    """
    rows = [worker_row(ws) for ws in scheduler.workers.values()]
    table = {field: [row[i] for row in rows] for i, field in enumerate(WORKER_FIELDS)}
    n = len(rows)
    cpu = sum(table["cpu"]) / n if n else 0.0
    monitor = getattr(scheduler, "monitor", None)
    sample = (
        now,
        cpu,
        sum(table["memory"]),
        sum(table["memory_limit"]),
        sum(table["network_read"]),
        sum(table["network_write"]),
        _last(monitor, "cpu"),
        _last(monitor, "memory"),
        finite(getattr(scheduler, "_tick_interval_observed", 0.0)),
        n,
        len(getattr(scheduler, "clients", ())),
        len(scheduler.tasks),
        dashboard_seconds,
    )
    return sample, table
