"""Flame-graph rectangles from a hand-written flat profile."""

from __future__ import annotations

import pytest

from jupyter_dashmon.aggregate.colors import PALETTE
from jupyter_dashmon.aggregate.flame import (
    MIN_WIDTH,
    children_of,
    file_color,
    find_path,
    flame_rects,
    path_of,
)

# all(100) -> a(60) -> a1(30); all -> b(40); a1 sits in another file.
FRAMES = {
    "parent": [-1, 0, 1, 0],
    "count": [100, 60, 30, 40],
    "name": ["all", "a", "a1", "b"],
    "filename": ["", "x.py", "y.py", "x.py"],
    "line_number": [0, 3, 7, 9],
    "line": ["", "a()", "a1()", "b()"],
    "ident": ["root", "a;x.py;3", "a1;y.py;7", "b;x.py;9"],
}


def test_children_of():
    assert children_of(FRAMES["parent"]) == [[1, 3], [2], [], []]


def test_whole_profile_laid_out_widest_first():
    r = flame_rects(FRAMES, [])
    by_name = {label: i for i, label in enumerate(r["label"])}
    assert r["label"][0] == "all" and (r["x0"][0], r["x1"][0], r["depth"][0]) == (0.0, 1.0, 0)
    a, b, a1 = by_name["a"], by_name["b"], by_name["a1"]
    assert (r["x0"][a], r["x1"][a], r["depth"][a]) == pytest.approx((0.0, 0.6, 1))
    assert (r["x0"][b], r["x1"][b], r["depth"][b]) == pytest.approx((0.6, 1.0, 1))
    assert (r["x0"][a1], r["x1"][a1], r["depth"][a1]) == pytest.approx((0.0, 0.3, 2))
    assert r["depth_max"] == 2 and r["total"] == 100 and r["zoomed"] == 100
    assert r["color"][a] == r["color"][b] == file_color("x.py") != r["color"][a1]
    assert r["color"][a] in PALETTE
    assert r["tooltip"][a1] == "a1  30.0% of the time\ny.py:7\na1()"


def test_zoom_into_a_frame_by_path():
    path = path_of(FRAMES, 2)
    assert path == ["a;x.py;3", "a1;y.py;7"]
    r = flame_rects(FRAMES, ["a;x.py;3"])
    assert r["label"] == ["a", "a1"]
    assert r["x1"] == pytest.approx([1.0, 0.5])
    assert r["depth"] == [0, 1]
    assert r["path"] == ["a;x.py;3"] and r["zoomed"] == 60
    # The tooltip keeps the share of the whole profile, not of the zoomed frame.
    assert r["tooltip"][1].startswith("a1  30.0%")


def test_a_path_that_no_longer_exists_stops_where_it_does():
    node, found = find_path(FRAMES, ["a;x.py;3", "gone;z.py;1"])
    assert node == 1 and found == ["a;x.py;3"]
    assert flame_rects(FRAMES, ["gone"])["path"] == []


def test_thin_frames_are_not_drawn_and_empty_profiles_draw_nothing():
    frames = {k: list(v) for k, v in FRAMES.items()}
    frames["count"] = [10_000, 6000, 1, 4000]
    assert "a1" not in flame_rects(frames, [])["label"]
    assert MIN_WIDTH > 1 / 10_000
    empty = flame_rects({}, [])
    assert empty["x0"] == [] and empty["total"] == 0
