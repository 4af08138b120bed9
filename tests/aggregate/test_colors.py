"""Unit tests for :mod:`jupyter_dashmon.aggregate.colors`."""

from __future__ import annotations

import types

from jupyter_dashmon.aggregate.colors import (
    DISK,
    ERRED,
    OTHER_ACTION,
    PALETTE,
    PROCESSING,
    TRANSFER,
    assign_colors,
)


def test_round_robin_in_order_of_first_appearance():
    prefixes = [f"p{i}" for i in range(len(PALETTE) + 5)]
    colors = assign_colors({}, prefixes)
    assert list(colors) == prefixes
    assert [colors[p] for p in prefixes[: len(PALETTE)]] == list(PALETTE)
    assert [colors[p] for p in prefixes[len(PALETTE) :]] == list(PALETTE[:5])


def test_duplicates_in_one_call_get_one_colour():
    colors = assign_colors({}, ["a", "b", "a", "c", "b"])
    assert colors == {"a": PALETTE[0], "b": PALETTE[1], "c": PALETTE[2]}


def test_known_prefixes_keep_their_colour():
    first = assign_colors({}, ["inc", "add"])
    second = assign_colors(first, ["mul", "inc", "add", "sum"])
    assert second["inc"] == first["inc"] == PALETTE[0]
    assert second["add"] == first["add"] == PALETTE[1]
    assert second["mul"] == PALETTE[2] and second["sum"] == PALETTE[3]
    assert first == {"inc": PALETTE[0], "add": PALETTE[1]}  # input not mutated


def test_accepts_any_iterable_of_prefixes():
    colors = assign_colors({}, (r for r in ["x", "y"]))
    assert colors == {"x": PALETTE[0], "y": PALETTE[1]}


def test_same_object_when_nothing_is_new():
    known = {"inc": PALETTE[0], "add": PALETTE[1]}
    assert assign_colors(known, ["add", "inc"]) is known
    assert assign_colors(known, []) is known


def test_new_object_when_something_is_new():
    known = {"inc": PALETTE[0]}
    out = assign_colors(known, ["inc", "add"])
    assert out is not known and known == {"inc": PALETTE[0]}


def test_non_dict_mapping_returns_a_plain_dict():
    known = types.MappingProxyType({"inc": PALETTE[0]})
    out = assign_colors(known, ["inc"])
    assert type(out) is dict and out == {"inc": PALETTE[0]}


def test_bounded_by_limit_dropping_oldest():
    colors = assign_colors({}, [f"p{i}" for i in range(10)], limit=4)
    assert list(colors) == ["p6", "p7", "p8", "p9"]
    assert colors["p9"] == PALETTE[9]
    more = assign_colors(colors, ["q"], limit=4)
    assert len(more) == 4 and "q" in more and "p6" not in more


def test_round_robin_continues_after_the_bound_is_reached():
    colors = assign_colors({}, ["a", "b", "c"], limit=3)
    colors = assign_colors(colors, ["d"], limit=3)
    colors = assign_colors(colors, ["e"], limit=3)
    assert colors["d"] != colors["e"]


def test_fixed_meaning_colours_are_not_in_the_palette():
    assert not {TRANSFER, ERRED, PROCESSING, DISK, OTHER_ACTION} & set(PALETTE)
    assert len(set(PALETTE)) == 20
