"""Runs in the kernel: per-worker time series and the worker table as rows.

:class:`WorkerSeries` keeps, for each worker, the last ``length`` readings of
CPU, memory and network in one small numpy block, so a thousand workers cost
a few megabytes and a worker that leaves takes its block with it.  The
functions below sort and summarise the table: pure, over plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

#: Series kept per worker, in row order of each block.
SERIES = ("time", "cpu", "memory", "memory_limit", "network_read", "network_write")

#: Table columns that add up in a totals row (the others are per-worker facts).
SUMMED = (
    "nthreads",
    "memory",
    "memory_limit",
    "managed",
    "unmanaged",
    "spilled",
    "processing",
    "in_memory",
    "network_read",
    "network_write",
    "disk_read",
    "disk_write",
)


class WorkerSeries:
    """Recent readings per worker: a ring of ``length`` samples each."""

    def __init__(self, length: int):
        self.length = int(length)
        self._blocks: dict[str, np.ndarray] = {}
        self._counts: dict[str, int] = {}

    def add(self, table: Mapping[str, Sequence[Any]], now: float) -> None:
        """Append one reading per worker in ``table``; forget workers not in it."""
        addresses = list(table.get("address", []))
        for gone in set(self._blocks) - set(addresses):
            del self._blocks[gone], self._counts[gone]
        for i, address in enumerate(addresses):
            block = self._blocks.get(address)
            if block is None:
                block = self._blocks[address] = np.zeros((len(SERIES), self.length))
                self._counts[address] = 0
            slot = self._counts[address] % self.length
            block[0, slot] = now
            for row, name in enumerate(SERIES[1:], start=1):
                block[row, slot] = float(table[name][i])
            self._counts[address] += 1

    def get(self, address: str) -> dict[str, list[float]]:
        """The worker's series, oldest first (empty lists for an unknown worker)."""
        block = self._blocks.get(address)
        if block is None:
            return {name: [] for name in SERIES}
        count = self._counts[address]
        n = min(count, self.length)
        order = (count - n + np.arange(n)) % self.length
        return {name: block[row, order].tolist() for row, name in enumerate(SERIES)}

    def __len__(self) -> int:
        return len(self._blocks)


def sorted_rows(table: Mapping[str, Sequence[Any]], by: str, ascending: bool) -> list[dict]:
    """The table as row dicts sorted by column ``by`` (unknown column: by name)."""
    fields = list(table)
    rows = [dict(zip(fields, values)) for values in zip(*(table[f] for f in fields))]
    key = by if by in table else "name"
    return sorted(rows, key=lambda r: (r.get(key) is None, r.get(key)), reverse=not ascending)


def totals_row(table: Mapping[str, Sequence[Any]]) -> dict[str, Any]:
    """Sums of the additive columns, mean CPU, and the number of workers."""
    n = len(table.get("address", []))
    row: dict[str, Any] = {"name": f"Total ({n} workers)", "address": ""}
    for field in SUMMED:
        if field in table:
            row[field] = sum(table[field])
    row["cpu"] = sum(table["cpu"]) / n if n and "cpu" in table else 0.0
    return row


def memory_fraction(row: Mapping[str, Any]) -> float:
    """Process memory as a fraction of the worker's limit (0 when no limit)."""
    limit = row.get("memory_limit") or 0
    return float(row.get("memory", 0)) / limit if limit > 0 else 0.0


def histogram(values: Sequence[float], bins: int, upper: float | None = None) -> tuple[list, list]:
    """Counts of ``values`` in ``bins`` equal bins from 0: (bin left edges, counts).

    The summary that replaces per-worker bars when there are many workers.
    """
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    top = upper if upper is not None else (float(data.max()) if len(data) else 1.0)
    counts, edges = np.histogram(data, bins=bins, range=(0.0, max(top, 1e-9)))
    return edges[:-1].tolist(), counts.tolist()
