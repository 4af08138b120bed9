"""Runs in the kernel: one colour per task prefix, the same in every figure.

Colours come round-robin from :data:`PALETTE`, in order of first appearance,
so a function keeps its colour for as long as the dashboard lives.

The palette is twelve hues of one lightness (OKLab L = 0.60), so no function
looks like the light or dark partner of another (category20's pairs did),
and both dark and white text read on every one of them (contrast 3.7:1 or
more), on JupyterLab's light and dark themes alike.  Hues from red to orange
are left out: red means a transfer and orange a disk access.  Consecutive
entries are five hue steps apart, so functions that appear one after the
other differ clearly.

Past twelve functions the rotation goes round again: function 13 takes the
colour of function 1, and so on, so any twelve functions in a row differ
and neighbours always do, while functions twelve apart share a colour (the
name in each bar and tooltip tells them apart).  More hues at this
lightness would be too close to tell apart, and other lightnesses would
read as the released or in-memory shade of another function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PALETTE = (
    "#3d80d7",
    "#9e7b0b",
    "#12909f",
    "#af5bad",
    "#049863",
    "#7173d7",
    "#83870b",
    "#0c8bbb",
    "#c1558a",
    "#089487",
    "#9466c8",
    "#53932d",
)

#: Colours with a fixed meaning, never handed to a prefix.
TRANSFER = "#e41a1c"
ERRED = "#000000"
PROCESSING = "#9e9e9e"
DISK = "#ff7f00"
OTHER_ACTION = "#bdbdbd"

#: Opacity of a function's released shade, drawn straight on the page (never
#: over the track): a tint of its colour towards the page, lighter on a light
#: theme, darker on a dark one, the same hue either way.
RELEASED_OPACITY = 0.45

#: Text on the page and on bars: the theme's text colour (dark, or white in dark themes).
TEXT = "var(--jp-content-font-color1, #1a1a1a)"

#: The faint track of a progress bar's part still to do: the theme's faint fill.
TRACK = "var(--jp-layout-color2, #eeeeee)"


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
