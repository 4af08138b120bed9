"""Runs in the kernel: what every dashboard figure shares.

A figure here is a bqplot ``Figure`` sized for a dashboard tile, with colours
that read on JupyterLab's light and dark themes (a mid-grey for text and
lines that are not data), and no animation, so frequent updates stay cheap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bqplot import Figure, Lines
from ipywidgets import Layout

#: Neutral colour for labels and tracks, legible on white and on dark grey.
NEUTRAL = "#8c8c8c"


def tile_figure(title: str, height: int, margin: dict | None = None, **kwargs) -> Figure:
    """An empty dashboard figure of a given pixel height."""
    fig_margin = {"top": 36, "bottom": 30, "left": 16, "right": 16}
    fig_margin.update(margin or {})
    return Figure(
        title=title,
        fig_margin=fig_margin,
        layout=Layout(width="100%", height=f"{height}px", min_width="240px"),
        animation_duration=0,
        padding_y=0.0,
        padding_x=0.0,
        title_style={"font-size": "13px"},
        background_style={"fill": "none"},
        **kwargs,
    )


def plot_height(fig: Figure) -> float:
    """Pixel height of the plotting area of ``fig``."""
    total = float(str(fig.layout.height).removesuffix("px"))
    return max(total - fig.fig_margin["top"] - fig.fig_margin["bottom"], 10.0)


def set_segments(
    mark: Lines,
    x0: Sequence[float],
    x1: Sequence[float],
    y: Sequence[float],
    colors: Sequence[str],
    opacities: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
) -> None:
    """Draw horizontal segments (thick lines) as one ``Lines`` mark.

    A segment of stroke width ``w`` pixels is a rectangle ``w`` pixels tall;
    one mark holds them all, so an update is a single message.
    """
    n = len(x0)
    with mark.hold_sync():
        if n == 0:
            mark.x, mark.y = np.zeros((1, 2)), np.zeros((1, 2))
            mark.colors, mark.opacities, mark.labels = ["white"], [0.0], [""]
            return
        mark.x = np.column_stack([np.asarray(x0, float), np.asarray(x1, float)])
        mark.y = np.column_stack([np.asarray(y, float), np.asarray(y, float)])
        mark.colors = list(colors)
        mark.opacities = list(opacities) if opacities is not None else [1.0] * n
        mark.labels = list(labels) if labels is not None else [""] * n
