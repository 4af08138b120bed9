"""Runs in the kernel: the ``profile``, ``groups`` and ``metrics`` keys of ``snapshot()``.

Plain rows, one dict per frame or group, so a test or a report reads them
without knowing the columnar form the views draw from.
"""

from __future__ import annotations

from typing import Any

from .fine_metrics import compute_by_function
from .groups import PARTS

#: Profile frames in a snapshot at most (the widest first, in depth-first order).
SNAPSHOT_FRAMES = 2000


def profile_rows(frames: dict) -> list[dict[str, Any]]:
    """One dict per frame: name, filename, line_number, line, count, parent."""
    if not frames.get("count"):
        return []
    fields = ("name", "filename", "line_number", "line", "count", "parent")
    n = min(len(frames["count"]), SNAPSHOT_FRAMES)
    return [{f: frames[f][i] for f in fields} for i in range(n)]


def group_rows(table: dict) -> list[dict[str, Any]]:
    """One dict per group: name, prefix, total, the progress parts, nbytes,
    duration and ``dependencies`` (names of the groups it depends on)."""
    names = table.get("name", [])
    rows = []
    for i, name in enumerate(names):
        row: dict[str, Any] = {"name": name, "prefix": table["prefix"][i]}
        row["total"] = table["total"][i]
        row.update({part: table[part][i] for part in PARTS})
        row["nbytes"] = table["nbytes"][i]
        row["duration"] = table["duration"][i]
        row["dependencies"] = [names[d] for d in table["deps"][i]]
        rows.append(row)
    return rows


def views_snapshot(profile: Any, groups: Any, metrics: Any, memory: Any) -> dict[str, Any]:
    """The snapshot keys of the on-demand views (each as last fetched)."""
    return {
        "profile": {
            "source": profile.source,
            "worker": profile.worker,
            "function": profile.function,
            "window": profile.window,
            "enabled": bool(profile.frames.get("enabled", True)),
            "reason": str(profile.frames.get("reason", "")),
            "path": list(profile.path),
            "samples": int(profile.frames.get("count", [0])[0])
            if profile.frames.get("count")
            else 0,
            "frames": profile_rows(profile.frames),
        },
        "groups": {"groups": group_rows(groups.table), "hidden": groups.hidden},
        "metrics": {
            "run": metrics.run,
            "function": metrics.function,
            "seconds": dict(metrics.summary.get("seconds", {})),
            "bytes": dict(metrics.summary.get("bytes", {})),
            "compute_by_function": compute_by_function(metrics.rows),
            "bandwidth_types": dict(metrics.bandwidth_types),
            "bandwidth_workers": [list(row) for row in metrics.bandwidth_workers],
        },
        "cluster_memory": {
            **{name: list(values) for name, values in memory.series.items()},
            **memory.thresholds,
        },
    }
