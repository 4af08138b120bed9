"""Runs in the kernel: the windows every task figure shows, over the one task store.

The listener appends collector rows to the store with :func:`append_tasks`,
which also moves the live stream along (a new generation after a quiet
gap).  Each task figure then reads the :class:`TaskWindowModel` (``.out``) kept
in step by one of the windows here:

- :class:`StreamWindow`: the live stream, grown by appending the segments of
  new records only, or a fixed window the user chose;
- :class:`HistoryWindow`: the Tasks page, the whole store or a zoomed part;
- :class:`WorkerWindow`: the selected worker's last seconds.

A window computes only while its model is ``active`` (a figure shows it);
new records are taken in at most every ``every`` seconds, while a change the
user made (mode, window, worker) is taken in at once.
"""

from __future__ import annotations

from typing import Any

from ..collect.messages import PackedColumns
from .models import (
    ProgressModel,
    TaskHistoryModel,
    TaskStreamModel,
    TaskWindowModel,
    WorkersModel,
)
from .segments import (
    Segments,
    concat_segments,
    no_segments,
    task_segments,
    window_segments,
)
from .task_marks import row_map
from .throttle import Throttle

#: Most rectangles drawn for a fixed stream window (beyond it, runs of pixels).
FIXED_MAX_EXACT = 1000
#: Columns of the pixel grid of a fixed stream window.
FIXED_PIXELS = 1000
#: Columns of the Tasks page's pixel grid.
PAGE_PIXELS = 1200
#: Records of the store the stream's restart check looks back over.
GAP_LOOKBACK = 64
#: Seconds between the live stream's intakes of new records: the default poll
#: interval, so a task shows about one poll after it stops (bench item 5b).
#: Each intake appends only the new records' segments; at 0.5 s, a task
#: waited up to half a second more.
STREAM_EVERY = 0.2


# -- the store and the live stream -----------------------------------------------


def append_tasks(
    store: TaskHistoryModel, stream: TaskStreamModel, packed: PackedColumns, now: float
) -> int:
    """Append collector rows to the store and move the live stream over them."""
    history = store.history
    before = history.count
    added = history.append(packed)
    if added:
        advance_stream(stream, before, now)
        store.revision += 1
    return added


def advance_stream(stream: TaskStreamModel, before: int, now: float) -> None:
    """Take the store's records from cursor ``before`` on into the live stream.

    The stream starts afresh when they begin more than ``gap`` seconds after
    the latest stop it held (a quiet cluster gets a clean picture for its
    next computation), or when it held nothing.
    """
    history = stream.source.history
    new = history.since(before)
    if not len(new):
        return
    lo = max(stream.start, before - stream.length, history.oldest(), before - GAP_LOOKBACK)
    held = history.since(lo)[: max(before - lo, 0)]
    restart = not len(held) or (history.start[new].min() - history.stop[held].max() > stream.gap)
    threads = [] if restart else list(stream.threads)
    known = set(threads)
    threads += [t for t in dict.fromkeys(history.thread_id[new].tolist()) if t not in known]
    if not restart and len(threads) == len(known):
        stream.now = now  # most polls: no hold needed for one trait
        return
    with stream.hold_trait_notifications():
        if restart:
            stream.generation += 1
            stream.start = before
            stream.origin = float(history.start[new].min())
        if restart or len(threads) != len(known):
            stream.threads = threads
        stream.now = now


def reset_store(store: TaskHistoryModel, stream: TaskStreamModel) -> None:
    """Forget every record (a new scheduler): the stream starts afresh."""
    held = store.history.count > 0
    store.history.clear()
    with stream.hold_trait_notifications():
        stream.start = 0
        stream.threads = []
        stream.generation += 1
    if held:
        # Only then: every dashboard starts with a reset, and a refresh of an
        # empty store would spend the throttle's first, immediate, turn.
        store.revision += 1


# -- publishing ---------------------------------------------------------------------


def publish(
    out: TaskWindowModel,
    segments: Segments,
    rows: int,
    origin: float,
    span: tuple[float, float],
    retained: int,
    append: bool = False,
    incremental: bool = False,
    keep: int | None = None,
) -> None:
    """Write a window's result into ``out``: replace its segments, or append to them."""
    with out.hold_trait_notifications():
        if append:
            held, first = out.segments, 0
            if keep is not None:
                first = max(len(held["x0"]) + len(segments["x0"]) - keep, 0)
            out.segments = dict(concat_segments(held, segments, drop=first))  # type: ignore[arg-type]
            out.total += len(segments["x0"])
        else:
            out.segments = dict(segments)
            out.total = len(segments["x0"])
            out.epoch += 1
        out.incremental = incremental
        out.rows, out.origin, out.span, out.retained = rows, origin, span, retained
        out.revision += 1


class _Window:
    """What every window shares: laziness and throttled intake of new records."""

    def __init__(self, store: TaskHistoryModel, out: TaskWindowModel | None, every: float):
        self.store = store
        self.out = out = out if out is not None else TaskWindowModel()
        self.intake = Throttle(self.refresh, every)
        self.intake.active = out.active
        # The store's observers hold this window: it lives as long as the models.
        store.observe(self.intake, names=["revision"])
        out.observe(self._on_active, names=["active"])

    def _on_active(self, change: dict[str, Any]) -> None:
        self.intake.active = change["new"]

    def now(self, change: object = None) -> None:
        """Refresh at once (a user's choice), or as soon as the window is shown."""
        if self.out.active:
            self.refresh()
        else:
            self.intake()

    def refresh(self) -> None:
        raise NotImplementedError


class StreamWindow(_Window):
    """Keeps ``out`` equal to the live stream of ``tasks``, or its fixed window.

    Live: the last ``tasks.length`` records of the generation, one segment
    each, rows the generation's threads; only the records new since the
    last refresh are turned into segments and appended.  Fixed: the records
    overlapping ``tasks.window``, rows the generation's threads plus any
    other thread in the window, so that switching modes moves no row.
    """

    def __init__(
        self,
        tasks: TaskStreamModel,
        progress: ProgressModel,
        out: TaskWindowModel | None = None,
        every: float = STREAM_EVERY,
    ):
        self.tasks, self.progress = tasks, progress
        self._cursor = 0
        self._generation = -1
        self._shown: list[int] = []
        self._done: tuple = ()
        super().__init__(tasks.source, out, every)
        tasks.observe(self._on_choice, names=["mode", "window"])
        self.now()

    def _on_choice(self, change: dict[str, Any]) -> None:
        if change["name"] == "window" and self.tasks.mode == "live":
            return  # kept for when the user fixes the window
        self._generation = -1  # coming back to live redraws it whole
        self.now()

    def refresh(self) -> None:
        t = self.tasks
        if t.mode == "fixed" and t.window[1] > t.window[0]:
            self._fixed()
        else:
            self._live()

    def _live(self) -> None:
        t, history = self.tasks, self.tasks.source.history
        with history.lock:
            first, count = t.first(), history.count
            shown = sorted(t.threads)
            rows = row_map(len(history.threads), shown)
            whole = (
                not self.out.incremental
                or self._generation != t.generation
                or shown[: len(self._shown)] != self._shown
                or not first <= self._cursor <= count
            )
            slots = history.since(first if whole else self._cursor)
            segments = task_segments(history, slots, rows, self.progress.colors, t.origin)
            span = self._span(history, first)
        self._cursor, self._generation, self._shown = count, t.generation, shown
        if not whole and not len(segments["x0"]):
            return
        publish(
            self.out,
            segments,
            len(shown),
            t.origin,
            span,
            len(history),
            append=not whole,
            incremental=True,
            keep=t.length,
        )

    def _span(self, history: Any, first: int) -> tuple[float, float]:
        t = self.tasks
        held = history.since(first)
        if not len(held):
            return (0.0, max(t.now - t.origin, 1.0))
        # Records arrive in the order the collector drained them, not by time: the
        # extent of them all, so a fixed window made from this span holds them all.
        left = float(history.start[held].min()) - t.origin
        right = max(float(history.stop[held].max()) - t.origin, t.now - t.origin, left + 1.0)
        return (left, right)

    def _fixed(self) -> None:
        t, history = self.tasks, self.tasks.source.history
        t0, t1 = t.window
        # A zoom changes window and mode at once: compute the window once.
        done = (t.window, history.count, t.generation, t.origin)
        if not self.out.incremental and done == self._done:
            return
        self._done = done
        with history.lock:
            segments, rows = window_segments(
                history,
                self.progress.colors,
                t0,
                t1,
                t.origin,
                threads=t.threads,
                pixels=FIXED_PIXELS,
                max_exact=FIXED_MAX_EXACT,
            )
        span = (t0 - t.origin, t1 - t.origin)
        publish(self.out, segments, rows, t.origin, span, len(history))


class HistoryWindow(_Window):
    """Keeps ``out`` equal to the Tasks page: the whole store, or ``out.window``.

    Rows are every thread of the store.  ``out.origin`` is the start of the
    first record the page saw; it stays put while old records are
    overwritten, so a window the user zoomed to keeps its place.
    """

    def __init__(
        self,
        store: TaskHistoryModel,
        progress: ProgressModel,
        out: TaskWindowModel | None = None,
        every: float = 1.0,
    ):
        self.progress = progress
        self._done: tuple = ()
        super().__init__(store, out, every)
        self.out.observe(self.now, names=["follow", "window", "run"])
        self.now()

    def refresh(self) -> None:
        out, history = self.out, self.store.history
        with history.lock:
            lo, hi = history.span()
            origin = out.origin if 0.0 < out.origin <= lo else lo
            chosen = not out.follow and out.window[1] > out.window[0]
            t0, t1 = out.window if chosen else (lo, max(hi, lo + 1.0))
            # A zoom changes follow and window at once: compute the window once.
            done = (t0, t1, origin, history.count, out.run)
            if done == self._done:
                return
            self._done = done
            segments, rows = window_segments(
                history, self.progress.colors, t0, t1, origin, pixels=PAGE_PIXELS, run=out.run
            )
        publish(out, segments, rows, origin, (t0 - origin, t1 - origin), len(history))


class WorkerWindow(_Window):
    """Keeps ``out`` equal to the last ``span`` seconds of the selected worker.

    Rows are that worker's threads; x is seconds before its latest record.
    """

    def __init__(
        self,
        store: TaskHistoryModel,
        workers: WorkersModel,
        progress: ProgressModel,
        out: TaskWindowModel | None = None,
        span: float = 60.0,
        every: float = 1.0,
    ):
        self.workers, self.progress, self.span = workers, progress, span
        super().__init__(store, out, every)
        workers.observe(self.now, names=["selected"])
        self.now()

    def refresh(self) -> None:
        address, history = self.workers.selected, self.store.history
        span = (-self.span, 0.0)
        with history.lock:
            if not address or not len(history):
                publish(self.out, no_segments(), 0, 0.0, span, len(history))
                return
            _, latest = history.span()
            threads = [i for i, (w, _) in enumerate(history.threads) if w == address]
            segments, rows = window_segments(
                history,
                self.progress.colors,
                latest - self.span,
                latest,
                latest,
                threads=threads,
                only=True,
                pixels=600,
                max_exact=2000,
            )
        publish(self.out, segments, rows, latest, span, len(history))
