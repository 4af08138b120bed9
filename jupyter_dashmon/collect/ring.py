"""Runs in the scheduler: bounded column stores with a monotonic cursor.

A :class:`Ring` keeps the last ``capacity`` rows of a table in columns.  Row
``n`` (counting every row ever appended, from 0) lives at slot
``n % capacity``; readers remember the count they have seen and ask for
everything after it.  Numbers live in :mod:`array` columns (8 bytes each, no
Python object per value); text columns hold references to strings that are
shared with the scheduler's own objects wherever possible.

Standard library only: shipped by value to the scheduler.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any


class Ring:
    """Fixed-capacity ring of rows stored column by column.

    Parameters
    ----------
    capacity : int
        Rows kept; older rows are overwritten.
    columns : dict of str to str
        Column name to storage: an :mod:`array` typecode (``"d"``, ``"q"``,
        ``"B"``...) or ``"object"`` for a list of references.
    """

    #: Rows allocated at first; the columns double up to ``capacity`` as rows come.
    INITIAL = 1024

    def __init__(self, capacity: int, columns: dict[str, str]):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        self.capacity = int(capacity)
        self.count = 0
        self._size = min(self.capacity, self.INITIAL)
        self._columns: dict[str, Any] = {}
        for name, kind in columns.items():
            if kind == "object":
                self._columns[name] = [None] * self._size
            else:
                self._columns[name] = array(kind, bytes(array(kind).itemsize * self._size))
        self._order = tuple(self._columns.values())

    def append(self, *row: Any) -> None:
        """Append one row, values in the order the columns were declared."""
        if self.count == self._size and self._size < self.capacity:
            self._grow()
        slot = self.count % self._size
        for column, value in zip(self._order, row):
            column[slot] = value
        self.count += 1

    def extend(self, columns: Sequence[Sequence[Any]]) -> None:
        """Append rows given column by column (in declared order), in bulk."""
        n = len(columns[0])
        if n > self.capacity:
            self.count += n - self.capacity
            columns = [values[n - self.capacity :] for values in columns]
            n = self.capacity
        # The ring grows only before it first wraps round, so rows keep their slots.
        while self.count + n > self._size < self.capacity:
            self._grow()
        done = 0
        while done < n:
            slot = (self.count + done) % self._size
            take = min(n - done, self._size - slot)
            for column, values in zip(self._order, columns):
                part = values[done : done + take]
                if isinstance(column, array):
                    column[slot : slot + take] = array(column.typecode, part)
                else:
                    column[slot : slot + take] = part
            done += take
        self.count += n

    def _grow(self) -> None:
        # Only before the first wrap-around, so rows keep their slots.
        extra = min(self._size, self.capacity - self._size)
        for column in self._order:
            if isinstance(column, array):
                column.frombytes(bytes(column.itemsize * extra))
            else:
                column.extend([None] * extra)
        self._size += extra

    def since(self, cursor: int, limit: int | None = None) -> tuple[dict[str, list], int]:
        """Rows appended after ``cursor``, at most the newest ``limit`` of them.

        Returns the columns as lists and the number of rows after ``cursor``
        that are not returned (overwritten already, or beyond ``limit``).
        """
        first = max(cursor, self.count - self._size, 0)
        if limit is not None:
            first = max(first, self.count - limit)
        skipped = max(first - max(cursor, 0), 0)
        return {name: self._slice(col, first) for name, col in self._columns.items()}, skipped

    def slices(self, cursor: int, limit: int | None = None) -> tuple[dict[str, Any], int]:
        """Like :meth:`since`, but numbers stay in arrays (no Python object per value)."""
        first = max(cursor, self.count - self._size, 0)
        if limit is not None:
            first = max(first, self.count - limit)
        skipped = max(first - max(cursor, 0), 0)
        return {name: self._cut(col, first) for name, col in self._columns.items()}, skipped

    def _cut(self, column: Any, first: int) -> Any:
        n = self.count - first
        if n <= 0:
            return column[:0]
        start = first % self._size
        end = start + n
        if end <= self._size:
            return column[start:end]
        return column[start:] + column[: end - self._size]

    def _slice(self, column: Sequence, first: int) -> list:
        return list(self._cut(column, first))

    def __len__(self) -> int:
        return min(self.count, self._size)

    def nbytes(self) -> int:
        """Bytes held by the column containers themselves (not the strings)."""
        total = 0
        for column in self._order:
            if isinstance(column, array):
                total += column.itemsize * len(column)
            else:
                total += 8 * len(column)
        return total
