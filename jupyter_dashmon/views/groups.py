"""Runs in the kernel: the Groups tab, task groups as a graph laid out left to right.

Reads :class:`~jupyter_dashmon.aggregate.models.GroupsModel` (and the
prefix colours of the progress model).  Each group is a box outlined in its
function's colour and filled from the left by its progress: released (the
function's colour, faint), in memory (the colour), erred (black),
processing (grey), waiting (empty); an arrow-less line joins it to each
group it depends on (dependencies stand to the left).  Hovering a box gives
the group's name and counts.  Names are SVG text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from bqplot import Label as TextMark
from bqplot import LinearScale, Lines
from ipywidgets import Layout, VBox

from ..aggregate import transforms as tf
from ..aggregate.colors import ERRED, PROCESSING, RELEASED_OPACITY, TEXT
from ..aggregate.groups import group_tooltip, progress_parts
from ..aggregate.models import GroupsModel
from .base import NEUTRAL, Throttle, tile_figure
from .hover import tooltip, tooltip_style

#: Half the width and half the height of a box, in columns and rows.
HALF_W, HALF_H = 0.36, 0.3
#: Pixels per row of boxes, and the least and most height of the figure.
ROW_PX, LEAST_PX, MOST_PX = 44, 180, 640
#: Boxes are named only up to this many (more would overlap).
MOST_NAMED = 80


class GroupsView:
    """The Groups tab (``.widget``, ``.figure``).

    Attributes
    ----------
    edges : bqplot.Lines
        One line per dependency.
    fills : bqplot.Lines
        The progress parts of every box, as closed rectangles.
    boxes : bqplot.Lines
        One outlined rectangle per group, carrying its tooltip (drawn last).
    names : bqplot.Label
        Function names under the boxes.
    """

    def __init__(self, model: GroupsModel, colors: Callable[[], dict], every: float = 0.5):
        self.model = model
        self.colors = colors
        x, y = LinearScale(min=-0.5, max=0.5), LinearScale(min=-0.5, max=0.5)
        self.scales = {"x": x, "y": y}
        self.edges = Lines(scales=self.scales, colors=[NEUTRAL], stroke_width=1.0)
        self.fills = Lines(scales=self.scales, fill="inside", close_path=True, stroke_width=0)
        self.boxes = Lines(
            scales=self.scales,
            fill="inside",
            close_path=True,
            stroke_width=1.5,
            tooltip=tooltip(),
            tooltip_style=tooltip_style(2),
        )
        self.names = TextMark(
            scales=self.scales,
            x=[],
            y=[],
            text=[],
            colors=[TEXT],
            default_size=10,
            align="middle",
            y_offset=12,
            enable_hover=False,
        )
        self.figure = tile_figure(
            "Task groups",
            LEAST_PX,
            margin={"top": 32, "bottom": 16, "left": 8, "right": 8},
            marks=[self.edges, self.fills, self.names, self.boxes],
        )
        self.widget = VBox([self.figure], layout=Layout(width="100%"))
        self.redraw = Throttle(self._draw, every, on_active=self._set_active)
        model.observe(self.redraw, names=["nodes", "hidden"])
        self._draw()

    def _set_active(self, active: bool) -> None:
        self.model.active = active

    def _draw(self) -> None:
        nodes = self.model.nodes
        n = len(nodes.get("name", []))
        colors = self.colors()
        xs = np.asarray(nodes.get("x", []), float)
        ys = -np.asarray(nodes.get("y", []), float)  # first in a column on top
        rows = max(int(nodes.get("rows", 0)), 1)
        with self.figure.hold_sync():
            self.figure.layout.height = f"{min(max(rows * ROW_PX + 48, LEAST_PX), MOST_PX)}px"
            sx, sy = self.scales["x"], self.scales["y"]
            sx.min, sx.max = -0.5, max(float(nodes.get("columns", 1)), 1.0) - 0.5
            sy.min, sy.max = -(rows - 1) / 2 - 0.6, (rows - 1) / 2 + 0.5
            self._draw_edges(nodes, xs, ys)
            self._draw_fills(nodes, xs, ys, colors)
            self._draw_boxes(nodes, xs, ys, colors)
            named = n <= MOST_NAMED
            with self.names.hold_sync():
                self.names.x = xs if named and n else []
                self.names.y = ys - HALF_H if named and n else []
                self.names.text = (
                    [tf.short_name(p, 14) for p in nodes.get("prefix", [])] if named else []
                )
            self.figure.title = self._title(n)

    def _title(self, n: int) -> str:
        if not n:
            return "Task groups: none yet"
        hidden = self.model.hidden
        if hidden:
            return f"Task groups: largest {n:,} of {n + hidden:,}"
        return f"Task groups: {n:,}"

    def _draw_edges(self, nodes: dict, xs: np.ndarray, ys: np.ndarray) -> None:
        edges = nodes.get("edges", [])
        with self.edges.hold_sync():
            if not edges:
                self.edges.x, self.edges.y = np.zeros((1, 2)), np.zeros((1, 2))
                self.edges.opacities = [0.0]
                return
            a = np.asarray([e[0] for e in edges])
            b = np.asarray([e[1] for e in edges])
            self.edges.x = np.column_stack([xs[a] + HALF_W, xs[b] - HALF_W]).astype(np.float32)
            self.edges.y = np.column_stack([ys[a], ys[b]]).astype(np.float32)
            self.edges.colors = [NEUTRAL] * len(edges)
            self.edges.opacities = [1.0] * len(edges)

    def _draw_fills(self, nodes: dict, xs: np.ndarray, ys: np.ndarray, colors: dict) -> None:
        x0s, x1s, yc, fill, opacity = [], [], [], [], []
        for i in range(len(xs)):
            color = colors.get(nodes["prefix"][i], NEUTRAL)
            left = xs[i] - HALF_W
            for part, share in progress_parts(nodes, i):
                if share <= 0 or part == "waiting":
                    continue
                width = share * 2 * HALF_W
                x0s.append(left)
                x1s.append(left + width)
                yc.append(ys[i])
                fill.append({"erred": ERRED, "processing": PROCESSING}.get(part, color))
                opacity.append(RELEASED_OPACITY if part == "released" else 1.0)
                left += width
        with self.fills.hold_sync():
            if not x0s:
                self.fills.x, self.fills.y = np.zeros((1, 5)), np.zeros((1, 5))
                self.fills.fill_colors, self.fills.fill_opacities = ["white"], [0.0]
                return
            a, b, c = np.asarray(x0s), np.asarray(x1s), np.asarray(yc)
            self.fills.x = np.column_stack([a, b, b, a, a]).astype(np.float32)
            lo, hi = c - HALF_H, c + HALF_H
            self.fills.y = np.column_stack([lo, lo, hi, hi, lo]).astype(np.float32)
            self.fills.colors = fill
            self.fills.fill_colors = fill
            self.fills.fill_opacities = opacity

    def _draw_boxes(self, nodes: dict, xs: np.ndarray, ys: np.ndarray, colors: dict) -> None:
        n = len(xs)
        with self.boxes.hold_sync():
            if not n:
                self.boxes.x, self.boxes.y = np.zeros((1, 5)), np.zeros((1, 5))
                self.boxes.colors = self.boxes.fill_colors = ["white"]
                self.boxes.opacities, self.boxes.fill_opacities = [0.0], [0.0]
                self.boxes.labels = [""]
                return
            a, b = xs - HALF_W, xs + HALF_W
            lo, hi = ys - HALF_H, ys + HALF_H
            self.boxes.x = np.column_stack([a, b, b, a, a]).astype(np.float32)
            self.boxes.y = np.column_stack([lo, lo, hi, hi, lo]).astype(np.float32)
            self.boxes.colors = [colors.get(p, NEUTRAL) for p in nodes["prefix"]]
            self.boxes.opacities = [1.0] * n
            # Filled but unseen, so hovering anywhere in a box shows its tooltip.
            self.boxes.fill_colors = ["white"] * n
            self.boxes.fill_opacities = [0.0] * n
            self.boxes.labels = [group_tooltip(nodes, i) for i in range(n)]
