"""Runs in the scheduler: one reading of workers' and the scheduler's resources.

Functions here read the scheduler's objects (``WorkerState.metrics`` from the
last heartbeat, ``WorkerState.memory``, the scheduler's own ``SystemMonitor``)
and return plain rows, keyed by the column names that
:mod:`.messages` declares.  One pass over the workers serves the cluster-wide
sample and the worker table.  Values that are missing, NaN or infinite read
as 0, so a misbehaving worker cannot poison a sum.

Standard library only: shipped by value to the scheduler.
"""

from __future__ import annotations

import math
from typing import Any, cast

from .messages import RESOURCE_FIELDS, WORKER_FIELDS, WorkerTable


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


def worker_row(ws: Any) -> dict[str, Any]:
    """One worker's reading, keyed by :data:`~.messages.WORKER_FIELDS`."""
    metrics = ws.metrics if isinstance(ws.metrics, dict) else {}
    try:
        mem = ws.memory
        managed, unmanaged, spilled = mem.managed, mem.unmanaged, mem.spilled
        recent = mem.unmanaged_recent
    except Exception:
        managed = unmanaged = spilled = recent = 0
    return {
        "address": ws.address,
        "name": str(ws.name),
        "nthreads": int(ws.nthreads),
        "cpu": finite(metrics.get("cpu")),
        "memory": finite(metrics.get("memory")),
        "memory_limit": finite(ws.memory_limit),
        "managed": finite(managed),
        "unmanaged": finite(unmanaged),
        "unmanaged_recent": finite(recent),
        "spilled": finite(spilled),
        "processing": len(ws.processing),
        "in_memory": len(ws.has_what),
        "network_read": _io(metrics, "host_net_io", "read"),
        "network_write": _io(metrics, "host_net_io", "write"),
        "disk_read": _io(metrics, "host_disk_io", "read"),
        "disk_write": _io(metrics, "host_disk_io", "write"),
        "last_seen": finite(ws.last_seen),
    }


def take_sample(scheduler: Any, now: float, dashboard_seconds: float) -> tuple[tuple, WorkerTable]:
    """A cluster-wide row in :data:`~.messages.RESOURCE_FIELDS` order, and the
    worker table, columnar (``{field: [value per worker]}``) in
    :data:`~.messages.WORKER_FIELDS` order."""
    rows = [worker_row(ws) for ws in scheduler.workers.values()]
    table = {field: [row[field] for row in rows] for field in WORKER_FIELDS}
    n = len(rows)
    monitor = getattr(scheduler, "monitor", None)
    sample = {
        "time": now,
        "cpu": sum(table["cpu"]) / n if n else 0.0,
        "memory": sum(table["memory"]),
        "memory_limit": sum(table["memory_limit"]),
        "network_read": sum(table["network_read"]),
        "network_write": sum(table["network_write"]),
        "scheduler_cpu": _last(monitor, "cpu"),
        "scheduler_memory": _last(monitor, "memory"),
        "loop_interval": finite(getattr(scheduler, "_tick_interval_observed", 0.0)),
        "n_workers": n,
        "n_clients": len(getattr(scheduler, "clients", ())),
        "n_tasks": len(scheduler.tasks),
        "dashboard_seconds": dashboard_seconds,
    }
    return tuple(sample[field] for field in RESOURCE_FIELDS), cast(WorkerTable, table)
