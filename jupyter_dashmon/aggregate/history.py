"""Runs in the kernel: the kernel's one store of task records.

:class:`TaskHistory` holds the last ``capacity`` task records once, in numpy
columns (times, a worker-thread id, a prefix id, an action/status code) plus
the key text.  Like the collector's ring, every record has a cursor (the
number of records appended before it), so a reader asks for what is new
with :meth:`TaskHistory.since`.  The live stream, a fixed window, the Tasks
page and a worker's recent tasks are all windows over this one store
(:mod:`.task_windows`), drawn through :mod:`.segments`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np

from ..collect.messages import CATEGORY, CODE_TYPE, PackedColumns, TaskColumns
from ..collect.packing import TASK_WIRE, pack_tasks
from .task_marks import action_of, code_of, status_of


class TaskRecord(TypedDict):
    """One task record as :meth:`TaskHistory.records` gives it (``snapshot()``)."""

    key: str
    prefix: str
    worker: str
    thread: int
    start: float
    stop: float
    action: str
    status: str


#: Rows up to which a batch's thread pairs are found with a dictionary (a
#: poll's usual dozen); above it, numpy's fixed costs are the smaller.
SMALL_BATCH = 128


class TaskHistory:
    """A ring of task records in numpy columns.

    Parameters
    ----------
    capacity : int
        Records kept; the oldest are overwritten.

    Attributes
    ----------
    count : int
        Records ever appended: the cursor after the newest record.
    threads : list of (worker, thread)
        Every worker thread seen, in order of first appearance; a record's
        ``thread_id`` indexes it.
    prefixes : list of str
        Every prefix seen, in order of first appearance (``prefix_id``).
    """

    #: Rows allocated at first; the columns grow up to ``capacity`` as rows come.
    INITIAL = 1024

    def __init__(self, capacity: int):
        self.capacity = int(capacity)
        # The listener appends on the Client's loop while snapshot() reads from
        # the notebook's thread: a read must not see half an append.
        self.lock = threading.RLock()
        self._empty()

    def _empty(self) -> None:
        self.count = 0
        size = self._size = min(self.capacity, self.INITIAL)
        self.start = np.zeros(size)
        self.stop = np.zeros(size)
        self.thread_id = np.zeros(size, dtype=np.int32)
        self.prefix_id = np.zeros(size, dtype=np.int32)
        self.code = np.zeros(size, dtype=np.uint8)
        self.run = np.zeros(size, dtype=np.uint16)  # the record's run index, 0: none
        self.keys = np.empty(size, dtype=object)
        self.threads: list[tuple[str, int]] = []
        self.prefixes: list[str] = []
        self._thread_ids: dict[tuple[str, int], int] = {}
        self._prefix_ids: dict[str, int] = {}
        self._idents = np.zeros(0, dtype=np.int64)  # every thread ident seen, sorted

    def __len__(self) -> int:
        return min(self.count, self._size)

    def _grow(self, needed: int) -> None:
        # Only before the first wrap-around, so rows keep their slots.
        size = min(self.capacity, max(needed, 2 * self._size))
        for name in ("start", "stop", "thread_id", "prefix_id", "code", "run", "keys"):
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
        """Forget every record and thread (a new scheduler)."""
        with self.lock:
            self._empty()

    def append(self, packed: PackedColumns) -> int:
        """Append records as the collector packs them; rows with non-finite
        times are dropped.

        A row whose stop is before its start gets its times swapped, so every
        record has ``start <= stop``.  Returns the number of rows stored (at
        most ``capacity``; the cursor moves past every valid row).  Works on
        whole columns (a poll's few rows pair their threads in a dictionary,
        cheaper there than numpy's calls).
        """
        columns, tables = unpack(packed), packed["tables"]
        start, stop = columns["start"], columns["stop"]
        # Each numpy call has a fixed cost that dwarfs a poll's dozen rows: the
        # usual batch (every time finite) is taken whole, without a row index.
        finite = np.isfinite(start) & np.isfinite(stop)
        rows: Any = slice(None)
        n = len(start) if finite.all() else int(finite.sum())
        skipped = max(n - self.capacity, 0)
        if skipped or n < len(start):
            rows = np.flatnonzero(finite)[skipped:]
            n -= skipped
        if not n:
            return 0
        start, stop = start[rows], stop[rows]
        with self.lock:
            prefix_ids = self._ids(self._prefix_ids, self.prefixes, tables["prefix"])
            pairs, inverse = self._thread_pairs(columns["worker"][rows], columns["thread"][rows])
            workers = tables["worker"]
            thread_ids = self._ids(
                self._thread_ids, self.threads, [(workers[w], t) for w, t in pairs]
            )
            keys = columns["key"]
            values = {
                "start": np.minimum(start, stop),
                "stop": np.maximum(start, stop),
                "thread_id": thread_ids[inverse],
                "prefix_id": prefix_ids[columns["prefix"][rows]],
                "code": columns["code"][rows],
                "run": columns["run"][rows],
                "keys": keys if isinstance(rows, slice) else [keys[i] for i in rows.tolist()],
            }
            self.count += skipped
            if self.count + n > self._size and self._size < self.capacity:
                self._grow(self.count + n)
            # The rows' slots: at most two runs, before and after the ring wraps.
            at = self.count % self._size
            head = min(n, self._size - at)
            for name, value in values.items():
                column = getattr(self, name)
                column[at : at + head] = value[:head]
                if head < n:
                    column[: n - head] = value[head:]
            self.count += n
        return n

    def _thread_pairs(self, worker: np.ndarray, thread: np.ndarray) -> tuple[list, np.ndarray]:
        """The distinct (worker code, thread) pairs of a batch, in order of first
        appearance (so a store's thread ids follow the rows), and each row's pair."""
        if len(worker) <= SMALL_BATCH:
            # A poll's few rows: a dictionary costs less than numpy's calls.
            index: dict[tuple[int, int], int] = {}
            pairs = zip(worker.tolist(), thread.tolist())
            inverse = [index.setdefault(p, len(index)) for p in pairs]
            return list(index), np.asarray(inverse, dtype=np.int64)
        # Thread idents are 64-bit: each is numbered by its place among the idents
        # seen so far (sorted; a new one is rare), then paired with the worker.
        # Pairs then have a small range, where finding the first of each needs no sort.
        known = self._idents
        at = np.minimum(np.searchsorted(known, thread), max(len(known) - 1, 0))
        if not len(known) or not np.array_equal(known[at], thread):
            known = self._idents = np.union1d(known, thread)
            at = np.searchsorted(known, thread)
        pair = worker.astype(np.int64) * len(known) + at
        n = len(pair)
        if int(pair.max()) >= 64 * n:  # a wide range (a large cluster): sorting is cheaper
            _, pair = np.unique(pair, return_inverse=True)
            pair = pair.reshape(-1)
        first = np.full(int(pair.max()) + 1, n, dtype=np.int64)
        first[pair[::-1]] = np.arange(n - 1, -1, -1)  # the last write, the first row, wins
        distinct = np.flatnonzero(first < n)
        distinct = distinct[np.argsort(first[distinct], kind="stable")]
        rank = np.empty(len(first), dtype=np.int64)
        rank[distinct] = np.arange(len(distinct))
        rows = first[distinct]
        return list(zip(worker[rows].tolist(), thread[rows].tolist())), rank[pair]

    def append_records(self, records: Sequence[TaskRecord]) -> int:
        """Append records in the form :meth:`records` gives them."""
        fields = [f for f in TaskColumns.__annotations__ if f not in ("code", "run")]
        columns = {f: [r[f] for r in records] for f in fields}  # type: ignore[literal-required]
        columns["code"] = [code_of(r["action"], r["status"]) for r in records]
        return self.append_columns(columns)  # type: ignore[arg-type]

    def append_columns(self, columns: TaskColumns) -> int:
        """Append records given as lists (:class:`TaskColumns`)."""
        return self.append(pack_tasks(columns))

    def _ids(self, ids: dict, names: list, batch: Sequence) -> np.ndarray:
        """The store's ids of a batch's distinct values, new ones added."""
        return np.asarray([self._id(ids, names, name) for name in batch], dtype=np.int32)

    @staticmethod
    def _id(ids: dict, names: list, name: object) -> int:
        found = ids.get(name)
        if found is None:
            found = ids[name] = len(names)
            names.append(name)
        return found

    def oldest(self) -> int:
        """Cursor of the oldest retained record."""
        return self.count - len(self)

    def since(self, cursor: int) -> np.ndarray:
        """Slot indices of the retained records at or after ``cursor``, oldest first."""
        first = min(max(cursor, self.oldest()), self.count)
        return (np.arange(first, self.count)) % max(self._size, 1)

    def order(self) -> np.ndarray:
        """Slot indices of the retained records, oldest first."""
        return self.since(0)

    def records(self, last: int | None = None, since: int = 0) -> list[TaskRecord]:
        """Retained records from cursor ``since`` on as dicts, oldest first.

        With ``last``, the newest ``last`` of them only.
        """
        with self.lock:
            idx = self.since(since)
            if last is not None:
                idx = idx[len(idx) - min(last, len(idx)) :]
            return [self._record(int(i)) for i in idx]

    def _record(self, i: int) -> TaskRecord:
        worker, thread = self.threads[self.thread_id[i]]
        code = int(self.code[i])
        return {
            "key": str(self.keys[i]),
            "prefix": self.prefixes[self.prefix_id[i]],
            "worker": worker,
            "thread": thread,
            "start": float(self.start[i]),
            "stop": float(self.stop[i]),
            "action": action_of(code),
            "status": status_of(code),
        }

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


def unpack(packed: PackedColumns) -> dict[str, Any]:
    """Packed task columns as numpy arrays (text as a list; categories as codes)."""
    out: dict[str, Any] = {}
    for name, kind in TASK_WIRE.items():
        value = packed["columns"][name]
        if kind == "object":
            out[name] = value
        else:
            dtype = np.dtype("<" + (CODE_TYPE if kind == CATEGORY else kind))
            out[name] = np.frombuffer(value, dtype=dtype)
    return out
