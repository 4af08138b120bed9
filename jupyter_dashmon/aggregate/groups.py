"""Runs in the kernel: task groups (``GroupTable``) laid out as a graph, left to right.

Pure functions over plain data.  A group's column is the length of the
longest chain of groups it depends on (sources at column 0), so every edge
points right.  Within a column, groups are ordered by the mean row of the
groups they depend on (then by name), which keeps chains on one line and
crossings few, and centred on row 0.  A column taller than
:data:`MOST_ROWS` wraps into as many side-by-side columns as it needs
(groups of one column never depend on each other, so every edge still
points right): a thousand independent groups draw as a block, not as a
line of boxes too thin to see.  Each node carries its progress as shares of
its tasks: released, in memory, erred, processing, waiting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Progress parts of a node, in drawing order (left to right inside the node).
PARTS = ("released", "memory", "erred", "processing", "waiting")
#: Rows a column holds before it wraps (about what the figure's greatest height shows).
MOST_ROWS = 25


def columns_of(deps: Sequence[Sequence[int]]) -> list[int]:
    """Longest-path column of every group (a cycle, which cannot happen, is cut)."""
    n = len(deps)
    column = [0] * n
    state = [0] * n  # 0 new, 1 on the path, 2 done
    for start in range(n):
        if state[start]:
            continue
        stack = [(start, iter(deps[start]))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            dep = next(it, None)
            if dep is None:
                stack.pop()
                state[node] = 2
                column[node] = max((column[d] + 1 for d in deps[node] if state[d] == 2), default=0)
            elif state[dep] == 0:
                state[dep] = 1
                stack.append((dep, iter(deps[dep])))
    return column


def layout_groups(table: Mapping[str, Any], most_rows: int = MOST_ROWS) -> dict[str, Any]:
    """Node positions, progress shares and edges of a group table.

    Returns ``{"name", "prefix", "x", "y", "total", <PARTS>, "edges",
    "columns", "rows"}``: per-node lists (``x`` the column drawn, ``y`` the
    row, parts as counts), ``edges`` as ``[from, to]`` node indices
    (dependency first), and the number of columns drawn and of rows in the
    tallest.  A longest-path column of more than ``most_rows`` groups is
    drawn as several columns of at most ``most_rows``, filled top to bottom.
    """
    names = list(table.get("name", []))
    deps = [list(d) for d in table.get("deps", [])]
    column = columns_of(deps)
    by_column: dict[int, list[int]] = {}
    for node, c in enumerate(column):
        by_column.setdefault(c, []).append(node)
    x = [0.0] * len(names)
    y = [0.0] * len(names)
    drawn = rows = 0
    for c in sorted(by_column):
        nodes = by_column[c]
        placed = {
            node: (sum(y[d] for d in deps[node]) / len(deps[node]) if deps[node] else 0.0)
            for node in nodes
        }
        nodes.sort(key=lambda node: (placed[node], names[node]))
        wide = -(-len(nodes) // most_rows)  # columns this one is drawn as
        tall = -(-len(nodes) // wide)  # rows of each, as even as can be
        middle = (tall - 1) / 2
        for i, node in enumerate(nodes):
            x[node] = float(drawn + i // tall)
            y[node] = i % tall - middle
        drawn += wide
        rows = max(rows, tall)
    out: dict[str, Any] = {
        "name": names,
        "prefix": list(table.get("prefix", [])),
        "x": x,
        "y": y,
        "total": list(table.get("total", [])),
        "edges": [[d, node] for node, ds in enumerate(deps) for d in ds],
        "columns": drawn,
        "rows": rows,
    }
    for part in PARTS:
        out[part] = list(table.get(part, [0] * len(names)))
    return out


def progress_parts(node: Mapping[str, Any] | Any, i: int) -> list[tuple[str, float]]:
    """Shares of node ``i``'s tasks per part of :data:`PARTS`, in order (0 for none)."""
    total = node["total"][i]
    return [(part, node[part][i] / total if total else 0.0) for part in PARTS]


def group_tooltip(nodes: Mapping[str, Any], i: int) -> str:
    """A group's name and its tasks per state, as plain text."""
    counts = " \u00b7 ".join(f"{part} {nodes[part][i]:,}" for part in PARTS if nodes[part][i])
    return f"{nodes['name'][i]}\n{nodes['total'][i]:,} tasks: {counts or 'none left'}"
