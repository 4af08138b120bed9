"""Runs in the kernel: work by run (cell execution, tracked block) and failures.

The collector counts each run's tasks under the run's name (see
:class:`~jupyter_dashmon.collect.messages.RunCounts`); what a name stands for
(which cell, its code) is known only here, in the kernel that tagged the
work: :data:`RUN_LABELS` is that one store, written by
:mod:`jupyter_dashmon.placement.cells` and read by every dashboard of the
kernel.  This module turns the two into the rows the Cells and Errors views
and ``snapshot()`` show.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from ..collect.messages import OTHER_RUN, ErrorGroup, RunCounts
from ..config import DEFAULT_OPTIONS

#: Activities a run's worker time is shown in, from the task-record actions.
ACTIVITY_OF = {
    "compute": "compute",
    "transfer": "transfer",
    "disk-read": "disk",
    "disk-write": "disk",
    "deserialize": "serialization",
    "other": "other",
}
ACTIVITIES = ("compute", "transfer", "disk", "serialization", "other")


class RunLabel(TypedDict, total=False):
    """What a run stands for: the cell's execution count (None outside cells),
    a name to show, the first line of its code, and the notebook's id of the
    cell when the frontend sends one (runs of one cell share it)."""

    cell: int | None
    name: str
    code: str
    cell_id: str


class RunLabels:
    """The kernel's runs, by name, oldest first, at most ``kept`` (thread-safe)."""

    def __init__(self, kept: int = DEFAULT_OPTIONS.runs_kept):
        self.kept = kept
        self._labels: OrderedDict[str, RunLabel] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, run: str, label: RunLabel) -> None:
        with self._lock:
            self._labels[run] = label
            while len(self._labels) > self.kept:
                self._labels.popitem(last=False)

    def get(self, run: str) -> RunLabel:
        with self._lock:
            label = self._labels.get(run)
        if label is not None:
            return label
        if run == OTHER_RUN:
            return {"cell": None, "name": "other", "code": ""}
        return {"cell": None, "name": "another kernel", "code": ""}


#: The one store of run labels of this kernel.
RUN_LABELS = RunLabels()


def first_line(code: str, limit: int = 120) -> str:
    """The first non-blank line of ``code``, cut to ``limit`` characters."""
    line = next((ln.strip() for ln in code.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


def merge_runs(
    runs: Mapping[str, RunCounts], changed: Mapping[str, RunCounts], kept: int
) -> dict[str, RunCounts]:
    """``runs`` updated with ``changed``, the ``kept`` most recently started."""
    out = {**runs, **changed}
    if len(out) > kept:
        newest = sorted(out, key=lambda name: out[name]["start"])[-kept:]
        out = {name: out[name] for name in newest}
    return out


def merge_errors(
    groups: Sequence[ErrorGroup], changed: Sequence[ErrorGroup], kept: int
) -> list[ErrorGroup]:
    """``groups`` with ``changed`` replacing their (prefix, exception) group,
    most recent failure last, at most ``kept``."""
    by_kind = {(g["prefix"], g["exception"]): g for g in groups}
    for group in changed:
        by_kind[(group["prefix"], group["exception"])] = group
    ordered = sorted(by_kind.values(), key=lambda g: g["last"])
    return ordered[-kept:]


def activity_seconds(seconds: Mapping[str, float]) -> dict[str, float]:
    """Worker seconds by activity (:data:`ACTIVITIES`) from seconds by action."""
    out = dict.fromkeys(ACTIVITIES, 0.0)
    for action, spent in seconds.items():
        out[ACTIVITY_OF.get(action, "other")] += float(spent)
    return out


def cell_rows(runs: Mapping[str, RunCounts], labels: RunLabels) -> list[dict[str, Any]]:
    """One row per run, newest first, as ``snapshot()["cells"]`` gives them."""
    rows = []
    for name, run in sorted(runs.items(), key=lambda item: item[1]["start"], reverse=True):
        if not run["total"]:
            continue
        label = labels.get(name)
        finished = run["done"] + run["erred"] >= run["total"]
        rows.append(
            {
                "run": name,
                "cell_id": label.get("cell_id") or label["code"],
                "cell": label["cell"],
                "name": label["name"],
                "code": label["code"],
                "start": run["start"],
                "stop": run["stop"] if finished else None,
                "total": run["total"],
                "done": run["done"],
                "erred": run["erred"],
                "bytes": run["bytes"],
                "cpu": activity_seconds(run["seconds"]),
                "prefixes": dict(run["prefixes"]),
                "finished": dict(run.get("finished", {})),
            }
        )
    return rows


def run_choices(rows: Sequence[Mapping[str, Any]], most: int) -> list[tuple[str, str]]:
    """``(label, run)`` for a chooser of runs: "In [3]: <first line>" or the
    ``track`` name, newest first, at most ``most`` (labels are plain text)."""
    return [
        ((f"{r['name']}: {r['code']}" if r["code"] else r["name"])[:80], r["run"])
        for r in rows[:most]
    ]


def previous_runs(rows: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """For each finished row (newest first), the previous finished run of the same cell."""
    out: dict[str, Mapping[str, Any]] = {}
    later: dict[str, Mapping[str, Any]] = {}
    for row in reversed(rows):  # oldest first
        if row["stop"] is None:
            continue
        earlier = later.get(row["cell_id"])
        if earlier is not None:
            out[row["run"]] = earlier
        later[row["cell_id"]] = row
    return out


def first_error(groups: Sequence[ErrorGroup], run: str) -> ErrorGroup | None:
    """The earliest group of failures of ``run``, if any."""
    mine = [g for g in groups if g["run"] == run]
    return min(mine, key=lambda g: g["first"]) if mine else None


def error_rows(groups: Sequence[ErrorGroup], labels: RunLabels) -> list[dict[str, Any]]:
    """One row per group of failures, most recent first, as ``snapshot()["errors"]``."""
    return [
        {
            "prefix": g["prefix"],
            "exception": g["exception"],
            "message": g["message"],
            "traceback": g["traceback"],
            "count": g["count"],
            "keys": list(g["keys"]),
            "workers": list(g["workers"]),
            "first": g["first"],
            "last": g["last"],
            "cell": labels.get(g["run"])["cell"],
        }
        for g in reversed(groups)
    ]
