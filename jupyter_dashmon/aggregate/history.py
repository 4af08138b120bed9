"""Runs in the kernel: the retained task history, and drawing it by pixel.

:class:`TaskHistory` holds the last ``capacity`` task records once, in numpy
columns (times, a worker-thread id, a prefix id, an action/status code) plus
the key text; it is the only copy the kernel keeps.  :func:`aggregate_window`
turns the records inside a time window into at most a few thousand
horizontal segments: each task on its own when few enough are visible,
otherwise one segment per run of pixels of one colour on a worker thread, so
100,000 tasks draw as a handful of SVG elements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import numpy as np

from ..collect.messages import ACTIONS, TaskColumns
from .colors import DISK, ERRED, OTHER_ACTION, TRANSFER
from .transforms import TaskRecord, format_seconds

_COMPUTE, _TRANSFER = ACTIONS.index("compute"), ACTIONS.index("transfer")
_DISK = {ACTIONS.index("disk-read"), ACTIONS.index("disk-write")}


class TaskHistory:
    """A ring of task records in numpy columns.

    Parameters
    ----------
    capacity : int
        Records kept; the oldest are overwritten.
    """

    #: Rows allocated at first; the columns grow up to ``capacity`` as rows come.
    INITIAL = 1024

    def __init__(self, capacity: int):
        self.capacity = int(capacity)
        self.count = 0
        size = self._size = min(self.capacity, self.INITIAL)
        self.start = np.zeros(size)
        self.stop = np.zeros(size)
        self.thread_id = np.zeros(size, dtype=np.int32)
        self.prefix_id = np.zeros(size, dtype=np.int32)
        self.code = np.zeros(size, dtype=np.uint8)
        self.keys = np.empty(size, dtype=object)
        self.threads: list[tuple[str, int]] = []
        self.prefixes: list[str] = []
        self._thread_ids: dict[tuple[str, int], int] = {}
        self._prefix_ids: dict[str, int] = {}

    def __len__(self) -> int:
        return min(self.count, self._size)

    def _grow(self, needed: int) -> None:
        # Only before the first wrap-around, so rows keep their slots.
        size = min(self.capacity, max(needed, 2 * self._size))
        for name in ("start", "stop", "thread_id", "prefix_id", "code", "keys"):
            old = getattr(self, name)
            new = (
                np.zeros(size, dtype=old.dtype)
                if old.dtype != object
                else np.empty(size, dtype=object)
            )
            new[: len(old)] = old
            setattr(self, name, new)
        self._size = size

    def clear(self) -> None:
        """Forget every record (a new scheduler)."""
        self.__init__(self.capacity)  # type: ignore[misc]

    def append(self, columns: TaskColumns) -> int:
        """Append collector columns; rows with non-finite times are dropped."""
        start = np.asarray(columns["start"], dtype=float)
        stop = np.asarray(columns["stop"], dtype=float)
        ok = np.isfinite(start) & np.isfinite(stop)
        if not ok.all():
            columns = {k: [v for v, good in zip(col, ok) if good] for k, col in columns.items()}  # type: ignore[assignment]
            start, stop = start[ok], stop[ok]
        n = len(start)
        if n == 0:
            return 0
        lo, hi = np.minimum(start, stop), np.maximum(start, stop)
        tid = [
            self._id(self._thread_ids, self.threads, (w, int(t)))
            for w, t in zip(columns["worker"], columns["thread"])
        ]
        pid = [self._id(self._prefix_ids, self.prefixes, p) for p in columns["prefix"]]
        values = (lo, hi, tid, pid, np.asarray(columns["code"], dtype=np.uint8), columns["key"])
        if self.count + n > self._size and self._size < self.capacity:
            self._grow(self.count + n)
        targets = (self.start, self.stop, self.thread_id, self.prefix_id, self.code, self.keys)
        if n > self.capacity:
            values = tuple(
                np.asarray(v, dtype=t.dtype)[-self.capacity :] for v, t in zip(values, targets)
            )
            self.count += n - self.capacity
            n = self.capacity
        slots = (self.count + np.arange(n)) % self._size
        for target, value in zip(targets, values):
            target[slots] = np.asarray(value, dtype=target.dtype)
        self.count += n
        return n

    @staticmethod
    def _id(ids: dict, names: list, name: object) -> int:
        found = ids.get(name)
        if found is None:
            found = ids[name] = len(names)
            names.append(name)
        return found

    def order(self) -> np.ndarray:
        """Slot indices of the retained records, oldest first."""
        n = len(self)
        return (self.count - n + np.arange(n)) % self._size

    def records(self, last: int | None = None) -> list[TaskRecord]:
        """Retained records as dicts, oldest first (the newest ``last`` only)."""
        idx = self.order()
        if last is not None:
            idx = idx[len(idx) - min(last, len(idx)) :]
        out: list[TaskRecord] = []
        for i in idx:
            worker, thread = self.threads[self.thread_id[i]]
            code = int(self.code[i])
            out.append(
                {
                    "key": str(self.keys[i]),
                    "prefix": self.prefixes[self.prefix_id[i]],
                    "worker": worker,
                    "thread": thread,
                    "start": float(self.start[i]),
                    "stop": float(self.stop[i]),
                    "action": ACTIONS[code // 2] if code // 2 < len(ACTIONS) else "other",
                    "status": "error" if code % 2 else "OK",
                }
            )
        return out

    def span(self) -> tuple[float, float]:
        """Earliest start and latest stop retained (0, 0 when empty)."""
        if not len(self):
            return 0.0, 0.0
        idx = self.order()
        return float(self.start[idx].min()), float(self.stop[idx].max())

    def nbytes(self) -> int:
        """Bytes of the numpy columns (key strings not included)."""
        arrays = (self.start, self.stop, self.thread_id, self.prefix_id, self.code, self.keys)
        return sum(a.nbytes for a in arrays)


class Segments(TypedDict):
    """Horizontal segments to draw, in columns, plus what they stand for."""

    x0: list[float]
    x1: list[float]
    row: list[int]
    color: list[str]
    label: list[str]
    tasks: int
    aggregated: bool


def _palette(history: TaskHistory, colors: Mapping[str, str]) -> list[str]:
    """The compute colour of each prefix id."""
    return [colors.get(p, OTHER_ACTION) for p in history.prefixes]


def _color_of(prefix_color: str, code: int) -> str:
    action, erred = code // 2, code % 2
    if action == _TRANSFER:
        return TRANSFER
    if erred:
        return ERRED
    if action == _COMPUTE:
        return prefix_color
    return DISK if action in _DISK else OTHER_ACTION


def aggregate_window(
    history: TaskHistory,
    colors: Mapping[str, str],
    t0: float,
    t1: float,
    pixels: int = 1000,
    max_exact: int = 4000,
    worker: str | None = None,
) -> Segments:
    """Segments for the records overlapping ``[t0, t1]``, times relative to ``t0``.

    Rows are worker threads in the order of :meth:`thread_rows`.  When at most
    ``max_exact`` records overlap the window, each is its own segment with its
    own hover text.  Otherwise the window is cut into ``pixels`` columns, each
    cell of (row, column) takes the colour of the last task covering it, and
    runs of one colour on a row become one segment labelled with the number
    of tasks it covers.  With ``worker``, only that worker's threads are
    drawn, as rows 0, 1, ...
    """
    out: Segments = {
        "x0": [],
        "x1": [],
        "row": [],
        "color": [],
        "label": [],
        "tasks": 0,
        "aggregated": False,
    }
    idx = history.order()
    if len(idx) == 0 or t1 <= t0:
        return out
    visible = idx[(history.stop[idx] >= t0) & (history.start[idx] <= t1)]
    rows = thread_rows(history, worker)
    row_of = np.array([rows.get(t, -1) for t in history.threads], dtype=np.int64)
    if worker is not None:
        visible = visible[row_of[history.thread_id[visible]] >= 0]
    out["tasks"] = len(visible)
    if len(visible) == 0:
        return out
    prefix_colors = _palette(history, colors)
    if len(visible) <= max_exact:
        _exact(history, visible, row_of, prefix_colors, t0, out)
    else:
        _by_pixel(history, visible, row_of, prefix_colors, t0, t1, pixels, out)
    return out


def thread_rows(history: TaskHistory, worker: str | None = None) -> dict[tuple[str, int], int]:
    """Row per worker thread seen in the history (of ``worker`` only, if given),
    sorted by worker then thread."""
    pairs = sorted(t for t in history.threads if worker is None or t[0] == worker)
    return {pair: i for i, pair in enumerate(pairs)}


def _exact(history, visible, row_of, prefix_colors, t0, out) -> None:
    for i in visible:
        code = int(history.code[i])
        worker, thread = history.threads[history.thread_id[i]]
        action = ACTIONS[code // 2] if code // 2 < len(ACTIONS) else "other"
        key = str(history.keys[i])
        what = key if action == "compute" else f"{action}: {key}"
        duration = format_seconds(float(history.stop[i] - history.start[i]))
        status = " | erred" if code % 2 else ""
        out["x0"].append(float(history.start[i] - t0))
        out["x1"].append(float(history.stop[i] - t0))
        out["row"].append(int(row_of[history.thread_id[i]]))
        out["color"].append(_color_of(prefix_colors[history.prefix_id[i]], code))
        out["label"].append(f"{what} | {worker} thread {thread} | {duration}{status}")


def _runs(history, visible, row_of, t0, t1, pixels):
    """Paint tasks onto a (row, pixel) grid; return its runs of one colour.

    Returns, per run: first cell, last cell (inclusive), colour code, and
    the number of tasks that start inside the run (so the counts add up to
    every visible task, including those painted over).
    """
    width = (t1 - t0) / pixels
    order = visible[np.argsort(history.start[visible], kind="stable")]
    p0 = np.clip(((history.start[order] - t0) / width).astype(np.int64), 0, pixels - 1)
    p1 = np.clip(np.ceil((history.stop[order] - t0) / width).astype(np.int64), p0 + 1, pixels)
    rows = row_of[history.thread_id[order]]
    colour = history.prefix_id[order].astype(np.int64) * 256 + history.code[order]
    spans = p1 - p0
    task = np.repeat(np.arange(len(order)), spans)
    offset = np.arange(len(task)) - np.repeat(np.cumsum(spans) - spans, spans)
    grid = np.full((int(row_of.max()) + 1) * pixels, -1, dtype=np.int64)
    grid[rows[task] * pixels + p0[task] + offset] = task  # later starts paint over earlier
    started = np.cumsum(np.bincount(rows * pixels + p0, minlength=len(grid)))
    painted = np.flatnonzero(grid >= 0)
    owners = grid[painted]
    codes = colour[owners]
    new_run = (np.diff(painted) != 1) | (np.diff(codes) != 0) | (np.diff(painted // pixels) != 0)
    starts = np.concatenate([[0], np.flatnonzero(new_run) + 1])
    ends = np.concatenate([starts[1:], [len(painted)]]) - 1
    first, last = painted[starts], painted[ends]
    n_tasks = started[last] - np.where(first > 0, started[first - 1], 0)
    return first, last, codes[starts], n_tasks


def _by_pixel(history, visible, row_of, prefix_colors, t0, t1, pixels, out, max_segments=8000):
    out["aggregated"] = True
    while True:
        first, last, codes, n_tasks = _runs(history, visible, row_of, t0, t1, pixels)
        if len(first) <= max_segments or pixels <= 50:
            break
        pixels //= 2
    width = (t1 - t0) / pixels
    for cell0, cell1, code, n in zip(
        first.tolist(), last.tolist(), codes.tolist(), n_tasks.tolist()
    ):
        row, c0 = divmod(cell0, pixels)
        pid, status = divmod(code, 256)
        prefix = history.prefixes[pid]
        action = ACTIONS[status // 2] if status // 2 < len(ACTIONS) else "other"
        kind = prefix if action == "compute" else f"{action} ({prefix})"
        out["x0"].append(c0 * width)
        out["x1"].append((cell1 % pixels + 1) * width)
        out["row"].append(row)
        out["color"].append(_color_of(prefix_colors[pid], status))
        out["label"].append(f"{n:,} task{'s' * (n != 1)}, mostly {kind} | zoom in for detail")
