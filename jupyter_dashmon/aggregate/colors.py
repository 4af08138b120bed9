"""Runs in the kernel: one colour per task prefix, the same in every figure.

Colours come round-robin from the twenty-colour categorical palette that d3
and Bokeh both ship ("category20"), in order of first appearance, so a
function keeps its colour for as long as the dashboard lives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PALETTE = (
    "#1f77b4",
    "#aec7e8",
    "#ff7f0e",
    "#ffbb78",
    "#2ca02c",
    "#98df8a",
    "#d62728",
    "#ff9896",
    "#9467bd",
    "#c5b0d5",
    "#8c564b",
    "#c49c94",
    "#e377c2",
    "#f7b6d2",
    "#7f7f7f",
    "#c7c7c7",
    "#bcbd22",
    "#dbdb8d",
    "#17becf",
    "#9edae5",
)

#: Colours with a fixed meaning, never handed to a prefix.
TRANSFER = "#e41a1c"
ERRED = "#000000"
PROCESSING = "#9e9e9e"
DISK = "#ff7f00"
OTHER_ACTION = "#bdbdbd"


def assign_colors(
    known: Mapping[str, str], prefixes: Iterable[str], limit: int = 100_000
) -> dict[str, str]:
    """``known`` extended with a palette colour for every new prefix.

    Returns ``known`` itself (same object) when nothing is new, so that a
    traitlets model sees no change.  When more than ``limit`` prefixes are
    known, the oldest are dropped: the mapping stays bounded.
    """
    new = [p for p in dict.fromkeys(prefixes) if p not in known]
    if not new:
        return dict(known) if not isinstance(known, dict) else known
    colors = dict(known)
    # Continue the rotation after the last colour handed out (not len(colors):
    # once old entries are dropped, that length would stop moving).
    last = next(reversed(colors.values()), None)
    start = PALETTE.index(last) + 1 if last in PALETTE else 0
    for i, prefix in enumerate(new):
        colors[prefix] = PALETTE[(start + i) % len(PALETTE)]
    while len(colors) > limit:
        colors.pop(next(iter(colors)))
    return colors
