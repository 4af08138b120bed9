"""Runs in the kernel: records of the task store as horizontal segments to draw.

One segment per task when few are visible; when too many are, one per run of
pixels of one colour on a worker thread, so 100,000 tasks draw as a few
thousand rectangles.  Colours, hover text and rows come from
:mod:`.task_marks`, so every task figure draws a record the same way.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypedDict, cast

import numpy as np

from .colors import OTHER_ACTION
from .history import TaskHistory
from .task_marks import (
    TEXT_CODE,
    color_of,
    label_codes,
    labels_of,
    row_map,
    run_label,
)

# -- segments -------------------------------------------------------------------


class Segments(TypedDict):
    """Horizontal segments to draw, in numpy columns, plus what they stand for.

    ``x0``/``x1`` are seconds after an origin the caller chose, ``row`` the
    figure's row, ``color`` an index into the CSS colours ``colors``.  The
    hover text is in parts, as :func:`~.task_marks.labels_of` joins them:
    ``text`` (the key, or a run's whole text), ``code`` (an index into
    :data:`~.task_marks.LABEL_PARTS`, or :data:`~.task_marks.TEXT_CODE`),
    ``worker`` (an index into ``workers``) and ``seconds``.  ``tasks`` counts
    the records drawn; ``aggregated`` says whether segments are runs of
    pixels rather than single tasks.  No step here is taken per segment in
    Python: tables are per distinct colour and worker.
    """

    x0: np.ndarray
    x1: np.ndarray
    row: np.ndarray
    color: np.ndarray
    text: np.ndarray
    code: np.ndarray
    worker: np.ndarray
    seconds: np.ndarray
    colors: list[str]
    workers: list[str]
    tasks: int
    aggregated: bool


#: The columns of :class:`Segments`, one value per segment each, and their types.
COLUMNS: dict[str, str | type] = {
    "x0": "f8",
    "x1": "f8",
    "row": "i4",
    "color": "i4",
    "text": object,
    "code": "u1",
    "worker": "i4",
    "seconds": "f8",
}


def no_segments() -> Segments:
    out: dict[str, Any] = {name: np.empty(0, dtype=kind) for name, kind in COLUMNS.items()}
    out.update(colors=[], workers=[], tasks=0, aggregated=False)
    return cast(Segments, out)


def used(table: list[str], index: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The entries of ``table`` that ``index`` uses, and ``index`` into them (-1,
    no entry, stays)."""
    counts = np.bincount(index[index >= 0], minlength=len(table))
    kept = np.flatnonzero(counts)
    new_index = np.append(np.cumsum(counts > 0, dtype=np.int32) - 1, -1)  # [-1] -> -1
    return [table[i] for i in kept.tolist()], new_index[index]


def _merged(held: list[str], new: list[str], index: np.ndarray) -> tuple[list[str], np.ndarray]:
    """``held`` with the values of ``new`` it lacks, and ``index`` (into ``new``) into it."""
    if new == held[: len(new)]:  # the usual case: the same few workers and colours
        return held, index
    table = list(held)
    where = {v: i for i, v in enumerate(table)}
    remap = np.array([where.setdefault(v, len(where)) for v in new] + [-1], dtype=np.int32)
    table += list(where)[len(table) :]
    return table, remap[index]  # -1, no entry, stays


def _compact(table: list[str], index: np.ndarray) -> tuple[list[str], np.ndarray]:
    """``table`` less the entries ``index`` no longer uses, once they are most of it
    (a live stream's tables would otherwise keep every worker it ever saw)."""
    if len(table) <= max(16, 2 * len(index)):
        return table, index
    return used(table, index)


def concat_segments(held: Segments, new: Segments, first: int = 0, drop: int = 0) -> Segments:
    """``held`` followed by ``new`` from index ``first`` on, less the first ``drop``."""
    out: dict = {k: np.concatenate([held[k], new[k][first:]])[drop:] for k in COLUMNS}  # type: ignore[literal-required]
    out["colors"], color = _merged(held["colors"], new["colors"], new["color"][first:])
    out["workers"], worker = _merged(held["workers"], new["workers"], new["worker"][first:])
    n = len(new["x0"]) - first
    if n > 0:
        out["color"][len(out["color"]) - n :] = color
        out["worker"][len(out["worker"]) - n :] = worker
    out["colors"], out["color"] = _compact(out["colors"], out["color"])
    out["workers"], out["worker"] = _compact(out["workers"], out["worker"])
    out["tasks"], out["aggregated"] = len(out["x0"]), held["aggregated"] or new["aggregated"]
    return out  # type: ignore[return-value]


def segment_colors(segments: Segments) -> list[str]:
    """The CSS colour of every segment."""
    return np.array(segments["colors"] or [""], dtype=object)[segments["color"]].tolist()


def segment_labels(segments: Segments) -> list[str]:
    """The hover text of every segment, joined in Python (the browser joins its own)."""
    workers = np.array(segments["workers"] or [""], dtype=object)
    return labels_of(
        segments["text"].tolist(),
        segments["code"],
        workers[np.maximum(segments["worker"], 0)].tolist(),
        segments["seconds"],
    )


def drawn(segments: Segments) -> dict[str, Any]:
    """``segments`` as lists: x0, x1, row, and each segment's CSS colour and hover
    text, joined in Python (the browser joins its own); tasks, aggregated."""
    return {
        "x0": segments["x0"].tolist(),
        "x1": segments["x1"].tolist(),
        "row": segments["row"].tolist(),
        "color": segment_colors(segments),
        "label": segment_labels(segments),
        "tasks": segments["tasks"],
        "aggregated": segments["aggregated"],
    }


def task_segments(
    history: TaskHistory,
    slots: np.ndarray,
    rows: np.ndarray,
    colors: Mapping[str, str],
    origin: float,
) -> Segments:
    """One segment per record at ``slots`` (oldest first), times after ``origin``.

    Works on the store's columns, with no Python step per record.
    """
    out = no_segments()
    if len(slots) == 0:
        return out
    start, stop = history.start[slots], history.stop[slots]
    codes, threads = history.code[slots], history.thread_id[slots]
    looks = history.prefix_id[slots].astype(np.int64) * 256 + codes
    out["colors"], out["color"] = palette(history, looks, colors)
    # Each worker once (a worker has several threads).
    names = [w for w, _ in history.threads]
    workers = {w: i for i, w in enumerate(dict.fromkeys(names))}
    worker_of = np.array([workers[w] for w in names], dtype=np.int64)
    out["workers"], out["worker"] = used(list(workers), worker_of[threads])
    out["x0"] = start - origin
    out["x1"] = stop - origin
    out["row"] = rows[threads].astype(np.int32)
    out["text"] = history.keys[slots]
    out["code"] = label_codes(codes)
    out["seconds"] = stop - start
    out["tasks"] = len(slots)
    return out


def palette(
    history: TaskHistory, looks: np.ndarray, colors: Mapping[str, str]
) -> tuple[list[str], np.ndarray]:
    """The colours of ``looks`` (``prefix id * 256 + code`` per record), found
    once per distinct look (a live update has a handful), and each one's index
    into them (looks of one colour share an entry)."""
    distinct, index = np.unique(looks, return_inverse=True)
    found = [
        color_of(c % 256, colors.get(history.prefixes[c // 256], OTHER_ACTION))
        for c in distinct.tolist()
    ]
    # Looks of one colour (several erred functions) share an entry.
    table = list(dict.fromkeys(found))
    where = np.array([table.index(c) for c in found] or [0], dtype=np.int32)
    return table, where[index.reshape(-1)]


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
    row, c0 = np.divmod(first, pixels)
    pid, code = np.divmod(codes, 256)
    names = [history.prefixes[p] for p in pid.tolist()]
    out = no_segments()
    out["tasks"], out["aggregated"] = len(visible), True
    shift = t0 - origin
    out["x0"] = shift + c0 * width
    out["x1"] = shift + (last % pixels + 1) * width
    out["row"] = row.astype(np.int32)
    out["colors"], out["color"] = palette(history, codes, colors)
    out["text"] = np.array(
        [run_label(n, c, p) for n, c, p in zip(n_tasks.tolist(), code.tolist(), names)],
        dtype=object,
    )
    out["code"] = np.full(len(first), TEXT_CODE, dtype=np.uint8)
    out["worker"] = np.full(len(first), -1, dtype=np.int32)
    out["seconds"] = np.zeros(len(first))
    return out
