"""Runs in the kernel: a flat profile (``ProfileFrames``) as the rectangles of a flame graph.

Pure functions over plain data.  The profile arrives as a flat tree (each
frame names its parent); :func:`flame_rects` lays out the subtree under the
frame the user zoomed into: that frame spans the whole width at depth 0,
each callee stands on its caller, as wide as its share of the caller's
samples, widest first.  A zoom is kept as the path of frame identifiers
from the top (:func:`path_of`), which still means the same frame in the
next profile, so a refresh does not undo it.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from .colors import PALETTE

#: Rectangles narrower than this share of the zoomed frame are not drawn.
MIN_WIDTH = 0.002

FLAME_COLUMNS = ("x0", "x1", "depth", "node", "color", "label", "tooltip")


def children_of(parent: Sequence[int]) -> list[list[int]]:
    """For each frame, the indices of its callees, in the order given."""
    kids: list[list[int]] = [[] for _ in parent]
    for index, p in enumerate(parent):
        if p >= 0:
            kids[p].append(index)
    return kids


def find_path(frames: Mapping[str, Any], path: Sequence[str]) -> tuple[int, list[str]]:
    """The frame at ``path`` (identifiers below the root), or the deepest that exists.

    Returns its index and the part of ``path`` that was found.
    """
    if not frames.get("count"):
        return -1, []
    kids = children_of(frames["parent"])
    ident = frames["ident"]
    node, found = 0, []
    for step in path:
        match = next((c for c in kids[node] if ident[c] == step), None)
        if match is None:
            break
        node = match
        found.append(step)
    return node, found


def path_of(frames: Mapping[str, Any], node: int) -> list[str]:
    """Identifiers from below the root down to ``node`` (what :func:`find_path` takes)."""
    parent, ident = frames["parent"], frames["ident"]
    path = []
    while node > 0:
        path.append(ident[node])
        node = parent[node]
    return path[::-1]


def file_color(filename: str) -> str:
    """One palette colour per source file, the same in every profile."""
    return PALETTE[zlib.crc32(filename.encode()) % len(PALETTE)]


def frame_tooltip(frames: Mapping[str, Any], node: int, total: int) -> str:
    """Function, file and line, and the share of all samples, as plain text."""
    share = frames["count"][node] / total if total else 0.0
    where = f"{frames['filename'][node]}:{frames['line_number'][node]}"
    line = frames["line"][node]
    return "\n".join(
        part
        for part in (
            f"{frames['name'][node]}  {share:.1%} of the time",
            where if node else "",
            line,
        )
        if part
    )


def flame_rects(frames: Mapping[str, Any], path: Sequence[str]) -> dict[str, Any]:
    """Rectangles of the flame graph zoomed into the frame at ``path``.

    Returns the columns of :data:`FLAME_COLUMNS` (``x`` from 0 to 1 across
    the zoomed frame, ``depth`` 0 for it, ``node`` the frame's index in
    ``frames``), plus ``depth_max``, ``path`` (what of ``path`` was found),
    ``total`` (samples in the whole profile) and ``zoomed`` (the zoomed
    frame's samples).
    """
    out: dict[str, Any] = {name: [] for name in FLAME_COLUMNS}
    top, found = find_path(frames, path)
    out.update(depth_max=0, path=found, total=0, zoomed=0)
    if top < 0:
        return out
    counts = frames["count"]
    total = counts[0]
    out["total"], out["zoomed"] = total, counts[top]
    if not counts[top]:
        return out
    kids = children_of(frames["parent"])
    whole = counts[top]  # divided by, not times 1/whole: the zoomed frame is exactly 1
    stack = [(top, 0.0, 0)]
    while stack:
        node, x0, depth = stack.pop()
        width = counts[node] / whole
        if width < MIN_WIDTH:
            continue
        out["x0"].append(x0)
        out["x1"].append(x0 + width)
        out["depth"].append(depth)
        out["node"].append(node)
        out["color"].append(file_color(frames["filename"][node]))
        out["label"].append(frames["name"][node])
        out["tooltip"].append(frame_tooltip(frames, node, total))
        out["depth_max"] = max(out["depth_max"], depth)
        x = x0
        placed = []
        for child in sorted(kids[node], key=lambda c: -counts[c]):
            placed.append((child, x, depth + 1))
            x += counts[child] / whole
        stack.extend(reversed(placed))  # the widest callee is listed next
    return out


def short_file(filename: str) -> str:
    """The last two parts of a path: enough to tell files apart in a tooltip or menu."""
    parts = filename.replace("\\", "/").split("/")
    return os.path.join(*parts[-2:]) if len(parts) > 1 else filename
