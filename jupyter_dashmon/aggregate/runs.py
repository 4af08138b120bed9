"""Runs in the kernel: runs of work in a task history, separated by idle time.

Pure functions over start/stop arrays.  The Tasks page zooms to the latest
run, so that minutes of idle time between runs do not squeeze every run
into a sliver.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Seconds without any task running that separate two runs.
IDLE_GAP = 5.0


def runs(start: ArrayLike, stop: ArrayLike, idle: float = IDLE_GAP) -> list[tuple[float, float]]:
    """The ``(first start, last stop)`` of each run, oldest first.

    A run ends where no task runs for more than ``idle`` seconds.
    """
    s, e = np.asarray(start, dtype=float), np.asarray(stop, dtype=float)
    if not len(s):
        return []
    order = np.argsort(s, kind="stable")
    s, e = s[order], np.maximum.accumulate(e[order])
    # A new run starts where a task starts later than everything before it stopped + idle.
    breaks = np.nonzero(s[1:] > e[:-1] + idle)[0] + 1
    firsts = np.concatenate([[0], breaks])
    lasts = np.concatenate([breaks - 1, [len(s) - 1]])
    return [(float(s[a]), float(e[b])) for a, b in zip(firsts, lasts)]


def latest_run(start: ArrayLike, stop: ArrayLike, idle: float = IDLE_GAP) -> tuple[float, float]:
    """The newest run's span, ``(0, 0)`` without tasks."""
    found = runs(start, stop, idle)
    return found[-1] if found else (0.0, 0.0)
