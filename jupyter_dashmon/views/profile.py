"""Runs in the kernel: the Profile tab, the workers' statistical profile as a flame graph.

Reads :class:`~jupyter_dashmon.aggregate.models.ProfileModel` (and the
worker and function names of the status and progress models, for the
choosers).  Each frame is a rectangle standing on its caller, as wide as
its share of the caller's samples, coloured by its source file; hovering
says the function, file, line and share of all the time; clicking a frame
zooms into it, clicking the bottom frame (or "Zoom out") goes back one level.  The
frames are closed paths of one ``Lines`` mark (one message per redraw),
their names SVG text: nothing drawn from the profile becomes markup.

The view writes the model's ``active`` (only while its tab is on screen is
the profile fetched), ``source``, ``worker``, ``function``, ``window`` and
``path``.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from bqplot import Label as TextMark
from bqplot import LinearScale, Lines
from ipywidgets import HTML, Button, HBox, Label, Layout, VBox

from ..aggregate.colors import TEXT
from ..aggregate.models import ProfileModel, ProgressModel, StatusModel
from .base import Throttle, chooser, tile_figure
from .hover import tooltip, tooltip_style

#: Pixels per stack level.
LEVEL_PX = 18
#: Pixels above and below the levels (title, a little air).
CHROME = 44
#: Levels the figure has room for, however shallow the profile.
MIN_LEVELS = 4
#: Tallest the figure grows (deeper stacks are squeezed).
MOST_PX = 640
#: Width (pixels) the labels are fitted to: the narrowest place a figure goes,
#: so no name runs over its frame even in the 250 px side panel.
LABEL_FIT_PX = 230
#: Pixels per character of a label (11 px text).
CHAR_PX = 6.5

WINDOWS = (("last 10 s", 10.0), ("last minute", 60.0), ("last 5 minutes", 300.0), ("all", 0.0))
SOURCES = (("workers", "workers"), ("scheduler event loop", "scheduler"))


def fitted(label: str, width: float) -> str:
    """``label`` cut to what fits in a frame ``width`` (0..1) of :data:`LABEL_FIT_PX`."""
    room = int(width * LABEL_FIT_PX / CHAR_PX)
    if room < 3:
        return ""
    return label if len(label) <= room else label[: room - 1] + "\u2026"


class ProfileView:
    """The Profile tab (``.widget``): choosers over a flame graph (``.figure``).

    Attributes
    ----------
    frames : bqplot.Lines
        One closed rectangle per frame drawn (``labels`` hold the tooltips).
    names : bqplot.Label
        Function names inside the frames wide enough for them.
    nodes : list of int
        The profile frame drawn as each rectangle.
    """

    def __init__(
        self,
        model: ProfileModel,
        status: StatusModel,
        progress: ProgressModel,
        every: float = 0.5,
    ):
        self.model = model
        self.status = status
        self.progress = progress
        self.source = chooser("Profile of", SOURCES, model.source)
        self.worker = chooser("worker", [("all", "")], "")
        self.function = chooser("function", [("all", "")], "")
        self.window = chooser("time", WINDOWS, model.window)
        self.refresh = Button(description="Refresh", layout=Layout(width="auto"))
        self.out = Button(description="Zoom out", layout=Layout(width="auto"))
        self.info = Label(layout=Layout(width="auto"))
        # Why a source has no profile: a sentence that wraps (a Label would cut it).
        self.why = HTML(layout=Layout(width="auto"))
        x, y = LinearScale(min=0.0, max=1.0), LinearScale(min=0.0, max=1.0)
        self.scales = {"x": x, "y": y}
        self.frames = Lines(
            scales=self.scales,
            fill="inside",
            close_path=True,
            stroke_width=0.5,
            tooltip=tooltip(),
            tooltip_style=tooltip_style(3),
        )
        self.frames.colors = ["var(--jp-layout-color1, white)"]
        self.names = TextMark(
            scales=self.scales,
            x=[],
            y=[],
            text=[],
            colors=[TEXT],
            default_size=11,
            align="start",
            x_offset=3,
            y_offset=-1,  # centred on the frame's middle
            enable_hover=False,
        )
        self.figure = tile_figure(
            "Profile",
            200,
            margin={"top": 32, "bottom": 8, "left": 4, "right": 4},
            marks=[self.frames, self.names],
        )
        self.nodes: list[int] = []
        controls = HBox(
            [self.source, self.worker, self.function, self.window, self.refresh, self.out],
            layout=Layout(flex_flow="row wrap", align_items="center"),
        )
        self.widget = VBox(
            [controls, self.info, self.why, self.figure], layout=Layout(width="100%")
        )
        for box, name in (
            (self.source, "source"),
            (self.worker, "worker"),
            (self.function, "function"),
            (self.window, "window"),
        ):
            box.observe(self._chose(name), names=["value"])
        self.refresh.on_click(lambda _: self.refetch())
        self.out.on_click(lambda _: self.zoom_out())
        self.frames.on_element_click(self._clicked)
        self.redraw = Throttle(self._draw, every, on_active=self._set_active)
        model.observe(self.redraw, names=["flame", "updated", "source"])
        status.observe(self.redraw, names=["workers"])
        progress.observe(self.redraw, names=["prefixes"])
        self._draw()

    def _set_active(self, active: bool) -> None:
        self.model.active = active

    def _chose(self, name: str) -> Any:
        def chosen(change: dict) -> None:
            value = change["new"] if change["new"] is not None else ""
            with self.model.hold_trait_notifications():
                if name in ("source", "worker", "function"):
                    self.model.path = []  # another profile: its frames differ
                setattr(self.model, name, value)

        return chosen

    def refetch(self) -> None:
        """Fetch the profile again now."""
        self.model.active = False
        self.model.active = self.redraw.active

    def zoom(self, node: int) -> None:
        """Zoom into frame ``node`` of the profile (a click does this)."""
        from ..aggregate.flame import path_of

        self.model.path = path_of(self.model.frames, node)

    def zoom_out(self) -> None:
        """Back out one level (to the caller of the frame zoomed into)."""
        self.model.path = list(self.model.path[:-1])

    def _clicked(self, mark: Any, content: dict) -> None:
        data = content.get("data") if isinstance(content, dict) else None
        index = data.get("index") if isinstance(data, dict) else None
        if not isinstance(index, int) or not 0 <= index < len(self.nodes):
            return
        if index == 0 and self.model.path:
            self.zoom_out()
        else:
            self.zoom(self.nodes[index])

    def _draw(self) -> None:
        self._update_choices()
        flame = self.model.flame
        n = len(flame.get("x0", []))
        # Room for a few levels even when the stack is shallow: frames stand on
        # the bottom edge, and a figure a frame tall would be hard to hit.
        levels = max(int(flame.get("depth_max", 0)) + 1 if n else 1, MIN_LEVELS)
        height = min(levels * LEVEL_PX + CHROME, MOST_PX)
        x0 = np.asarray(flame.get("x0", []), float)
        x1 = np.asarray(flame.get("x1", []), float)
        depth = np.asarray(flame.get("depth", []), float)
        with self.figure.hold_sync():
            self.figure.layout.height = f"{height}px"
            self.scales["y"].max = float(levels)
            with self.frames.hold_sync():
                if n:
                    # A hairline of the page's colour between frames.
                    self.frames.x = np.column_stack([x0, x1, x1, x0, x0]).astype(np.float32)
                    top, bottom = depth + 0.92, depth
                    self.frames.y = np.column_stack([bottom, bottom, top, top, bottom]).astype(
                        np.float32
                    )
                    self.frames.fill_colors = list(flame["color"])
                    self.frames.colors = ["var(--jp-layout-color1, white)"] * n
                    self.frames.fill_opacities = [1.0] * n
                    self.frames.labels = list(flame["tooltip"])
                else:
                    self.frames.x, self.frames.y = np.zeros((1, 5)), np.zeros((1, 5))
                    self.frames.fill_colors, self.frames.fill_opacities = ["white"], [0.0]
                    self.frames.labels = [""]
            texts = [fitted(label, w) for label, w in zip(flame.get("label", []), x1 - x0)]
            keep = [i for i, t in enumerate(texts) if t]
            with self.names.hold_sync():
                self.names.x = x0[keep] if keep else []
                self.names.y = depth[keep] + 0.46 if keep else []  # mid-frame
                self.names.text = [texts[i] for i in keep]
            self.figure.title = self._title(flame)
        self.nodes = list(flame.get("node", []))
        self.out.disabled = not self.model.path
        enabled = self.model.frames.get("enabled", True)
        self.info.value = self._where(flame) if enabled else ""  # nothing to click
        reason = "" if enabled else self.model.frames.get("reason")
        why = html.escape(str(reason or ""))
        if self.why.value != why:
            self.why.value = why

    def _title(self, flame: dict) -> str:
        total = int(flame.get("total", 0))
        what = "Scheduler event loop" if self.model.source == "scheduler" else "Profile"
        if not self.model.frames.get("enabled", True):
            return f"{what}: not profiled (distributed leaves it off here)"
        if not total:
            return f"{what}: no samples yet" if self.model.updated else f"{what}: waiting for data"
        return f"{what}: {total:,} samples"

    def _where(self, flame: dict) -> str:
        path = flame.get("path", [])
        if not path:
            return "Click a frame to zoom into it."
        share = flame["zoomed"] / flame["total"] if flame.get("total") else 0.0
        name = flame["label"][0] if flame.get("label") else ""
        return f"Zoomed into {name} ({share:.1%} of the time); click it to go back a level."

    def _update_choices(self) -> None:
        workers = [("all", "")] + sorted(
            (str(info.get("name", address)), address)
            for address, info in self.status.workers.items()
        )
        functions = [("all", "")] + [(p, p) for p in sorted(self.progress.prefixes)]
        for box, options, chosen in (
            (self.worker, workers, self.model.worker),
            (self.function, functions, self.model.function),
        ):
            if list(box.options) != options:
                with box.hold_trait_notifications():
                    box.options = options
                    box.value = chosen if chosen in dict(options).values() else ""
        self.worker.disabled = self.function.disabled = self.model.source == "scheduler"
        if self.source.value != self.model.source:  # chosen from code: the chooser follows
            self.source.value = self.model.source
