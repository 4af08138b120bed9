"""Runs in the kernel: how a task record looks, said once for every task figure.

A record's action and status are packed by the collector into one code
(``2 * action index + erred``); this module alone unpacks it, picks a
rectangle's colour and hover text, and orders worker threads into rows.
The live stream, a fixed window, the Tasks page and a worker's recent tasks
all draw through here (by way of :mod:`.segments`), so the same record looks
the same in each.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from ..collect.messages import ACTIONS
from .colors import DISK, ERRED, OTHER_ACTION, TRANSFER
from .transforms import format_durations

_TRANSFER = ACTIONS.index("transfer")


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

#: Colour per action index; None: the prefix's own colour.
_ACTION_COLORS: tuple[str | None, ...] = tuple(
    {"compute": None, "transfer": TRANSFER, "disk-read": DISK, "disk-write": DISK}.get(
        a, OTHER_ACTION
    )
    for a in ACTIONS
)
#: The text of a label around the key, per code: ``(head, tail)``.  The hover
#: text of a record is ``head + key + " | " + worker + " | " + duration + tail``;
#: the task canvas joins it in the browser from this same table.
LABEL_PARTS: tuple[tuple[str, str], ...] = tuple(
    ("" if action == "compute" else f"{action}: ", " | erred" if erred else "")
    for action in ACTIONS
    for erred in (False, True)
)
#: The code of a segment whose text is its whole label (a run of pixels).
TEXT_CODE = 255


def color_of(code: int, prefix_color: str) -> str:
    """A rectangle's colour: the prefix's for computations, fixed ones otherwise."""
    action, erred = divmod(int(code), 2)
    if action == _TRANSFER:
        return TRANSFER
    if erred:
        return ERRED
    if action >= len(_ACTION_COLORS):
        return OTHER_ACTION
    return _ACTION_COLORS[action] or prefix_color


def label_of(key: str, code: int, worker: str, seconds: float) -> str:
    """Hover text of one task: what ran, where, how long (and whether it erred).

    The thread is not named: its id means nothing to a user, and its row says
    which thread it was.
    """
    return labels_of([key], np.array([code]), [worker], np.array([seconds]))[0]


def label_codes(codes: np.ndarray) -> np.ndarray:
    """Codes as indices into :data:`LABEL_PARTS` (an unknown action reads as the
    last, "other"); :data:`TEXT_CODE` stays."""
    codes = np.asarray(codes, dtype=np.int64)
    known = np.minimum(codes // 2, len(ACTIONS) - 1) * 2 + codes % 2
    return np.where(codes == TEXT_CODE, TEXT_CODE, known).astype(np.uint8)


def labels_of(
    texts: Sequence[str], codes: np.ndarray, workers: Sequence[str], seconds: np.ndarray
) -> list[str]:
    """:func:`label_of` of columns; a ``text`` whose code is :data:`TEXT_CODE` is
    its whole label.  (The live figures leave this join to the browser.)"""
    parts = LABEL_PARTS
    return [
        text if code == TEXT_CODE else f"{parts[code][0]}{text} | {worker} | {took}{parts[code][1]}"
        for text, code, worker, took in zip(
            texts, label_codes(codes).tolist(), workers, format_durations(seconds)
        )
    ]


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
