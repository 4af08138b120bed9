"""Runs in the kernel: records of the task store as horizontal segments to draw.

One segment per task when few are visible; when too many are, one per run of
pixels of one colour on a worker thread, so 100,000 tasks draw as a few
thousand SVG elements.  Colours, hover text and rows come from
:mod:`.task_marks`, so every task figure draws a record the same way.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TypedDict

import numpy as np

from .colors import OTHER_ACTION
from .history import TaskHistory
from .task_marks import color_of, colors_of, labels_of, row_map, run_label

# -- segments -------------------------------------------------------------------


class Segments(TypedDict):
    """Horizontal segments to draw, in columns, plus what they stand for.

    ``x0``/``x1`` are seconds after an origin the caller chose; ``tasks``
    counts the records drawn; ``aggregated`` says whether segments are runs
    of pixels rather than single tasks.
    """

    x0: list[float]
    x1: list[float]
    row: list[int]
    color: list[str]
    label: list[str]
    tasks: int
    aggregated: bool


def no_segments() -> Segments:
    return {
        "x0": [],
        "x1": [],
        "row": [],
        "color": [],
        "label": [],
        "tasks": 0,
        "aggregated": False,
    }


def task_segments(
    history: TaskHistory,
    slots: np.ndarray,
    rows: np.ndarray,
    colors: Mapping[str, str],
    origin: float,
) -> Segments:
    """One segment per record at ``slots`` (oldest first), times after ``origin``.

    Works on the store's columns; the only step per record is joining its
    hover text.
    """
    out = no_segments()
    if len(slots) == 0:
        return out
    start, stop = history.start[slots], history.stop[slots]
    codes, threads = history.code[slots], history.thread_id[slots]
    out["x0"] = (start - origin).tolist()
    out["x1"] = (stop - origin).tolist()
    out["row"] = rows[threads].tolist()
    out["color"] = colors_of(codes, prefix_colors(history, slots, colors)).tolist()
    workers = [history.threads[t][0] for t in threads.tolist()]
    out["label"] = labels_of(history.keys[slots].tolist(), codes, workers, stop - start)
    out["tasks"] = len(slots)
    return out


def prefix_colors(history: TaskHistory, slots: np.ndarray, colors: Mapping[str, str]) -> np.ndarray:
    """The colour of each record's prefix, looked up once per distinct prefix (a
    live update touches a few prefixes of possibly thousands)."""
    ids, inverse = np.unique(history.prefix_id[slots], return_inverse=True)
    table = np.array(
        [colors.get(history.prefixes[i], OTHER_ACTION) for i in ids.tolist()], dtype=object
    )
    return table[inverse.reshape(-1)]


def window_segments(
    history: TaskHistory,
    colors: Mapping[str, str],
    t0: float,
    t1: float,
    origin: float,
    threads: Collection[int] | None = None,
    only: bool = False,
    pixels: int = 1000,
    max_exact: int = 4000,
    run: int = 0,
) -> tuple[Segments, int]:
    """Segments for the records overlapping ``[t0, t1]``, and the number of rows.

    Rows are ``threads`` (store thread ids; every thread of the store when
    None) plus, unless ``only``, the threads of the records in the window;
    with ``only``, records of other threads are left out.  When at most
    ``max_exact`` records are visible each is its own segment; otherwise the
    window is cut into ``pixels`` columns, each (row, column) cell takes the
    colour of the last task covering it, and runs of one colour on a row
    become one segment labelled with the number of tasks it covers.  A
    ``run`` index other than 0 keeps only that run's records.
    """
    idx = history.order()
    base = set(range(len(history.threads))) if threads is None else set(threads)
    if len(idx) == 0 or t1 <= t0:
        return no_segments(), len(base)
    visible = idx[(history.stop[idx] >= t0) & (history.start[idx] <= t1)]
    if run:
        visible = visible[history.run[visible] == run]
    if only:
        visible = visible[np.isin(history.thread_id[visible], list(base))]
    else:
        base.update(np.unique(history.thread_id[visible]).tolist())
    rows = row_map(len(history.threads), base)
    if len(visible) <= max_exact:
        return task_segments(history, visible, rows, colors, origin), len(base)
    return _by_pixel(history, visible, rows, colors, t0, t1, origin, pixels), len(base)


def _runs(history, visible, rows_of, t0, t1, pixels):
    """Paint tasks onto a (row, pixel) grid; return its runs of one colour.

    Returns, per run: first cell, last cell (inclusive), colour code, and
    the number of tasks that start inside the run (so the counts add up to
    every visible task, including those painted over).
    """
    width = (t1 - t0) / pixels
    order = visible[np.argsort(history.start[visible], kind="stable")]
    p0 = np.clip(((history.start[order] - t0) / width).astype(np.int64), 0, pixels - 1)
    p1 = np.clip(np.ceil((history.stop[order] - t0) / width).astype(np.int64), p0 + 1, pixels)
    rows = rows_of[history.thread_id[order]]
    colour = history.prefix_id[order].astype(np.int64) * 256 + history.code[order]
    spans = p1 - p0
    task = np.repeat(np.arange(len(order)), spans)
    offset = np.arange(len(task)) - np.repeat(np.cumsum(spans) - spans, spans)
    grid = np.full((int(rows.max()) + 1) * pixels, -1, dtype=np.int64)
    grid[rows[task] * pixels + p0[task] + offset] = task  # later starts paint over earlier
    started = np.cumsum(np.bincount(rows * pixels + p0, minlength=len(grid)))
    painted = np.flatnonzero(grid >= 0)
    codes = colour[grid[painted]]
    new_run = (np.diff(painted) != 1) | (np.diff(codes) != 0) | (np.diff(painted // pixels) != 0)
    starts = np.concatenate([[0], np.flatnonzero(new_run) + 1])
    ends = np.concatenate([starts[1:], [len(painted)]]) - 1
    first, last = painted[starts], painted[ends]
    n_tasks = started[last] - np.where(first > 0, started[first - 1], 0)
    return first, last, codes[starts], n_tasks


def _by_pixel(history, visible, rows, colors, t0, t1, origin, pixels, max_segments=8000):
    while True:
        first, last, codes, n_tasks = _runs(history, visible, rows, t0, t1, pixels)
        if len(first) <= max_segments or pixels <= 50:
            break
        pixels //= 2
    width = (t1 - t0) / pixels
    out = no_segments()
    out["tasks"], out["aggregated"] = len(visible), True
    shift = t0 - origin
    for cell0, cell1, packed, n in zip(
        first.tolist(), last.tolist(), codes.tolist(), n_tasks.tolist()
    ):
        row, c0 = divmod(cell0, pixels)
        pid, code = divmod(packed, 256)
        prefix = history.prefixes[pid]
        out["x0"].append(shift + c0 * width)
        out["x1"].append(shift + (cell1 % pixels + 1) * width)
        out["row"].append(row)
        out["color"].append(color_of(code, colors.get(prefix, OTHER_ACTION)))
        out["label"].append(run_label(n, code, prefix))
    return out
