"""Runs in the kernel: cluster memory over time, from the worker tables the collector sends.

Pure functions over plain data.  Each worker table (``messages.WorkerTable``,
sent with every resource sample) becomes one sample: managed, unmanaged (and
its recent part) and spilled bytes and the memory limits, summed over
workers.  The workers' spill and pause thresholds are fractions of their
limits, read from this kernel's ``distributed.worker.memory`` settings (the
workers' own are not sent; a LocalCluster's workers share them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dask.config
import numpy as np

#: The series kept (``unmanaged_recent`` is a part of ``unmanaged``), then the limit.
SERIES = ("managed", "unmanaged", "unmanaged_recent", "spilled")
#: The bands drawn, stacked in this order from the bottom, and their names on screen.
BANDS = {
    "managed": "managed",
    "unmanaged_old": "unmanaged old",
    "unmanaged_recent": "unmanaged recent",
    "spilled": "spilled",
}


def memory_sample(table: Mapping[str, Any]) -> dict[str, float] | None:
    """Summed managed, unmanaged, spilled bytes and limit of a worker table (None if empty)."""
    if not table or not table.get("address"):
        return None
    return {name: float(sum(table.get(name, []))) for name in (*SERIES, "memory_limit")}


def append_sample(
    series: Mapping[str, list], t: float, sample: Mapping[str, float], length: int
) -> dict[str, list]:
    """``series`` with ``sample`` at time ``t`` appended, at most ``length`` kept."""
    out = {}
    for name in ("time", *SERIES, "memory_limit"):
        values = list(series.get(name, [])) + [float(t if name == "time" else sample[name])]
        out[name] = values[-length:]
    return out


def bands(series: Mapping[str, list]) -> dict[str, np.ndarray]:
    """The height of each band of :data:`BANDS` at each time.

    Unmanaged memory splits into its old part and its recent part (never
    above the whole in distributed's readings; capped so that hand-made or
    damaged input cannot draw a band below its floor).
    """
    unmanaged = np.asarray(series["unmanaged"], float)
    recent = np.minimum(np.asarray(series["unmanaged_recent"], float), unmanaged)
    return {
        "managed": np.asarray(series["managed"], float),
        "unmanaged_old": unmanaged - recent,
        "unmanaged_recent": recent,
        "spilled": np.asarray(series["spilled"], float),
    }


def thresholds() -> dict[str, float]:
    """The workers' target, spill and pause fractions of their limits (False reads as 0)."""
    out = {}
    for name in ("target", "spill", "pause"):
        value = dask.config.get(f"distributed.worker.memory.{name}", False)
        out[name] = float(value) if value not in (None, False) else 0.0
    return out
