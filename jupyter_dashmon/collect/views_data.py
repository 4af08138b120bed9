"""Runs in the scheduler: data for the views a kernel fetches only while they are shown.

The Profile, Groups and Metrics tabs do not ride on the collector's poll:
what they show is read from the scheduler's own state (the workers'
statistical profiles, ``Scheduler.task_groups``, the cumulative fine
performance metrics and measured bandwidths) when a kernel asks, a few times
a minute while one of these tabs is on screen, and never otherwise.  Each
answer says what preparing it cost the scheduler, and that time is added to
the collector's ``cost``, so the Scheduler tab's "Dashboard cost" counts it.

Standard library and ``distributed`` only: shipped by value to the scheduler.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from distributed import profile

from .messages import GROUPS_OP, METRICS_OP, PROFILE_OP, GroupTable, MetricsReply, ProfileFrames

#: Longest source-line text kept per frame.
LINE_LIMIT = 160
#: Frames kept at most in one profile answer.
MOST_FRAMES = 4000


def flatten_profile(tree: dict, min_share: float, most: int = MOST_FRAMES) -> ProfileFrames:
    """A ``distributed.profile`` tree as flat columns, depth first.

    Children are visited in decreasing count, so when ``most`` cuts the
    answer short it is the thinnest frames that go.  Iterative, so a deep
    stack cannot exhaust the recursion limit.
    """
    total = int(tree.get("count", 0) or 0)
    least = max(total * min_share, 1e-9)
    out: ProfileFrames = {
        "parent": [],
        "count": [],
        "name": [],
        "filename": [],
        "line_number": [],
        "line": [],
        "ident": [],
        "omitted": 0,
        "cost": 0.0,
        "enabled": True,
        "reason": "",
    }
    stack: list[tuple[dict, int]] = [(tree, -1)]
    while stack:
        node, parent = stack.pop()
        count = int(node.get("count", 0) or 0)
        if parent >= 0 and (count < least or len(out["count"]) >= most):
            out["omitted"] += 1
            continue
        desc = node.get("description") or {}
        index = len(out["count"])
        out["parent"].append(parent)
        out["count"].append(count)
        out["name"].append(str(desc.get("name", "")) if parent >= 0 else "all")
        out["filename"].append(str(desc.get("filename", "")))
        out["line_number"].append(int(desc.get("line_number", 0) or 0))
        out["line"].append(str(desc.get("line", "")).strip()[:LINE_LIMIT])
        out["ident"].append(str(node.get("identifier", "")))
        children = sorted(
            (node.get("children") or {}).values(), key=lambda c: c.get("count", 0)
        )  # popped last = visited first: the widest child
        stack.extend((child, index) for child in children)
    return out


def loop_profile_off(version: tuple[int, int]) -> str:
    """Why the scheduler's event loop has no profile, on a scheduler running Python ``version``.

    distributed starts the loop's profiler unless the configuration turns it
    off or the Python is 3.11 (its PR 8916): there, reading every thread's
    frame while sampling could deadlock the process (CPython issue 116969).
    """
    if version == (3, 11):
        return (
            "distributed does not profile the scheduler's event loop on Python 3.11 "
            "(the scheduler's Python here): sampling its threads can deadlock on 3.11 "
            "(CPython issue 116969). The workers' profile is not affected."
        )
    return (
        "The scheduler's event-loop profiler is off in its configuration "
        "(distributed.worker.profile.enabled)."
    )


#: Why the workers' profile is empty when no worker answers.
NO_WORKER = "No worker answered: the cluster has no workers now."


def group_table(task_groups: dict, limit: int) -> GroupTable:
    """The ``limit`` largest task groups (by tasks) and the dependencies among them."""
    rows = []
    for name, tg in task_groups.items():
        states = tg.states
        total = sum(states.values()) - states.get("forgotten", 0)
        rows.append((total, name, tg))
    hidden = max(len(rows) - limit, 0)
    if hidden:
        rows.sort(key=lambda row: -row[0])
        rows = rows[:limit]
    index = {name: i for i, (_, name, _) in enumerate(rows)}
    table: GroupTable = {
        "name": [],
        "prefix": [],
        "total": [],
        "memory": [],
        "released": [],
        "erred": [],
        "processing": [],
        "waiting": [],
        "nbytes": [],
        "duration": [],
        "deps": [],
        "hidden": hidden,
        "cost": 0.0,
    }
    for total, name, tg in rows:
        s = tg.states
        table["name"].append(str(name))
        table["prefix"].append(tg.prefix.name)
        table["total"].append(int(total))
        table["memory"].append(int(s.get("memory", 0)))
        table["released"].append(int(s.get("released", 0)))
        table["erred"].append(int(s.get("erred", 0)))
        table["processing"].append(int(s.get("processing", 0)))
        table["waiting"].append(
            int(s.get("waiting", 0) + s.get("queued", 0) + s.get("no-worker", 0))
        )
        table["nbytes"].append(int(tg.nbytes_total or 0))
        table["duration"].append(float(tg.duration or 0.0))
        table["deps"].append(sorted(index[d.name] for d in tg.dependencies if d.name in index))
    return table


def metric_rows(metrics: dict) -> list[list]:
    """``Scheduler.cumulative_worker_metrics`` as ``[context, function, activity, unit, value]``.

    Keys of ``execute`` metrics name the function (task prefix); the others
    (``gather-dep``, ``get-data``) do not.  Scalars (latency, overall
    bandwidth) are left out.
    """
    rows = []
    for key, value in metrics.items():
        if not isinstance(key, tuple):
            continue
        if len(key) == 4:
            context, function, activity, unit = key
        elif len(key) == 3:
            (context, activity, unit), function = key, ""
        else:
            continue
        rows.append([str(context), str(function), str(activity), str(unit), float(value)])
    return rows


def run_spans(
    by_tag: Mapping[str, Sequence[Any]], run: str, is_run: Callable[[str], bool]
) -> list[Any]:
    """The spans whose tasks are ``run``'s work: named with its tag, and not
    inside another run started within it (``track`` in a cell: that work is
    the inner run's, as the Cells view counts it)."""
    out = []
    for span in by_tag.get(run, ()):
        inner = span.name[span.name.index(run) + 1 :]
        if not any(is_run(tag) for tag in inner):
            out.append(span)
    return out


def span_metrics(spans: Iterable[Any]) -> dict:
    """The metrics the workers attributed to exactly these spans, summed.

    Each span's own ``_cumulative_worker_metrics``: the public property sums a
    span's whole subtree (which may hold a nested run) and adds an estimate
    of idle thread time that is no activity of the run's.
    """
    out: dict = {}
    for span in spans:
        for key, value in span._cumulative_worker_metrics.items():
            out[key] = out.get(key, 0) + value
    return out


class ViewsData:
    """The on-demand handlers of one collector (``DashmonPlugin``).

    :meth:`handlers` maps RPC names to them; the collector adds them to the
    scheduler with its own, and removes them with its own.  Their time is
    added to ``plugin.cost``.
    """

    def __init__(self, plugin: Any):
        self.plugin = plugin

    def handlers(self) -> dict[str, Any]:
        return {PROFILE_OP: self.profile, GROUPS_OP: self.groups, METRICS_OP: self.metrics}

    def _charge(self, t0: float) -> float:
        spent = time.perf_counter() - t0
        self.plugin.cost += spent
        return spent

    async def profile(
        self,
        workers: list[str] | None = None,
        key: str | None = None,
        start: float | None = None,
        stop: float | None = None,
        scheduler: bool = False,
        min_share: float = 0.002,
    ) -> ProfileFrames:
        """The workers' (or the scheduler's own event loop's) profile, flattened."""
        s = self.plugin.scheduler
        if scheduler:
            t0 = time.perf_counter()
            tree = await s.get_profile(scheduler=True, start=start, stop=stop)
            # The loop's profiler appends a (possibly empty) cycle every second;
            # never one means distributed did not start it.
            enabled = bool(len(getattr(s.io_loop, "profile", ())))
        else:
            # Asked unmerged so only the merge, done here, is charged to the
            # dashboard: the wait for the workers costs the scheduler nothing.
            trees = await s.get_profile(
                workers=workers or None, merge_workers=False, start=start, stop=stop, key=key
            )
            t0 = time.perf_counter()
            tree = profile.merge(*trees.values()) if trees else profile.create()
            # Workers that do not profile answer empty trees, like idle ones; only
            # no answer at all says there is nothing to show.
            enabled = bool(trees)
        frames = flatten_profile(tree, min_share)
        frames["enabled"] = enabled
        if not enabled:
            frames["reason"] = (
                loop_profile_off((sys.version_info[0], sys.version_info[1]))
                if scheduler
                else NO_WORKER
            )
        frames["cost"] = self._charge(t0)
        return frames

    def groups(self, limit: int = 1000) -> GroupTable:
        """The task groups the scheduler knows now (the largest ``limit``)."""
        t0 = time.perf_counter()
        table = group_table(self.plugin.scheduler.task_groups, limit)
        table["cost"] = self._charge(t0)
        return table

    def metrics(self, run: str = "") -> MetricsReply:
        """Fine performance metrics and bandwidths, summed since the cluster started.

        With ``run``, the metrics are only those of that run's tasks (the span
        named after it, see ``placement/cells.py``); bandwidths stay the cluster's.
        """
        t0 = time.perf_counter()
        s = self.plugin.scheduler
        if run:
            spans = s.extensions.get("spans")  # absent only if configured away
            by_tag = spans.spans_search_by_tag if spans is not None else {}
            metrics = span_metrics(run_spans(by_tag, run, self.plugin.runs.runs.__contains__))
        else:
            metrics = s.cumulative_worker_metrics
        reply: MetricsReply = {
            "run": run,
            "rows": metric_rows(metrics),
            "bandwidth_types": {str(k): float(v) for k, v in s.bandwidth_types.items()},
            "bandwidth_workers": [
                [str(a), str(b), float(v)] for (a, b), v in s.bandwidth_workers.items()
            ],
            "cost": 0.0,
        }
        reply["cost"] = self._charge(t0)
        return reply
