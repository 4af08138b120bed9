"""Runs in the kernel: fine performance metrics (``MetricsReply``) by activity.

Pure functions over plain data.  The workers measure, per task function,
where the time of running a task goes (thread CPU, thread non-CPU, the
executor, disk, (de)serialisation, other) and how many bytes it read; and,
for transfers, the time of fetching (``gather-dep``) and serving
(``get-data``) data.  :func:`by_activity` sums them for one function, or all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: How a ``(context, activity)`` is named on screen; others read "<context> <activity>".
ACTIVITY_NAMES = {
    ("execute", "thread-cpu"): "compute (CPU)",
    ("execute", "thread-noncpu"): "compute (not CPU)",
    ("execute", "executor"): "executor",
    ("execute", "other"): "other",
    ("execute", "disk-read"): "disk read",
    ("execute", "disk-write"): "disk write",
    ("execute", "memory-read"): "memory read",
    ("gather-dep", "network"): "transfer",
    ("gather-dep", "deserialize"): "transfer deserialize",
    ("gather-dep", "decompress"): "transfer decompress",
    ("gather-dep", "other"): "transfer other",
    ("gather-dep", "disk-write"): "transfer disk write",
    ("get-data", "network"): "send",
    ("get-data", "serialize"): "send serialize",
    ("get-data", "compress"): "send compress",
    ("get-data", "memory-read"): "send memory read",
    ("get-data", "disk-read"): "send disk read",
}


def activity_name(context: str, activity: str) -> str:
    return ACTIVITY_NAMES.get((context, activity), f"{context} {activity}")


def functions_of(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Functions that have metrics, by name."""
    return sorted({row[1] for row in rows if row[1]})


def by_activity(rows: Sequence[Sequence[Any]], function: str = "") -> dict[str, dict[str, float]]:
    """Seconds and bytes per activity, for ``function`` or ("") for all work.

    Returns ``{"seconds": {activity: s}, "bytes": {activity: b}}``, each in
    decreasing order.  Transfers are not tied to a function, so a chosen
    function shows its ``execute`` metrics only.
    """
    seconds: dict[str, float] = {}
    nbytes: dict[str, float] = {}
    for context, fn, activity, unit, value in rows:
        if function and fn != function:
            continue
        name = activity_name(context, activity)
        if unit == "seconds":
            seconds[name] = seconds.get(name, 0.0) + float(value)
        elif unit == "bytes":
            nbytes[name] = nbytes.get(name, 0.0) + float(value)
    return {
        "seconds": dict(sorted(seconds.items(), key=lambda kv: -kv[1])),
        "bytes": dict(sorted(nbytes.items(), key=lambda kv: -kv[1])),
    }


def bandwidth_pairs(workers: Sequence[Sequence[Any]], names: Mapping[str, str]) -> list[list]:
    """``[sender, receiver, bytes/s]`` with workers by name where known, fastest first."""
    return sorted(
        ([names.get(a, a), names.get(b, b), float(v)] for a, b, v in workers),
        key=lambda row: -row[2],
    )


#: What counts as running a task (``execute`` activities other than disk and memory reads).
COMPUTE = ("thread-cpu", "thread-noncpu", "executor", "other")


def compute_by_function(rows: Sequence[Sequence[Any]]) -> dict[str, float]:
    """Seconds spent running each function's tasks, largest first."""
    seconds: dict[str, float] = {}
    for context, fn, activity, unit, value in rows:
        if context == "execute" and unit == "seconds" and activity in COMPUTE:
            seconds[fn] = seconds.get(fn, 0.0) + float(value)
    return dict(sorted(seconds.items(), key=lambda kv: -kv[1]))


def memory_shares(prefixes: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """Each function's share (0..1) of the bytes in memory now, largest first."""
    held = {p: float(c.get("nbytes", 0) or 0) for p, c in prefixes.items()}
    total = sum(held.values())
    if not total:
        return {}
    return dict(sorted(((p, b / total) for p, b in held.items() if b > 0), key=lambda kv: -kv[1]))
