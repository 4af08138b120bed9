"""Runs in the kernel: per-worker time series and what the Workers page derives.

:class:`WorkerSeries` keeps, for each worker, the last ``length`` readings of
CPU, memory and network in one small numpy block, so a thousand workers cost
a few megabytes and a worker that leaves takes its block with it.  The
functions below derive columns, totals and histograms from the worker table
(:func:`worker_summary`, run by the listener once per table) and sort and
label its rows: pure, over plain data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import numpy as np

#: Readings kept per worker for the chosen worker's plots.
WORKER_SERIES_LENGTH = 120
#: Bins of the CPU % and memory % histograms over workers.
BINS = 20

#: Series kept per worker, in row order of each block.
SERIES = ("time", "cpu", "memory", "memory_limit", "network_read", "network_write")

#: Table columns that add up in a totals row (the others are per-worker facts).
SUMMED = (
    "nthreads",
    "memory",
    "memory_limit",
    "managed",
    "unmanaged",
    "unmanaged_recent",
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
    top = max(top, 1e-9)
    # Bins closed on the left, the last also on the right; values outside
    # [0, top] are left out.  (np.histogram says the same at ten times the cost,
    # and this runs at every poll.)
    data = data[(data >= 0.0) & (data <= top)]
    index = np.minimum((data * (bins / top)).astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins)
    edges = [top * i / bins for i in range(bins)]
    return edges, counts.tolist()


def with_derived_columns(table: Mapping[str, Sequence[Any]]) -> dict[str, list]:
    """``table`` plus ``memory_pct`` (of the limit) and ``seen_ago`` columns.

    ``seen_ago`` is seconds before the newest ``last_seen`` in the table, so
    the column needs no clock and the freshest worker reads 0.
    """
    out = {field: list(values) for field, values in table.items()}
    n = len(out.get("address", []))
    memory, limit = out.get("memory", [0.0] * n), out.get("memory_limit", [0.0] * n)
    out["memory_pct"] = [
        100.0 * memory_fraction({"memory": m, "memory_limit": lim}) for m, lim in zip(memory, limit)
    ]
    seen = out.get("last_seen", [0.0] * n)
    newest = max(seen) if seen else 0.0
    out["seen_ago"] = [max(newest - float(s), 0.0) for s in seen]
    return out


def bar_names(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """One label per worker for the bar charts: its name, plus its address if shared."""
    names = [str(r["name"]) for r in rows]
    shared = {n for n, k in Counter(names).items() if k > 1}
    return [f"{n} ({r['address']})" if n in shared else n for n, r in zip(names, rows)]


def summary_histogram(values: Sequence[float]) -> tuple[list, list]:
    """Bins of a percentage over workers, from 0 to at least 100."""
    top = max([100.0, *(float(v) for v in values if np.isfinite(v))])
    return histogram(values, BINS, upper=top)


def histogram_bars(edges: Sequence[float], counts: Sequence[int]) -> tuple[list, list, list, list]:
    """A histogram's bars (left edges, right edges, counts, hover texts), bins of equal width."""
    width = edges[1] - edges[0] if len(edges) > 1 else 1.0
    right = [*edges[1:], edges[-1] + width] if len(edges) else []
    labels = [
        f"{_edge(a)}\u2013{_edge(b)} %: {c:,} worker{'' if c == 1 else 's'}"
        for a, b, c in zip(edges, right, counts)
    ]
    return list(edges), right, list(counts), labels


def _edge(v: float) -> str:
    """A bin edge to at most one decimal, without a trailing ``.0``."""
    return f"{v:.1f}".removesuffix(".0")


def percent_histogram(values: Sequence[float]) -> dict[str, list]:
    """A percentage over workers as histogram bars: ``lo``, ``hi``, ``counts``, ``labels``."""
    lo, hi, counts, labels = histogram_bars(*summary_histogram(values))
    return {"lo": lo, "hi": hi, "counts": counts, "labels": labels}


class WorkerSummary(TypedDict):
    """What the Workers page draws besides the rows themselves."""

    derived: dict[str, list]
    total: dict[str, Any]
    cpu_histogram: dict[str, list]
    memory_histogram: dict[str, list]


def worker_summary(table: Mapping[str, Sequence[Any]]) -> WorkerSummary:
    """Derived columns, totals row and CPU/memory histograms of a worker table."""
    derived = with_derived_columns(table)
    n = len(derived.get("address", []))
    total: dict[str, Any] = totals_row(derived) if n else {"name": "Total (0 workers)"}
    if n:
        total["memory_pct"] = 100.0 * memory_fraction(total)
    return {
        "derived": derived,
        "total": total,
        "cpu_histogram": percent_histogram(derived.get("cpu", [])),
        "memory_histogram": percent_histogram(derived.get("memory_pct", [])),
    }
