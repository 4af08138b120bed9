"""Runs in the scheduler: work per run and failures per kind, kept small.

A *run* is what one notebook cell execution (or one ``jupyter_dashmon.track``
block) submitted: the kernel tags its submissions with the
:data:`~.messages.RUN_ANNOTATION` annotation, which ``distributed`` applies to
every task of the submission, and :class:`RunBook` counts the tasks, results,
failures, bytes and worker time of each run.  Untagged work is the run
:data:`~.messages.OTHER_RUN`.  :class:`ErrorBook` groups failed tasks by
function and exception type.

Both keep a bounded number of entries (the oldest go first) and remember which
entries changed, so a poll answers with those only.  Per task they cost one
dictionary operation when the task arrives and when it finishes.

Standard library only: shipped by value to the scheduler.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .messages import OTHER_RUN, ErrorGroup, RunCounts

#: Workers an error group names at most.
GROUP_WORKERS = 8
#: Keys an error group names at most.
GROUP_KEYS = 5
#: Longest traceback text kept (characters; the end, where the raise is, is kept).
TRACEBACK_CHARS = 8000
#: Longest exception message kept (characters).
MESSAGE_CHARS = 2000

#: States from which a task submitted again is not new work.
_COMPUTED = frozenset({"memory", "erred"})


def _clip_end(text: str, limit: int) -> str:
    return text if len(text) <= limit else "\u2026" + text[-(limit - 1) :]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


class _Changes:
    """Entries stamped with the version at which they last changed."""

    def __init__(self) -> None:
        self.touched: dict[str, None] = {}  # ordered: most recent change last
        self.versions: dict[str, int] = {}

    def flush(self, version: int) -> None:
        for name in self.touched:
            self.versions.pop(name, None)
            self.versions[name] = version
        self.touched = {}

    def touch(self, name: str) -> None:
        self.touched.pop(name, None)
        self.touched[name] = None

    def drop(self, name: str) -> None:
        self.versions.pop(name, None)
        self.touched.pop(name, None)

    def since(self, version: int) -> list[str]:
        """Names changed after ``version``, most recent last."""
        out = []
        for name, changed in reversed(self.versions.items()):
            if changed <= version:
                break
            out.append(name)
        out.reverse()
        return out


class RunBook:
    """Counts per run, from the run annotation of each task (see module doc).

    A task counts for its run from :meth:`add` until it finishes (or is
    forgotten): the book holds one reference per task still to finish.
    """

    def __init__(self, kept: int):
        self.kept = kept
        self.runs: dict[str, RunCounts] = {}
        self._run_of: dict[Any, RunCounts] = {}  # tasks of a run still to finish
        #: The same map: the collector's hook drops forgotten tasks from it directly.
        self.run_of_map = self._run_of
        self._next_index = 0
        self.changes = _Changes()

    def add(
        self, tasks: Iterable[Any], runs: Mapping[Any, Any], states: Mapping[Any, Any], now: float
    ) -> dict[str, int]:
        """Tasks entering the scheduler, with their run annotation (``runs``).

        Returns the number of tasks counted (the new work) per prefix."""
        run_of = self._run_of
        seen: dict[str, int] = {}
        found: dict[Any, RunCounts] = {}  # a submission is mostly one run: look it up once
        for key in tasks:
            if key in run_of:
                continue
            ts = states.get(key)
            if ts is None or ts.state in _COMPUTED:
                continue
            name = runs.get(key)
            run = found.get(name)
            if run is None:
                run = found[name] = self._run(
                    name if isinstance(name, str) and name else OTHER_RUN, now
                )
            run_of[key] = run
            run["total"] += 1
            prefixes = run["prefixes"]
            prefix = ts.group.prefix.name
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            seen[prefix] = seen.get(prefix, 0) + 1
        return seen

    def _run(self, name: str, now: float) -> RunCounts:
        run = self.runs.get(name)
        if run is None:
            # Record columns hold the index in two bytes; 0 stands for no run.
            self._next_index = self._next_index % 0xFFFF + 1
            run = self.runs[name] = {
                "name": name,
                "index": self._next_index,
                "total": 0,
                "done": 0,
                "erred": 0,
                "bytes": 0,
                "start": now,
                "stop": now,
                "prefixes": {},
                "finished": {},
                "seconds": {},
            }
            while len(self.runs) > self.kept:
                old = next(iter(self.runs))
                del self.runs[old]
                self.changes.drop(old)
        self.changes.touch(name)
        return run

    def done(self, key: Any, prefix: str, nbytes: int) -> RunCounts | None:
        """A task of a run finished (its result is in memory); its run, if any."""
        run = self._run_of.pop(key, None)
        if run is not None:
            run["done"] += 1
            finished = run["finished"]
            finished[prefix] = finished.get(prefix, 0) + 1
            run["bytes"] += nbytes
        return run

    def erred(self, key: Any, retried: bool = False) -> RunCounts | None:
        """A task of a run failed (or, ``retried``, left the erred state again)."""
        run = self._run_of.get(key)
        if run is not None:
            run["erred"] += -1 if retried else 1
        return run

    def touch(self, runs: Iterable[RunCounts], now: float) -> None:
        """Mark runs whose counts moved (once per drain, not per task)."""
        for run in runs:
            run["stop"] = now
            self.changes.touch(run["name"])

    def run_of(self, key: Any) -> str:
        """The run a task still to finish belongs to (:data:`OTHER_RUN` if none)."""
        run = self._run_of.get(key)
        return run["name"] if run is not None else OTHER_RUN

    def changed_since(self, version: int) -> dict[str, RunCounts]:
        return {name: self.runs[name] for name in self.changes.since(version) if name in self.runs}


class ErrorBook:
    """Failed tasks grouped by (function, exception type), at most ``kept`` groups."""

    def __init__(self, kept: int, key_text: Any):
        self.kept = kept
        self.key_text = key_text
        self.groups: dict[str, ErrorGroup] = {}
        self.changes = _Changes()

    def add(self, key: Any, prefix: str, kwargs: Mapping[str, Any], run: str, now: float) -> None:
        """A task that raised (``kwargs``: the scheduler's erred transition arguments)."""
        text = str(kwargs.get("exception_text") or "")
        kind = exception_type(text)
        name = f"{prefix}\x00{kind}"
        group = self.groups.pop(name, None)  # re-inserted last: most recent last
        if group is None:
            group = {
                "prefix": prefix,
                "exception": kind,
                "message": _clip(text, MESSAGE_CHARS),
                "traceback": _clip_end(str(kwargs.get("traceback_text") or ""), TRACEBACK_CHARS),
                "count": 0,
                "keys": [],
                "workers": [],
                "first": now,
                "last": now,
                "run": run,
            }
            while len(self.groups) >= self.kept:
                old = next(iter(self.groups))
                del self.groups[old]
                self.changes.drop(old)
        self.groups[name] = group
        group["count"] += 1
        group["last"] = now
        if len(group["keys"]) < GROUP_KEYS:
            group["keys"].append(self.key_text(key))
        worker = kwargs.get("worker")
        if worker and worker not in group["workers"] and len(group["workers"]) < GROUP_WORKERS:
            group["workers"].append(str(worker))
        self.changes.touch(name)

    def changed_since(self, version: int) -> list[ErrorGroup]:
        return [self.groups[n] for n in self.changes.since(version) if n in self.groups]


def exception_type(text: str) -> str:
    """The exception's class name from its text (``"ValueError('x')"`` -> ``ValueError``)."""
    head = text.split("(", 1)[0].split(":", 1)[0].strip()
    return head if head.replace(".", "").replace("_", "").isalnum() else "Exception"
