"""Runs in the kernel: pure transformations from collector deltas to view data.

Nothing here touches a Client, a widget or a clock: every function takes plain
data (dicts, lists, tuples) and returns plain data, so each is tested with
hand-written input.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

import numpy as np

from ..collect.messages import PrefixCounts, fields_of
from .colors import ERRED, OTHER_ACTION, PROCESSING, RELEASED_OPACITY
from .ticks import BYTE_UNITS

# -- progress --------------------------------------------------------------

#: The fields of ``PrefixCounts``; :func:`progress_totals` sums each of them.
PREFIX_FIELDS = fields_of(PrefixCounts)

#: Title counters, in the order the upstream title shows them.
TOTAL_FIELDS = ("total", "waiting", "queued", "processing", "memory", "no_worker", "erred")

#: Task states of the scheduler page's bar chart, in the order a task usually passes them.
STATES = ("released", "waiting", "queued", "no_worker", "processing", "memory", "erred")


def progress_totals(progress: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Every field of the counts summed over all prefixes, title counters first."""
    totals = dict.fromkeys((*TOTAL_FIELDS, *PREFIX_FIELDS), 0)
    for counts in progress.values():
        for field in totals:
            totals[field] += int(counts.get(field, 0))
    return totals


def progress_title(totals: Mapping[str, int]) -> str:
    """The Progress figure's title: the total of tasks, as the upstream title starts."""
    return f"Progress \u2014 total: {int(totals.get('total', 0)):,}"


def counts_text(totals: Mapping[str, int]) -> str:
    """The line under the progress bars: tasks by state (waiting, queued, processing,
    in memory, no-worker, erred)."""
    return " \u00b7 ".join(
        f"{name.replace('_', '-').replace('memory', 'in memory')}: {int(totals.get(name, 0)):,}"
        for name in TOTAL_FIELDS
        if name != "total"
    )


def moved_totals(
    totals: Mapping[str, int],
    before: Mapping[str, Mapping[str, Any]],
    after: Mapping[str, Mapping[str, Any]],
    changed: Iterable[str],
) -> dict[str, int]:
    """:func:`progress_totals` of ``after``, from ``totals`` of ``before``.

    Only the prefixes in ``changed`` are visited, so a poll that touches a
    few of 10,000 prefixes costs a few additions.  Prefixes that ``after``
    lost without being in ``changed`` (the limit of :func:`merge_progress`
    dropped them) are found by a pass over the names only.  Without totals
    of a non-empty ``before``, everything is summed again.
    """
    if not totals and before:
        return progress_totals(after)
    out = dict(totals) if totals else progress_totals({})
    touched = dict.fromkeys(changed)
    size = len(before)
    for prefix in touched:
        old, new = before.get(prefix), after.get(prefix)
        size += (new is not None) - (old is not None)
        _add(out, old, -1)
        _add(out, new, 1)
    if size != len(after):
        for prefix in before.keys() - after.keys() - touched.keys():
            _add(out, before[prefix], -1)
    return out


def _add(totals: dict[str, int], counts: Mapping[str, Any] | None, sign: int) -> None:
    if counts is not None:
        for field in totals:
            totals[field] += sign * int(counts.get(field, 0))


def state_counts(totals: Mapping[str, int]) -> dict[str, int]:
    """Tasks in each of :data:`STATES`, from :func:`progress_totals`."""
    return {state: int(totals.get(state, 0)) for state in STATES}


def merge_progress(
    held: Mapping[str, PrefixCounts], changed: Mapping[str, PrefixCounts], limit: int
) -> dict[str, PrefixCounts]:
    """``held`` updated with ``changed``; prefixes with no tasks are dropped.

    At most ``limit`` prefixes are kept; beyond it, those with the fewest
    tasks go first, so the largest functions always survive.
    """
    merged = dict(held)
    for prefix, counts in changed.items():
        if counts.get("total", 0) > 0 or counts.get("nbytes", 0) > 0:
            merged[prefix] = counts
        else:
            merged.pop(prefix, None)
    if len(merged) > limit:
        keep = sorted(merged, key=lambda p: merged[p]["total"], reverse=True)[:limit]
        merged = {p: merged[p] for p in keep}
    return merged


class Bar(TypedDict):
    """One progress bar: a prefix and its segment edges as fractions of 1.

    ``quiet`` marks a finished function that holds nothing: no task left to
    run and no result in memory (its tasks were released or forgotten).
    """

    prefix: str
    total: int
    done: int
    released: float
    memory: float
    erred: float
    processing: float
    quiet: bool


#: Counts of tasks that are still to run.
PENDING_FIELDS = ("processing", "waiting", "queued", "no_worker")


def bar_group(counts: Mapping[str, Any]) -> int:
    """0: work still to do; 1: finished, results in memory; 2: finished, nothing held."""
    finished = int(counts.get("done", 0)) + int(counts.get("erred", 0))
    if finished < int(counts.get("total", 0)) or any(counts.get(f, 0) for f in PENDING_FIELDS):
        return 0
    return 1 if counts.get("memory", 0) else 2


def progress_bars(progress: Mapping[str, PrefixCounts], max_bars: int) -> tuple[list[Bar], int]:
    """The bars to draw and how many more were left out.

    Functions with work still to run come first, then finished ones that
    hold results, then finished ones that hold nothing (``quiet``); within
    each group the largest total first, ties by name.  Past ``max_bars``
    the last ones are left out, so finished work makes way for running
    work.  Each bar is split left to right into completed-and-released,
    completed and in memory, erred, and processing; the edges are cumulative
    fractions of the prefix's total, so every bar spans the same width when
    complete.
    """
    nonempty = [p for p in progress if progress[p]["total"] > 0]
    shown = heapq.nsmallest(max_bars, nonempty, key=_bar_order(progress))
    bars: list[Bar] = []
    for prefix in shown:
        c = progress[prefix]
        total = max(c["total"], 1)
        released = max(c["done"] - c["memory"], 0) / total
        memory = released + c["memory"] / total
        erred = memory + c["erred"] / total
        processing = erred + c["processing"] / total
        bars.append(
            {
                "prefix": prefix,
                "total": c["total"],
                "done": c["done"],
                "released": min(released, 1.0),
                "memory": min(memory, 1.0),
                "erred": min(erred, 1.0),
                "processing": min(processing, 1.0),
                "quiet": bar_group(c) == 2,
            }
        )
    hidden = len(nonempty) - len(shown)
    return bars, hidden


def _bar_order(progress: Mapping[str, PrefixCounts]) -> Any:
    return lambda p: (bar_group(progress[p]), -progress[p]["total"], p)


def more_tooltip(progress: Mapping[str, PrefixCounts], bars: Sequence[Bar], most: int = 12) -> str:
    """The hover of the "+N more" line: the first ``most`` functions left out, one a line."""
    shown = {b["prefix"] for b in bars}
    left = [p for p in progress if progress[p]["total"] > 0 and p not in shown]
    first = heapq.nsmallest(most, left, key=_bar_order(progress))
    lines = [f"{p}: {progress[p]['done']:,} / {progress[p]['total']:,}" for p in first]
    if len(left) > len(first):
        lines.append(f"and {len(left) - len(first):,} more")
    return "\n".join(lines)


#: Opacity of the bars of quiet (finished, nothing held) functions.
QUIET_OPACITY = 0.4


def bar_segments(
    bars: Sequence[Bar], colors: Mapping[str, str], keep_empty: bool = False
) -> list[tuple[float, float, int, str, float]]:
    """Bars as (x0, x1, row, colour, opacity) segments, empty ones skipped.

    Released shade (the function's colour at :data:`RELEASED_OPACITY` on the
    page, a tint): completed and released; full colour: in memory; black:
    erred; grey: processing.  Quiet bars are drawn faint.  Row 0 is the
    top bar.  With ``keep_empty``, every bar has exactly four segments
    (zero-width ones included), so that from one update to the next only
    positions change, not the number of segments.
    """
    segments = []
    for row, bar in enumerate(bars):
        color = colors.get(bar["prefix"], OTHER_ACTION)
        faint = QUIET_OPACITY if bar.get("quiet") else 1.0
        edges = (
            (0.0, bar["released"], color, RELEASED_OPACITY * faint),
            (bar["released"], bar["memory"], color, faint),
            (bar["memory"], bar["erred"], ERRED, faint),
            (bar["erred"], bar["processing"], PROCESSING, faint),
        )
        for x0, x1, seg_color, opacity in edges:
            if x1 > x0 or keep_empty:
                segments.append((x0, x1, row, seg_color, opacity))
    return segments


def short_name(name: str, most: int = 20) -> str:
    """``name`` cut to ``most`` characters with an ellipsis, for text inside a bar.

    A bar's tooltip keeps the whole name; cutting it here keeps the counts
    after it on screen in a narrow figure (the 250 px side panel holds about
    32 characters of 12 px text per row).
    """
    return name if len(name) <= most else name[: most - 1] + "\u2026"


def bar_tooltip(prefix: str, counts: Mapping[str, Any]) -> str:
    """Every count of one function, in three lines, for the hover of its bar."""
    c = {field: int(counts.get(field, 0)) for field in (*PREFIX_FIELDS, "total")}
    return (
        f"{prefix}: {c['done']:,} of {c['total']:,} done\n"
        f"in memory {c['memory']:,} \u00b7 released {c['released']:,}"
        f" \u00b7 erred {c['erred']:,}\n"
        f"processing {c['processing']:,} \u00b7 waiting {c['waiting']:,}"
        f" \u00b7 queued {c['queued']:,} \u00b7 no-worker {c['no_worker']:,}"
    )


# -- memory ----------------------------------------------------------------


def memory_bars(progress: Mapping[str, PrefixCounts], most: int) -> tuple[dict[str, int], int, int]:
    """The bars of the memory figure: bytes in memory now of the ``most``
    prefixes that hold the most (ties: by name), sorted by name; how many
    more prefixes hold bytes; and the bytes held by all of them."""
    held = {p: int(c["nbytes"]) for p, c in progress.items() if c["nbytes"] > 0}
    shown = heapq.nsmallest(max(most, 1), held, key=lambda p: (-held[p], p))
    return {p: held[p] for p in sorted(shown)}, len(held) - len(shown), sum(held.values())


# -- resources -------------------------------------------------------------


def cost_rate(time: Sequence[float], seconds: Sequence[float]) -> tuple[list[float], list[float]]:
    """Dashboard cost as % of one core between samples: (sample times, %).

    ``seconds`` is cumulative; each point is Δseconds / Δtime * 100 at the
    later sample.  Pairs with no time between them are skipped, and a drop in
    the total (a new collector) counts as zero rather than negative.
    """
    n = min(len(time), len(seconds))
    t = np.asarray(time[-n:], dtype=float) if n else np.zeros(0)
    s = np.asarray(seconds[-n:], dtype=float) if n else np.zeros(0)
    dt, ds = np.diff(t), np.diff(s)
    keep = dt > 0
    pct = np.maximum(ds[keep], 0.0) / dt[keep] * 100.0
    return t[1:][keep].tolist(), pct.tolist()


# -- formatting ------------------------------------------------------------


def format_bytes(n: float) -> str:
    """Bytes in human units: ``1.50 MiB``."""
    n = float(n)
    for unit, size in BYTE_UNITS:
        if abs(n) >= 0.9 * size:
            return f"{n / size:.2f} {unit}"
    return f"{int(n)} B"


#: How a duration reads: below each bound (seconds), scaled, with so many
#: decimals, then the unit.  The task canvas formats its hover text in the
#: browser from this same table (:class:`~..views.canvas.TaskCanvas`).
DURATION_UNITS = ((1e-3, 1e6, 0, " us"), (1.0, 1e3, 1, " ms"), (math.inf, 1.0, 2, " s"))
_DURATION_BOUNDS = np.array([bound for bound, _, _, _ in DURATION_UNITS[:-1]])
_DURATION_SCALES = np.array([scale for _, scale, _, _ in DURATION_UNITS])
_DURATION_TEXTS = [f"{{:.{digits}f}}{unit}".format for _, _, digits, unit in DURATION_UNITS]


def format_seconds(s: float) -> str:
    """A duration in readable units: ``12.3 ms``, ``4.56 s``."""
    for (bound, scale, _, _), text in zip(DURATION_UNITS, _DURATION_TEXTS):
        if s < bound:
            return text(s * scale)
    return text(s)  # NaN: in seconds, as the last unit


def format_durations(seconds: np.ndarray) -> list[str]:
    """:func:`format_seconds` of every value of an array (units chosen in bulk;
    NaN sorts last, so it reads in seconds there too)."""
    s = np.asarray(seconds, dtype=float)
    unit = np.searchsorted(_DURATION_BOUNDS, s, side="right")
    scaled = (s * _DURATION_SCALES[unit]).tolist()
    return [_DURATION_TEXTS[u](v) for u, v in zip(unit.tolist(), scaled)]


def append_bounded(held: Sequence[Any], new: Sequence[Any], length: int) -> list[Any]:
    """The last ``length`` items of ``held + new``."""
    if not new:
        return list(held)[-length:]
    return (list(held) + list(new))[-length:]
