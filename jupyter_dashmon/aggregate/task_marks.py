"""Runs in the kernel: how a task record looks, said once for every task figure.

A record's action and status are packed by the collector into one code
(``2 * action index + erred``); this module alone unpacks it, picks a
rectangle's colour and hover text, and orders worker threads into rows.
The live stream, a fixed window, the Tasks page and a worker's recent tasks
all draw through here (by way of :mod:`.segments`), so the same record looks
the same in each.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from ..collect.messages import ACTIONS
from .colors import DISK, ERRED, OTHER_ACTION, TRANSFER
from .transforms import format_seconds

_COMPUTE, _TRANSFER = ACTIONS.index("compute"), ACTIONS.index("transfer")
_DISK = (ACTIONS.index("disk-read"), ACTIONS.index("disk-write"))


# -- codes -------------------------------------------------------------------


def action_of(code: int) -> str:
    """The action a collector code stands for ("other" when unknown)."""
    index = int(code) // 2
    return ACTIONS[index] if 0 <= index < len(ACTIONS) else "other"


def status_of(code: int) -> str:
    """``"error"`` for an erred record, else ``"OK"``."""
    return "error" if int(code) % 2 else "OK"


def code_of(action: str, status: str) -> int:
    """The collector code of an action and status (the inverse of the two above)."""
    index = ACTIONS.index(action) if action in ACTIONS else ACTIONS.index("other")
    return 2 * index + (status == "error")


# -- colour and hover text -----------------------------------------------------


def color_of(code: int, prefix_color: str) -> str:
    """A rectangle's colour: the prefix's for computations, fixed ones otherwise."""
    action, erred = divmod(int(code), 2)
    if action == _TRANSFER:
        return TRANSFER
    if erred:
        return ERRED
    if action == _COMPUTE:
        return prefix_color
    return DISK if action in _DISK else OTHER_ACTION


def label_of(key: str, code: int, worker: str, seconds: float) -> str:
    """Hover text of one task: what ran, where, how long (and whether it erred).

    The thread is not named: its id means nothing to a user, and its row says
    which thread it was.
    """
    action = action_of(code)
    what = key if action == "compute" else f"{action}: {key}"
    erred = " | erred" if int(code) % 2 else ""
    return f"{what} | {worker} | {format_seconds(seconds)}{erred}"


def run_label(tasks: int, code: int, prefix: str) -> str:
    """Hover text of a run of pixels standing for ``tasks`` tasks."""
    action = action_of(code)
    kind = prefix if action == "compute" else f"{action} ({prefix})"
    return f"{tasks:,} task{'s' * (tasks != 1)}, mostly {kind} | zoom in for detail"


# -- rows -------------------------------------------------------------------------


def row_map(n_threads: int, shown: Collection[int]) -> np.ndarray:
    """Row of each thread id of a store (-1: not shown).

    Rows follow the order in which the store first saw each thread, whatever
    the figure: a thread keeps its place relative to the others in the live
    stream, a fixed window, the Tasks page and a worker's stream.
    """
    rows = np.full(max(n_threads, 1), -1, dtype=np.int64)
    ids = np.array(sorted(shown), dtype=np.int64)
    rows[ids] = np.arange(len(ids))
    return rows
